"""Load run: concurrent API clients against gunicorn on 127.0.0.1, PostgreSQL and one Celery worker.

    .venv/bin/python -m benchmarks.load.run                      # 50 clients, 120 s
    .venv/bin/python -m benchmarks.load.run --seconds 30 --json var/bench-load.json

It creates (drops first) the database ``workbench_load`` on 127.0.0.1:5432, uses Redis db 12 on 127.0.0.1:6379
(flushed first) as broker and cache, migrates, traces the seed articles so there is something to read, creates one
user and token per client, starts gunicorn (deploy/gunicorn.conf.py) and a worker, then runs the clients: each loops
over reads (claims, stories, divergences, articles, verdicts, /me/) with one article submission in every
``--submit-every`` requests, waiting ``--think-ms`` on average between two requests (0: back to back). The clients
start spread over one think time, keep their connection open (HTTP/1.1 keep-alive) and send nothing beyond 127.0.0.1.

Prints requests per second, p50/p95/p99 latency and error counts per kind (read / submit); 5xx are counted apart.
Also the CPU seconds the server's parts, the load generator and everything else on the machine used during the run,
and how many of the submitted trace jobs were done by its end. Target: p95 under 200 ms for reads, no 5xx and no
request unanswered; when it is missed the run says what missed and exits 1.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from benchmarks import results_write

ROOT = Path(__file__).resolve().parents[2]
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DB_NAME = "workbench_load"
REDIS_URL = "redis://127.0.0.1:6379/12"
READY_S = 60.0
NO_ANSWER = 0  # the status recorded for a request whose connection failed or timed out
READ_PATHS = [
    "/api/v1/claims/?page_size=20",
    "/api/v1/stories/",
    "/api/v1/divergences/?page_size=20",
    "/api/v1/articles/?page_size=20",
    "/api/v1/verdicts/",
    "/api/v1/me/",
]
SENTENCES = [
    "The ministers met in Brussels on Tuesday to discuss the plan.",
    "Officials said the talks would probably resume next week.",
    "The council approved the budget after a long debate.",
    "A spokesperson declined to comment on the report.",
    "The agency said deliveries would start in the spring.",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _prepare(env: dict[str, str], clients: int) -> list[str]:
    """Fresh database and Redis db, seed articles traced, and one user with a read+submit token per client."""
    import psycopg
    import redis

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    redis.Redis.from_url(REDIS_URL).flushdb()
    manage = [sys.executable, "manage.py"]
    eager = {**env, "CELERY_BROKER_URL": ""}
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    seeds = sorted(str(p) for p in (ROOT / "fixtures" / "seeds").glob("*.txt"))
    subprocess.run([*manage, "trace", *seeds], cwd=ROOT, env=eager, check=True, stdout=subprocess.DEVNULL)
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, django; django.setup()\n"
            "from django.contrib.auth.models import User\n"
            "from workbench.api.services import api_token_create\n"
            "for n in range(int(sys.argv[1])):\n"
            "    user = User.objects.create_user(f'loadtool{n}', password=None)\n"
            "    print(api_token_create(user=user, name='load', scopes=['read', 'submit']).key)\n",
            str(clients),
        ],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "workbench.settings"},
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.split()


def _drop() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


class Client(threading.Thread):
    def __init__(
        self, port: int, key: str, until: float, submit_every: int, seed: int, results: list, think_s: float = 0.0
    ) -> None:
        super().__init__(daemon=True)
        self.port, self.key, self.until, self.submit_every, self.think_s = port, key, until, submit_every, think_s
        self.rng = random.Random(seed)
        self.results = results

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Authorization": f"Token {self.key}", "Accept": "application/json"}
        n = 0
        time.sleep(self.rng.uniform(0, self.think_s))
        while time.monotonic() < self.until:
            n += 1
            if n % self.submit_every == 0:
                kind, method, path = "submit", "POST", "/api/v1/articles/"
                text = " ".join(self.rng.sample(SENTENCES, 3)) + f" Report number {self.rng.randrange(10**9)}."
                body = json.dumps({"content": text, "headline": "Load"}).encode()
                send = {**headers, "Content-Type": "application/json"}
            else:
                kind, method, path, body, send = "read", "GET", self.rng.choice(READ_PATHS), None, headers
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=send)
                response = conn.getresponse()
                response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException):
                status = NO_ANSWER
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            self.results.append((kind, status, time.perf_counter() - started, path.split("?")[0]))
            if self.think_s:
                time.sleep(min(self.think_s * self.rng.uniform(0.5, 1.5), max(self.until - time.monotonic(), 0.0)))
        conn.close()


class CpuMeter(threading.Thread):
    """Sums the CPU seconds of every process on the machine while it runs, by part: gunicorn (its session), the
    worker (its session), this database's PostgreSQL backends, this load generator, and everything else."""

    def __init__(self, sessions: dict[int, str]) -> None:
        super().__init__(daemon=True)
        self.sessions, self.stop = sessions, threading.Event()
        self.first: dict[tuple[int, str], tuple[str, float]] = {}
        self.last: dict[tuple[int, str], float] = {}
        self.tick = os.sysconf("SC_CLK_TCK")

    def _part(self, pid: int, session: int) -> str:
        if pid == os.getpid():
            return "load generator"
        if session in self.sessions:
            return self.sessions[session]
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return "other"
        return "postgres" if command.startswith(b"postgres:") and DB_NAME.encode() in command else "other"

    def sample(self) -> None:
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            key, cpu_s = (int(entry), fields[19]), (int(fields[11]) + int(fields[12])) / self.tick
            if key not in self.first:
                self.first[key] = (self._part(int(entry), int(fields[3])), cpu_s)
            self.last[key] = cpu_s

    def run(self) -> None:
        self.sample()
        while not self.stop.wait(1.0):
            self.sample()

    def totals(self) -> dict[str, float]:
        self.stop.set()
        self.sample()
        parts = dict.fromkeys(["gunicorn", "worker", "postgres", "load generator", "other"], 0.0)
        for key, (part, start_s) in self.first.items():
            parts[part] += self.last[key] - start_s
        return {part: round(cpu_s, 1) for part, cpu_s in parts.items()}


