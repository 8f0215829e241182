"""End-to-end benchmark: articles through Celery (two workers, Redis broker, PostgreSQL), ingested, traced and
stored (claims, links, divergences), with throughput and lost-job accounting.

    .venv/bin/python -m benchmarks.e2e --articles 5000 --workers 2              # indexed routing (default)
    .venv/bin/python -m benchmarks.e2e --articles 300 --mode pipeline           # the pipeline's own story detection

It creates (drops first) a dedicated database ``workbench_bench`` on 127.0.0.1:5432, uses Redis db 14 on
127.0.0.1:6379 (flushed first), migrates, starts the workers, sends the generated articles, and polls the job rows
(the truth) until every article's job is done or failed, or the timeout passes. Modes:

- ``indexed``: each article goes to the ``provenance.ingest_index_trace`` task (ingest, shared candidate index,
  origin lookup), which stores the pipeline's trace job for the article and its origin and runs it;
- ``pipeline``: the driver calls ``trace_job_create(content=...)`` and the worker ingests and finds the story with
  ``services.story_detect``.

``--archive N`` first stores N generated articles and builds the shared index from them by the bulk path
(``candidates_rebuild``), then sends the next ``--articles`` positions of the same archive as new arrivals (their
origins mostly in the stored archive). ``--realistic`` generates unrelated reports from other desks and near-miss
stories (``benchmarks.corpus``); the result then says how many of each were traced as unrelated (not stored as any
story's derivative). Per-article times are the arrival task's own, read from the workers' log lines.

Lost jobs = articles whose job neither finished nor failed by the end. CPU per article = CPU seconds of the worker
processes and of the database server processes serving the benchmark database (sampled from /proc while they run),
over the jobs done. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from benchmarks import results_write

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_HOST = "127.0.0.1"
REDIS_PORT = 6379
POLL_S = 2.0
# PostgreSQL here runs with autovacuum off, so the planner would never learn how the tables grow (and would, for one,
# scan every divergence to delete a claim's old ones) and index-only scans would still visit the table; the driver
# vacuums and analyses the database this often, as autovacuum would with its default settings.
VACUUM_EVERY_S = 30.0


def _prepare_database(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _env(db: str, redis_db: int) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db}",
        "CELERY_BROKER_URL": f"redis://{REDIS_HOST}:{REDIS_PORT}/{redis_db}",
        "DJANGO_SETTINGS_MODULE": "workbench.settings",
        "DEBUG": "false",
        "CI": os.environ.get("CI", ""),
    }


def start_worker(name: str, env: dict[str, str], log_path: Path, level: str | None = None) -> subprocess.Popen:
    """One Celery worker (prefork, one pool process, prefetch 1) in a process group of its own, logging to
    ``log_path``; its group id is its pid, so it and its pool process can be ended together."""
    celery = str(Path(sys.executable).with_name("celery"))
    level = level or os.environ.get("BENCH_LOGLEVEL", "INFO")
    log = open(log_path, "w")  # noqa: SIM115 - the worker holds it until it ends
    cmd = [
        celery,
        "-A",
        "workbench",
        "worker",
        "--concurrency=1",
        "--prefetch-multiplier=1",
        "-n",
        f"{name}@%h",
        f"--loglevel={level}",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--pool=prefork",
    ]
    try:
        return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    finally:
        log.close()


def _start_workers(n: int, env: dict[str, str], log_dir: Path) -> list[subprocess.Popen]:
    return [start_worker(f"bench{i}", env, log_dir / f"e2e-worker{i}.log") for i in range(n)]


def _stop_workers(workers: list[subprocess.Popen]) -> None:
    """Warm shutdown, then SIGKILL for what is left of each worker's process group (a pool process outlives a main
    process that was killed)."""
    for w in workers:
        if w.poll() is None:
            w.terminate()
    for w in workers:
        try:
            w.wait(timeout=30)
        except subprocess.TimeoutExpired:
            w.kill()
            w.wait()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(w.pid, signal.SIGKILL)


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_s(pid: int, *, children: bool = False) -> float | None:
    """CPU seconds (user + system) a live process has used, with its reaped children's when ``children``; None
    once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if children else 0)
    return ticks / _CLOCK_TICKS


