"""Soak: SIGKILL a Celery worker again and again while a 200-article archive is traced; every job must still end
done and the stored claims, links, divergences and story memberships must equal an undisturbed run's.

    .venv/bin/python -m benchmarks.soak                              # 200 articles, 20 kills (make bench-soak)
    .venv/bin/python -m benchmarks.soak --articles 60 --kills 0      # control: two undisturbed runs

Each run creates (drops first) the database ``workbench_soak`` on 127.0.0.1:5432, flushes Redis db 11 on
127.0.0.1:6379, migrates, ingests the generated archive in arrival order, starts two workers (the end-to-end
benchmark's) and queues the trace jobs the pipeline would queue for each arriving article: the article alone, or
with its origin (the corpus's true origin, so the comparison does not hang on origin finding, which
``benchmarks.scale`` and ``benchmarks.e2e`` measure). The driver runs the sweeper (``trace_jobs_rearm``) as the
scheduler does, every TRACE_JOB_SWEEP_S (15 s), and every setting is the default (the 30 s job lease renewed by the
running job's heartbeat, the broker's visibility timeout), so a recovery takes what it takes in production.

The first run is left alone. The second is the same archive with ``--kills`` SIGKILLs at random moments (fixed
``--kill-seed``): once a chosen share of the jobs is done, a random worker, when its pool process is busy tracing,
loses that pool process (its main process forks a new one), its main process (the orphaned pool process is left
to finish or die on its own, as after an OOM kill) or both at once; a new worker is started in place of a killed main
process. The results are compared by natural keys (article ingest key and sentence position, never database ids),
with scores rounded.

Recovery: a kill interrupts the jobs the killed worker was running (claimed by its main or pool process, as named
in the job's last ``claimed`` event, and still running just after the kill); each one's recovery is the time from the
kill to the job being done, and the longest is reported (``recovery_s_max``) with how long its heartbeat had been
silent when it was re-armed.

Exit status 0 only when every job of both runs is done, none is lost, and the fingerprints are equal. The table is
printed, the JSON written to ``--json`` (default ``benchmarks/results/soak.json``). Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import results_write
from benchmarks.e2e import REDIS_HOST, REDIS_PORT, ROOT, _drop_database, _env, _prepare_database, start_worker

POLL_S = 0.5
SCORE_DIGITS = 4
BUSY_SAMPLE_S = 0.02
BUSY_WAIT_S = 10.0
KILL_POLL_S = 0.02
KILL_TARGETS = ("pool", "main", "worker")
SECTIONS = ("claims", "links", "divergences", "memberships")


# ---------------------------------------------------------------------------------------------- fingerprint


def _score(value: float | None) -> float | None:
    return None if value is None else round(value, SCORE_DIGITS)


def fingerprint() -> dict[str, list[tuple]]:
    """What tracing stored, keyed by article ingest key and sentence position, sorted (duplicates stay visible):
    claims (text, label, score), links (claim -> origin sentence, rank, score, method), divergences (type, spans,
    origin sentence and span) and story memberships (story origin, role). Reads only."""
    from workbench.claims.models import Claim
    from workbench.provenance.models import Divergence, ProvenanceLink, StoryMembership
    from workbench.sources.models import Article

    key = dict(Article.objects.values_list("pk", "ingest_key"))
    claims = [
        (key[article], version, position, text, label, _score(score))
        for article, version, position, text, label, score in Claim.objects.values_list(
            "version__article_id", "version__number", "position", "text", "label", "label_score"
        )
    ]
    links = [
        (key[article], position, key[origin], origin_position, rank, _score(score), method)
        for article, position, origin, origin_position, rank, score, method in ProvenanceLink.objects.values_list(
            "claim__version__article_id",
            "claim__position",
            "origin_claim__version__article_id",
            "origin_claim__position",
            "rank",
            "score",
            "method",
        )
    ]
    divergences = [
        (
            key[article],
            position,
            kind,
            start,
            end,
            span,
            key.get(origin),
            origin_position,
            origin_start,
            origin_end,
            origin_span,
            linked_position,
        )
        for (
            article,
            position,
            kind,
            start,
            end,
            span,
            origin,
            origin_position,
            origin_start,
            origin_end,
            origin_span,
            linked_position,
        ) in Divergence.objects.values_list(
            "claim__version__article_id",
            "claim__position",
            "type",
            "span_start",
            "span_end",
            "span",
            "origin_claim__version__article_id",
            "origin_claim__position",
            "origin_start",
            "origin_end",
            "origin_span",
            "link__origin_claim__position",
        )
    ]
    memberships = [
        (key[article], key[origin], role)
        for article, origin, role in StoryMembership.objects.values_list("article_id", "story__origin_id", "role")
    ]
    return {
        name: sorted(rows, key=repr)
        for name, rows in zip(SECTIONS, (claims, links, divergences, memberships), strict=True)
    }


def fingerprint_diff(expected: dict, got: dict, limit: int = 10) -> list[str]:
    """The articles that differ, then the first differing rows, one line each (a row only one side has, with its
    count when duplicated). Empty when the fingerprints are equal."""
    lines, articles = [], Counter()
    for name in SECTIONS:
        want, have = Counter(map(tuple, expected.get(name, []))), Counter(map(tuple, got.get(name, [])))
        for side, rows in (("undisturbed", want - have), ("disturbed", have - want)):
            for row, n in sorted(rows.items(), key=repr):
                lines.append(f"{name}: {side} only ({n}x): {row!r}")
                articles[(row[0], name)] += n
    if not lines:
        return []
    summary = "differing rows by article: " + ", ".join(
        f"{article} {name} {n}" for (article, name), n in sorted(articles.items())
    )
    return [summary] + lines[:limit] + ([f"... and {len(lines) - limit} more"] if len(lines) > limit else [])


def digest(fp: dict) -> str:
    return hashlib.sha256(json.dumps(fp, sort_keys=True, default=str).encode()).hexdigest()[:16]


def code_digest() -> str:
    """The workers' code: a change during the soak (restarted workers importing edited files) would show here."""
    h = hashlib.sha256()
    for path in sorted((ROOT / "workbench").rglob("*.py")):
        h.update(path.relative_to(ROOT).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _commit() -> str:
    out = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True)
    return out.stdout.strip() or "unknown"