def _job_states() -> dict[str, int]:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{DB_NAME}") as conn:
        rows = conn.execute("SELECT state, count(*) FROM provenance_tracejob GROUP BY state").fetchall()
    return {state: count for state, count in sorted(rows)}


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def summarise(results: list[tuple[str, int, float]], seconds: float) -> dict:
    report = {}
    for kind in ("read", "submit", "all"):
        rows = [r for r in results if kind == "all" or r[0] == kind]
        latencies = sorted(r[2] * 1000 for r in rows)
        expected = {200} if kind == "read" else {200, 202} if kind == "submit" else {200, 202}
        report[kind] = {
            "requests": len(rows),
            "rps": round(len(rows) / seconds, 1),
            "p50_ms": round(_percentile(latencies, 50), 1),
            "p95_ms": round(_percentile(latencies, 95), 1),
            "p99_ms": round(_percentile(latencies, 99), 1),
            "errors": sum(1 for r in rows if r[1] not in expected),
            "error_rate": round(sum(1 for r in rows if r[1] not in expected) / max(len(rows), 1), 4),
            "5xx": sum(1 for r in rows if r[1] >= 500),
            "status_counts": {str(s): sum(1 for r in rows if r[1] == s) for s in sorted({r[1] for r in rows})},
        }
    by_path: dict[str, list[float]] = {}
    for row in results:
        by_path.setdefault(row[3], []).append(row[2] * 1000)
    report["by_path"] = {
        path: {
            "requests": len(v),
            "p50_ms": round(_percentile(sorted(v), 50), 1),
            "p95_ms": round(_percentile(sorted(v), 95), 1),
        }
        for path, v in sorted(by_path.items())
    }
    return report