class CpuMeter:
    """CPU used by the workers (every process of their process groups) and by the database server processes serving
    the benchmark database, sampled while they run: on a shared machine wall time says little, CPU time says what
    an article costs."""

    def __init__(self, workers: list[subprocess.Popen], db: str) -> None:
        self.groups = {w.pid for w in workers}
        self.db = db
        self.seen: dict[tuple[str, int], float] = {}

    def sample(self, cursor) -> None:
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/stat") as fh:
                    group = int(fh.read().rsplit(")", 1)[1].split()[2])
            except OSError:
                continue
            if group in self.groups:
                cpu = _cpu_s(int(pid), children=int(pid) in self.groups)
                if cpu is not None:
                    self.seen[("worker", int(pid))] = cpu
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [self.db])
        for (pid,) in cursor.fetchall():
            cpu = _cpu_s(pid)
            if cpu is not None:
                self.seen[("db", pid)] = cpu

    def totals(self) -> dict[str, float]:
        out = {"worker": 0.0, "db": 0.0}
        for (kind, _), cpu in self.seen.items():
            out[kind] += cpu
        return out


_DURATION = re.compile(r"task=provenance\.ingest_index_trace .*duration_ms=(\d+) outcome=")


def _task_durations_ms(log_dir: Path, workers: int) -> list[float]:
    """The arrival task's duration for every article, from the workers' log lines (they log at INFO)."""
    out: list[float] = []
    for i in range(workers):
        path = log_dir / f"e2e-worker{i}.log"
        if path.exists():
            out.extend(float(m.group(1)) for m in _DURATION.finditer(path.read_text(errors="replace")))
    return out