# ------------------------------------------------------------------------------------------------ processes


def pool_processes(pid: int) -> list[int]:
    """The pool processes (children) of a worker's main process, from /proc."""
    children: list[int] = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            children += [int(c) for c in (task / "children").read_text().split()]
    return sorted(set(children))


def cpu_ticks(pid: int) -> int | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12])  # utime + stime


def busy(pid: int) -> bool:
    """A pool process burning CPU is running a task (tracing is CPU-bound; an idle pool process sleeps)."""
    before = cpu_ticks(pid)
    time.sleep(BUSY_SAMPLE_S)
    after = cpu_ticks(pid)
    return before is not None and after is not None and after > before


@dataclass
class Workers:
    """The two worker slots of a run; a killed main process is replaced by a new worker in the same slot."""

    env: dict[str, str]
    log_dir: Path
    label: str
    slots: list[subprocess.Popen] = field(default_factory=list)
    started: list[subprocess.Popen] = field(default_factory=list)

    def start(self, n: int) -> None:
        self.slots = [self._spawn(i) for i in range(n)]

    def _spawn(self, slot: int) -> subprocess.Popen:
        name = f"soak-{self.label}-{slot}-{len(self.started)}"
        worker = start_worker(name, self.env, self.log_dir / f"{name}.log", level="INFO")
        self.started.append(worker)
        return worker

    def replace(self, slot: int) -> None:
        self.slots[slot] = self._spawn(slot)

    def stop(self) -> None:
        for worker in self.started:
            if worker.poll() is None:
                worker.terminate()
        for worker in self.started:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(worker.pid, signal.SIGKILL)  # pool processes orphaned by a killed main process


@dataclass(frozen=True)
class Kill:
    after_done: int
    slot: int
    target: str  # "pool", "main" or "worker" (both)
    delay_s: float


def kill_plan(jobs: int, kills: int, seed: int) -> list[Kill]:
    """``kills`` kills at random points of the run: each once a random number of jobs is done (spread over the
    first 90%), after a random extra delay, on a random worker, of its pool process, its main process or both."""
    rng = random.Random(seed)
    points = sorted(rng.choices(range(1, max(2, int(jobs * 0.9))), k=kills))
    return [Kill(p, rng.randrange(2), rng.choice(KILL_TARGETS), round(rng.uniform(0.0, 1.5), 2)) for p in points]


# ------------------------------------------------------------------------------------------------------ runs