def target_misses(report: dict, *, read_p95_ms: float) -> list[str]:
    """What the run missed of its target (read p95 under ``read_p95_ms``, no 5xx, nothing unanswered); empty when
    it was met."""
    misses = []
    read = report["read"]
    if not read["requests"]:
        misses.append("no read was answered")
    elif read["p95_ms"] >= read_p95_ms:
        misses.append(f"read p95 {read['p95_ms']} ms, the target is under {read_p95_ms:g} ms")
    if report["all"]["5xx"]:
        misses.append(f"{report['all']['5xx']} responses were 5xx, the target is none")
    unanswered = report["all"]["status_counts"].get(str(NO_ANSWER), 0)
    if unanswered:
        misses.append(f"{unanswered} requests got no answer (connection failed or timed out)")
    return misses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--submit-every", type=int, default=10, help="one submission in every N requests per client")
    parser.add_argument(
        "--think-ms",
        type=float,
        default=1000.0,
        help="each client waits this long on average (uniformly 0.5x to 1.5x) between its requests",
    )
    parser.add_argument("--gunicorn-workers", type=int, default=None, help="default: deploy/gunicorn.conf.py's")
    parser.add_argument("--gunicorn-threads", type=int, default=None, help="default: deploy/gunicorn.conf.py's")
    parser.add_argument(
        "--target-read-p95-ms",
        type=float,
        default=200.0,
        help="exit 1 unless read p95 is under this (and every request answered, none with a 5xx)",
    )
    parser.add_argument("--json", type=Path, help="also write the report here")
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()

    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
        "CELERY_BROKER_URL": REDIS_URL,
        "CACHE_URL": REDIS_URL,
        "DEBUG": "false",
        "STATIC_MANIFEST": "false",
        "API_THROTTLE_RATE": "100000000/hour",
        "API_SUBMIT_THROTTLE_RATE": "100000000/hour",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    for name, value in (("GUNICORN_WORKERS", args.gunicorn_workers), ("GUNICORN_THREADS", args.gunicorn_threads)):
        if value is not None:
            env[name] = str(value)
        else:
            env.pop(name, None)
    env.pop("CI", None)
    keys = _prepare(env, args.clients)
    log_dir = ROOT / "var"
    log_dir.mkdir(exist_ok=True)
    web_log = open(log_dir / "bench-load-gunicorn.log", "w")  # noqa: SIM115 - closed below
    worker_log = open(log_dir / "bench-load-worker.log", "w")  # noqa: SIM115 - closed below
    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "workbench.wsgi:application"],
        cwd=ROOT,
        env=env,
        stdout=web_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    worker = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "workbench",
            "worker",
            "--concurrency=1",
            "--prefetch-multiplier=1",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=worker_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + READY_S
        while True:
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                probe.request("GET", "/api/v1/me/", headers={"Authorization": f"Token {keys[0]}"})
                if probe.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or web.poll() is not None:
                raise SystemExit(f"gunicorn did not answer; see {log_dir / 'bench-load-gunicorn.log'}")
            time.sleep(0.3)
        results: list = []
        meter = CpuMeter({web.pid: "gunicorn", worker.pid: "worker"})
        meter.start()
        started = time.monotonic()
        clients = [
            Client(port, keys[seed], started + args.seconds, args.submit_every, seed, results, args.think_ms / 1000)
            for seed in range(args.clients)
        ]
        for client in clients:
            client.start()
        for client in clients:
            client.join(args.seconds + 60)
        elapsed = time.monotonic() - started
        cpu = meter.totals()
        jobs = _job_states()
    finally:
        for process in (web, worker):
            process.terminate()
        for process in (web, worker):
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
        web_log.close()
        worker_log.close()
        if not args.keep_db:
            _drop()

    server = {
        "workers": args.gunicorn_workers or "gunicorn.conf.py",
        "threads": args.gunicorn_threads or "gunicorn.conf.py",
    }
    report = {
        "clients": args.clients,
        "think_ms": args.think_ms,
        "seconds": round(elapsed, 1),
        "gunicorn": server,
        "cpus": os.cpu_count(),
        "cpu_s": cpu,
        "jobs": jobs,
        **summarise(results, elapsed),
    }
    print(
        f"{args.clients} clients, think time {args.think_ms:.0f} ms, {elapsed:.0f} s, gunicorn {server}, "
        f"{os.cpu_count()} CPUs"
    )
    print(f"{'kind':8} {'requests':>9} {'rps':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7} {'5xx':>5}")
    for kind in ("read", "submit", "all"):
        row = report[kind]
        print(
            f"{kind:8} {row['requests']:>9} {row['rps']:>8} {row['p50_ms']:>8} {row['p95_ms']:>8} {row['p99_ms']:>8} "
            f"{row['errors']:>7} {row['5xx']:>5}"
        )
    for path, row in report["by_path"].items():
        print(f"  {path:32} {row['requests']:>7} p50 {row['p50_ms']:>8} ms  p95 {row['p95_ms']:>8} ms")
    print(
        f"CPU seconds during the run ({os.cpu_count()} CPUs x {elapsed:.0f} s = "
        f"{(os.cpu_count() or 1) * elapsed:.0f}): " + ", ".join(f"{part} {cpu_s}" for part, cpu_s in cpu.items())
    )
    print("trace jobs at the end: " + ", ".join(f"{state} {count}" for state, count in jobs.items()))
    misses = target_misses(report, read_p95_ms=args.target_read_p95_ms)
    report["target"] = {"read_p95_under_ms": args.target_read_p95_ms, "met": not misses, "misses": misses}
    print("target met" if not misses else "target missed: " + "; ".join(misses))
    if args.json:
        results_write(args.json, report)
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