def run(args: argparse.Namespace) -> dict:
    env = _env(args.db, args.redis_db)
    _prepare_database(args.db)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    import redis

    redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=args.redis_db).flushdb()
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE", "DEBUG")})
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count

    from benchmarks.corpus import ROLE_NEAR_MISS, ROLE_UNRELATED, Corpus
    from workbench.celery import app  # noqa: F401 - binds the shared tasks to the configured broker
    from workbench.provenance.models import StoryMembership, TraceJob
    from workbench.provenance.services import trace_job_create
    from workbench.provenance.tasks import ingest_index_trace
    from workbench.sources.models import Article

    log_dir = ROOT / "var"
    log_dir.mkdir(exist_ok=True)
    corpus = Corpus(args.archive + args.articles, args.seed, realistic=args.realistic)
    archive_s = 0.0
    if args.archive:
        from benchmarks.store import _archive_store
        from workbench.provenance.candidates import candidates_rebuild

        t0 = time.perf_counter()
        _archive_store(corpus, stop=args.archive)
        candidates_rebuild()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        archive_s = time.perf_counter() - t0
        connection.close()
    articles = [corpus.article(i) for i in range(args.archive, args.archive + args.articles)]
    workers = _start_workers(args.workers, env, log_dir)
    meter = CpuMeter(workers, args.db)
    try:
        time.sleep(3)
        started = time.perf_counter()
        for a in articles:
            if args.mode == "indexed":
                ingest_index_trace.delay(a.text, f"bench-{a.key}", a.outlet, a.headline)
            else:
                trace_job_create(content=a.text)
            if args.rate:
                time.sleep(1.0 / args.rate)
        sent_s = time.perf_counter() - started
        timeline = []
        deadline = started + args.timeout_s
        vacuumed = time.perf_counter()
        while True:
            states = dict(TraceJob.objects.values_list("state").annotate(n=Count("id")))
            finished = states.get("done", 0) + states.get("failed", 0)
            timeline.append((round(time.perf_counter() - started, 1), states.get("done", 0)))
            with connection.cursor() as cursor:
                meter.sample(cursor)
                if time.perf_counter() - vacuumed >= VACUUM_EVERY_S:
                    cursor.execute("VACUUM (ANALYZE)")
                    vacuumed = time.perf_counter()
            if finished >= args.articles or time.perf_counter() > deadline:
                break
            time.sleep(POLL_S)
        elapsed = time.perf_counter() - started
        with connection.cursor() as cursor:
            meter.sample(cursor)
    finally:
        _stop_workers(workers)
    cpu = meter.totals()
    done = TraceJob.objects.filter(state="done").count()
    failed = TraceJob.objects.filter(state="failed").count()
    jobs = TraceJob.objects.count()
    with_membership = StoryMembership.objects.count()
    stored = Article.objects.count()
    # Origin found: a derivative whose story's origin is its true origin.
    key_of = {f"bench-{a.key}": a for a in articles}
    right = total = 0
    if args.mode == "indexed":
        for article_key, origin_key in StoryMembership.objects.filter(role="derivative").values_list(
            "article__ingest_key", "story__origin__ingest_key"
        ):
            a = key_of.get(article_key)
            if a is not None and a.origin_position is not None:
                total += 1
                right += origin_key == f"bench-a{a.origin_position}"
    derivatives = sum(a.origin_position is not None for a in articles)
    # Articles the generator made unrelated to everything before them, stored as some story's derivative.
    stored_as_derivative = {
        k for k in StoryMembership.objects.filter(role="derivative").values_list("article__ingest_key", flat=True)
    }
    false_derivatives = sum(key_of[k].origin_position is None for k in stored_as_derivative if k in key_of)
    by_role = {role: [a for a in articles if a.role == role] for role in (ROLE_UNRELATED, ROLE_NEAR_MISS)}
    task_ms = _task_durations_ms(log_dir, args.workers)
    window = 60.0
    rates = []
    for t0, d0 in timeline:
        later = [(t, d) for t, d in timeline if t >= t0 + window]
        if later:
            t1, d1 = later[0]
            rates.append((d1 - d0) / (t1 - t0))
    connection.close()
    if not args.keep_db:
        _drop_database(args.db)
    return {
        "mode": args.mode,
        "articles": args.articles,
        "workers": args.workers,
        "elapsed_s": round(elapsed, 1),
        "send_s": round(sent_s, 1),
        "articles_per_s": round(done / elapsed, 2),
        "min_60s_window_per_s": round(min(rates), 2) if rates else None,
        "jobs": jobs,
        "done": done,
        "failed": failed,
        "lost": args.articles - done - failed,
        "articles_stored": stored,
        "story_memberships": with_membership,
        "derivatives": derivatives,
        "derivatives_traced_to_true_origin": right,
        "derivatives_traced": total,
        "unrelated_traced_as_derivatives": false_derivatives,
        "generator": "realistic" if args.realistic else "plain",
        "archive_articles": args.archive,
        "archive_build_s": round(archive_s, 1),
        "unrelated_reports": len(by_role[ROLE_UNRELATED]),
        "unrelated_reports_traced_as_unrelated": sum(
            f"bench-{a.key}" not in stored_as_derivative for a in by_role[ROLE_UNRELATED]
        ),
        "near_misses": len(by_role[ROLE_NEAR_MISS]),
        "near_misses_not_merged": sum(f"bench-{a.key}" not in stored_as_derivative for a in by_role[ROLE_NEAR_MISS]),
        "task_ms_median": round(float(np.median(task_ms)), 1) if task_ms else None,
        "task_ms_p95": round(float(np.percentile(task_ms, 95)), 1) if task_ms else None,
        "task_ms_samples": [round(t) for t in task_ms],
        "worker_cpu_s": round(cpu["worker"], 1),
        "db_cpu_s": round(cpu["db"], 1),
        "cpu_ms_per_article": round(1000 * (cpu["worker"] + cpu["db"]) / done, 1) if done else None,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--articles", type=int, default=5000)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--mode", choices=("indexed", "pipeline"), default="indexed")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--archive", type=int, default=0, help="articles stored and indexed by the bulk path first")
    p.add_argument("--realistic", action="store_true", help="unrelated reports from other desks, near misses")
    p.add_argument("--rate", type=float, default=0.0, help="articles sent per second (0: all at once)")
    p.add_argument("--db", default="workbench_bench")
    p.add_argument("--redis-db", type=int, default=14)
    p.add_argument("--timeout-s", type=float, default=3600.0)
    p.add_argument("--keep-db", action="store_true")
    p.add_argument("--json", help="also write the result here")
    args = p.parse_args(argv)
    result = run(args)
    print(json.dumps(result, indent=2))
    print()
    print(
        "| mode | articles | workers | elapsed s | articles/s | slowest 60 s window /s | done | failed | lost "
        "| CPU ms/article (workers + database) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    print(
        f"| {result['mode']} | {result['articles']:,} | {result['workers']} | {result['elapsed_s']} | "
        f"{result['articles_per_s']} | {result['min_60s_window_per_s']} | {result['done']:,} | {result['failed']} | "
        f"{result['lost']} | {result['cpu_ms_per_article']} |"
    )
    if args.json:
        results_write(args.json, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