def _reset(args: argparse.Namespace, env: dict[str, str]) -> None:
    from django.db import connection

    connection.close()
    _prepare_database(args.db)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    import redis

    redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=args.redis_db).flushdb()


def ingest(corpus_articles) -> dict[int, object]:
    """Every article stored in arrival order (one process, so ids and versions are the same in every run); returns
    the stored articles by corpus position."""
    from workbench.sources.models import ArticleVersion
    from workbench.sources.services import article_ingest

    stored = {}
    for a in corpus_articles:
        stored[a.position] = article_ingest(
            content=a.text,
            arrival=ArticleVersion.Arrival.UPLOAD,
            ingest_key=f"soak-{a.key}",
            outlet_name=a.outlet,
            headline=a.headline,
        ).article
    return stored


def job_request(corpus_article, stored) -> dict:
    """The pipeline's job for an arriving article: the article alone, or with its origin."""
    origin = stored[corpus_article.origin_position] if corpus_article.origin_position is not None else None
    return {"articles": [stored[corpus_article.position]] + ([origin] if origin is not None else []), "origin": origin}


def _states(job_ids: list[int]) -> dict[str, int]:
    from django.db.models import Count

    from workbench.provenance.models import TraceJob

    return dict(TraceJob.objects.filter(pk__in=job_ids).values_list("state").annotate(n=Count("id")))


def busy_pool(workers, prefer: int) -> tuple[int, int] | None:
    """The slot and pool process of a worker tracing right now, the preferred one first; None when both are idle.

    A pool process burning CPU may also be booting or finishing a message, and a job can take less time than the
    CPU sample: a pool counts as tracing only while a job is running both before and after its sample."""
    from workbench.provenance.models import TraceJob

    running = TraceJob.objects.filter(state=TraceJob.State.RUNNING)
    for slot in (prefer, 1 - prefer):
        pools = pool_processes(workers.slots[slot].pid)
        if pools and running.exists() and busy(pools[0]) and running.exists():
            return slot, pools[0]
    return None


def jobs_held_by(pids: list[int]) -> list[int]:
    """The running jobs whose current attempt was claimed by one of the processes ``pids`` (on this machine)."""
    from workbench.provenance.models import TraceJob, TraceJobEvent

    workers = {f"{socket.gethostname()}:{pid}" for pid in pids}
    held = []
    for job_id, attempts in TraceJob.objects.filter(state=TraceJob.State.RUNNING).values_list("pk", "attempts"):
        claim = TraceJobEvent.objects.filter(job_id=job_id, kind="claimed", extra__attempt=attempts).last()
        if claim is not None and claim.extra.get("worker") in workers:
            held.append(job_id)
    return held


def kill_now(workers, kill: Kill, found: tuple[int, int] | None) -> dict:
    """SIGKILL the planned process of the worker ``found`` busy (or of the planned worker when none was), and start a
    new worker in place of a killed main process. ``workers`` has ``slots`` (main processes, Popen) and
    ``replace(slot)``. The record names the jobs the kill interrupted and when it happened (``at``, epoch seconds)."""
    from workbench.provenance.models import TraceJob

    slot, pool = found if found is not None else (kill.slot, None)
    main = workers.slots[slot]
    if pool is None:
        pools = pool_processes(main.pid)
        pool = pools[0] if pools else None
    victims = [pid for pid in {"pool": [pool], "main": [main.pid], "worker": [main.pid, pool]}[kill.target] if pid]
    # The jobs in the hands of the worker hit: a killed main process takes its pool process with it (billiard's
    # parent-death signal), so whatever the target they are the jobs of the whole worker.
    interrupted = jobs_held_by([main.pid, *pool_processes(main.pid)])
    for pid in victims:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    killed_at = time.time()
    # A job that ended between the look and the kill was not interrupted.
    interrupted = list(
        TraceJob.objects.filter(pk__in=interrupted, state=TraceJob.State.RUNNING).values_list("pk", flat=True)
    )
    record = {
        "at": killed_at,
        "interrupted": interrupted,
        "after_done": kill.after_done,
        "slot": slot,
        "target": kill.target,
        "pids": victims,
        "pool_busy": found is not None,
        "jobs_running": TraceJob.objects.filter(state=TraceJob.State.RUNNING).count(),
    }
    if kill.target != "pool":
        main.wait()
        workers.replace(slot)
    return record


@dataclass
class Drive:
    job_ids: list[int]
    kills: list[dict]
    sweeps: Counter
    elapsed_s: float


def drive(
    *,
    workers,
    requests: list[dict],
    plan: list[Kill],
    timeout_s: float,
    arrival_s: float = 0.0,
    sweep_s: float | None = None,
    label: str = "run",
) -> Drive:
    """Queue the jobs (one every ``arrival_s``, or all at once), run the sweeper every ``sweep_s`` (default: as the
    scheduler does, every TRACE_JOB_SWEEP_S), and carry out the planned kills, until every job has finished or
    ``timeout_s`` has passed.

    A kill falls due once its number of jobs is done and its delay has passed; it waits (up to BUSY_WAIT_S, while
    jobs keep arriving and the sweeper keeps running) for a worker's pool process to be tracing."""
    from workbench.provenance.services import TRACE_JOB_SWEEP_S, trace_job_create, trace_jobs_rearm

    sweep_s = TRACE_JOB_SWEEP_S if sweep_s is None else sweep_s
    plan = list(plan)
    result = Drive([], [], Counter(), 0.0)
    started = time.perf_counter()
    deadline = started + timeout_s
    due_at: float | None = None
    last_sweep, next_arrival = 0.0, started
    while True:
        now = time.perf_counter()
        while len(result.job_ids) < len(requests) and now >= next_arrival:
            result.job_ids.append(trace_job_create(**requests[len(result.job_ids)]).pk)
            next_arrival = max(next_arrival, now) + arrival_s  # no burst after the driver was held up by a restart
        if now - last_sweep >= sweep_s:
            result.sweeps.update(trace_jobs_rearm())
            last_sweep = now
        states = _states(result.job_ids)
        done = states.get("done", 0)
        if plan and due_at is None and done >= plan[0].after_done:
            due_at = now + plan[0].delay_s
        if due_at is not None and now >= due_at:
            found = busy_pool(workers, plan[0].slot)
            if found is not None or now - due_at > BUSY_WAIT_S:
                record = kill_now(workers, plan.pop(0), found)
                record["at_s"] = round(time.perf_counter() - started, 1)
                result.kills.append(record)
                print(f"  {label}: kill {len(result.kills)}: {record}", file=sys.stderr, flush=True)
                due_at = None
            continue
        finished = done + states.get("failed", 0)
        if (len(result.job_ids) == len(requests) and finished >= len(requests)) or time.perf_counter() > deadline:
            break
        time.sleep(KILL_POLL_S if due_at is not None else POLL_S)
    result.elapsed_s = round(time.perf_counter() - started, 1)
    return result


def recoveries(kills: list[dict]) -> list[dict]:
    """For every job a kill interrupted: seconds from the kill to the job being done (None if it never was), and how
    long its heartbeat had been silent when the sweeper re-armed it (None if it was not re-armed)."""
    from workbench.provenance.models import TraceJob, TraceJobEvent

    out = []
    for kill in kills:
        for job in TraceJob.objects.filter(pk__in=kill["interrupted"]).order_by("pk"):
            rearm = (
                TraceJobEvent.objects.filter(job=job, kind="rearmed", at__gt=_moment(kill["at"])).order_by("at").first()
            )
            done_s = job.finished_at.timestamp() - kill["at"] if job.state == "done" and job.finished_at else None
            out.append(
                {
                    "job": job.pk,
                    "target": kill["target"],
                    "recovery_s": round(done_s, 1) if done_s is not None else None,
                    "rearmed_after_s": round(rearm.at.timestamp() - kill["at"], 1) if rearm else None,
                    "silent_s_at_rearm": rearm.extra.get("silent_s") if rearm else None,
                }
            )
    return out


def _moment(epoch_s: float):
    from datetime import UTC, datetime

    return datetime.fromtimestamp(epoch_s, tz=UTC)


def job_figures(job_ids: list[int]) -> dict:
    """How the jobs ended: done, failed, lost (neither), retried (claimed more than once), re-armed by the sweeper."""
    from workbench.provenance.models import TraceJob, TraceJobEvent

    jobs = TraceJob.objects.filter(pk__in=job_ids)
    return {
        "jobs": len(job_ids),
        "done": jobs.filter(state="done").count(),
        "failed": jobs.filter(state="failed").count(),
        "lost": jobs.exclude(state__in=["done", "failed"]).count(),
        "retried": jobs.filter(attempts__gt=1).count(),
        "attempts_max": max(jobs.values_list("attempts", flat=True), default=0),
        "rearmed": TraceJobEvent.objects.filter(job__in=jobs, kind="rearmed").count(),
        "retried_jobs": [
            {"job": job.pk, "articles": sorted(a.ingest_key for a in job.articles.all()), "attempts": job.attempts}
            for job in jobs.filter(attempts__gt=1).prefetch_related("articles").order_by("pk")
        ],
        "errors": sorted(set(jobs.exclude(error="").values_list("error", flat=True)))[:5],
    }


def one_run(
    args: argparse.Namespace, env: dict[str, str], corpus_articles, label: str, kills: int
) -> tuple[dict, dict]:
    """One run from an empty database: ingest, queue, sweep and kill as planned until every job has finished (or
    the timeout); returns the figures and the fingerprint."""
    _reset(args, env)
    code_before = code_digest()
    stored = ingest(corpus_articles)
    log_dir = ROOT / "var" / "soak"
    log_dir.mkdir(parents=True, exist_ok=True)
    workers = Workers(env, log_dir, label)
    workers.start(args.workers)
    try:
        run_ = drive(
            workers=workers,
            requests=[job_request(a, stored) for a in corpus_articles],
            plan=kill_plan(len(corpus_articles), kills, args.kill_seed),
            timeout_s=args.timeout_s,
            arrival_s=args.arrival_s,
            label=label,
        )
    finally:
        workers.stop()
    fp = fingerprint()
    recovered = recoveries(run_.kills)
    times = [r["recovery_s"] for r in recovered if r["recovery_s"] is not None]
    result = {
        "run": label,
        "articles": len(corpus_articles),
        "kills": len(run_.kills),
        "kills_pool_busy": sum(k["pool_busy"] for k in run_.kills),
        "kills_by_target": {t: sum(k["target"] == t for k in run_.kills) for t in KILL_TARGETS},
        "workers_started": len(workers.started),
        **job_figures(run_.job_ids),
        "sweeps": dict(run_.sweeps),
        "elapsed_s": run_.elapsed_s,
        "jobs_interrupted": len(recovered),
        "recovery_s_max": max(times, default=None),
        "recovery_s_median": sorted(times)[len(times) // 2] if times else None,
        "recoveries": recovered,
        "rows": {name: len(rows) for name, rows in fp.items()},
        "fingerprint": digest(fp),
        "code": [code_before, code_digest()],
        "kill_log": run_.kills,
    }
    return result, fp


def run(args: argparse.Namespace) -> dict:
    # The production defaults for every job setting (lease, heartbeat, re-sending, visibility timeout): whatever
    # the calling shell sets is dropped, and an override is given explicitly (--lease-s, --queued-stale-s).
    pipeline = ("TRACE_JOB_", "CELERY_VISIBILITY_TIMEOUT_S", "CELERY_TASK_")
    env = {k: v for k, v in _env(args.db, args.redis_db).items() if not k.startswith(pipeline)}
    env["PYTHONUNBUFFERED"] = "1"
    if args.lease_s is not None:
        env["TRACE_JOB_LEASE_S"] = str(args.lease_s)
    if args.queued_stale_s is not None:
        env["TRACE_JOB_QUEUED_STALE_S"] = str(args.queued_stale_s)
    for name in [k for k in os.environ if k.startswith(pipeline)]:
        del os.environ[name]
    os.environ.update(
        {k: v for k, v in env.items() if k.startswith(pipeline) or k in ("DATABASE_URL", "CELERY_BROKER_URL")}
    )
    os.environ.update({k: env[k] for k in ("DJANGO_SETTINGS_MODULE", "DEBUG")})
    import django

    django.setup()
    from django.conf import settings

    from benchmarks.corpus import Corpus
    from workbench.celery import app  # noqa: F401 - binds the shared tasks to the configured broker
    from workbench.provenance.services import TRACE_JOB_SWEEP_S

    corpus = Corpus(args.articles, args.seed)
    corpus_articles = [corpus.article(i) for i in range(args.articles)]
    undisturbed, expected = one_run(args, env, corpus_articles, "undisturbed", 0)
    print(f"  undisturbed: {undisturbed['done']} done in {undisturbed['elapsed_s']} s", file=sys.stderr, flush=True)
    disturbed, got = one_run(args, env, corpus_articles, "killed", args.kills)
    from django.db import connection

    connection.close()
    if not args.keep_db:
        _drop_database(args.db)
    differences = fingerprint_diff(expected, got)
    runs = [undisturbed, disturbed]
    # Restarted workers import the code afresh: an edit during the soak would be a difference of its own.
    code_unchanged = len({digest for r in runs for digest in r["code"]}) == 1
    holds = (
        not differences
        and code_unchanged
        and all(r["done"] == r["jobs"] and r["failed"] == 0 and r["lost"] == 0 for r in runs)
        and disturbed["kills"] == args.kills
    )
    return {
        "articles": args.articles,
        "roles": dict(Counter(a.role for a in corpus_articles)),
        "seed": args.seed,
        "kill_seed": args.kill_seed,
        "workers": args.workers,
        "lease_s": settings.TRACE_JOB_LEASE_S,
        "heartbeat_s": settings.TRACE_JOB_HEARTBEAT_S,
        "queued_stale_s": settings.TRACE_JOB_QUEUED_STALE_S,
        "visibility_timeout_s": settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"],
        "sweep_s": TRACE_JOB_SWEEP_S,
        "arrival_s": args.arrival_s,
        "runs": runs,
        "commit": _commit(),
        "code_unchanged": code_unchanged,
        "fingerprint_equal": not differences,
        "differences": differences,
        "holds": holds,
    }


def table(result: dict) -> str:
    lines = [
        "| run | articles | jobs | kills (pool/main/both; pool busy) | done | failed | lost | retried (attempts > 1) | "
        "re-armed | interrupted | longest recovery s | wall s | rows (claims/links/divergences/memberships) | "
        "fingerprint |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in result["runs"]:
        rows = "/".join(f"{r['rows'][name]:,}" for name in SECTIONS)
        by = r["kills_by_target"]
        lines.append(
            f"| {r['run']} | {r['articles']} | {r['jobs']} | {r['kills']} ({by['pool']}/{by['main']}/{by['worker']}; "
            f"{r['kills_pool_busy']}) | {r['done']} | {r['failed']} | {r['lost']} | {r['retried']} | {r['rearmed']} | "
            f"{r['jobs_interrupted']} | {r['recovery_s_max'] if r['recovery_s_max'] is not None else '-'} | "
            f"{r['elapsed_s']} | {rows} | {r['fingerprint']} |"
        )
    lines.append("")
    lines.append(
        f"fingerprint equal: {'yes' if result['fingerprint_equal'] else 'no'}; "
        f"code unchanged during the runs: {'yes' if result['code_unchanged'] else 'NO'}; "
        f"promise holds: {'yes' if result['holds'] else 'NO'}"
    )
    for r in result["runs"]:
        if r["jobs_interrupted"]:
            rearmed = [x["rearmed_after_s"] for x in r["recoveries"] if x["rearmed_after_s"] is not None]
            lines.append(
                f"{r['run']}: {r['jobs_interrupted']} jobs interrupted by the kills; from the kill to done: longest "
                f"{r['recovery_s_max']} s, median {r['recovery_s_median']} s; re-sent by the sweeper at most "
                f"{max(rearmed, default='-')} s after the kill (lease {result['lease_s']} s, heartbeat "
                f"{result['heartbeat_s']} s, sweep every {result['sweep_s']} s)"
            )
    lines += [f"  {line}" for line in result["differences"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--articles", type=int, default=200)
    p.add_argument("--kills", type=int, default=20)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--seed", type=int, default=7, help="the archive's seed")
    p.add_argument("--kill-seed", type=int, default=11, help="when, whom and what to kill")
    p.add_argument("--lease-s", type=int, default=None, help="TRACE_JOB_LEASE_S (default: the setting's default)")
    p.add_argument("--queued-stale-s", type=int, default=None, help="TRACE_JOB_QUEUED_STALE_S (default: likewise)")
    p.add_argument("--db", default="workbench_soak")
    p.add_argument("--redis-db", type=int, default=11)
    p.add_argument("--timeout-s", type=float, default=1800.0, help="per run")
    p.add_argument(
        "--arrival-s", type=float, default=0.0, help="seconds between two arriving articles (0: all at once)"
    )
    p.add_argument("--keep-db", action="store_true")
    p.add_argument("--json", default=str(ROOT / "benchmarks" / "results" / "soak.json"))
    args = p.parse_args(argv)
    result = run(args)
    print(table(result))
    if args.json:
        results_write(args.json, result)
    return 0 if result["holds"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
