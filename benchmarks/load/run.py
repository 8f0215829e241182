"""Load run: concurrent API clients against gunicorn on 127.0.0.1, PostgreSQL and one Celery worker.

    .venv/bin/python -m benchmarks.load.run                      # 50 clients, 120 s
    .venv/bin/python -m benchmarks.load.run --seconds 30 --json var/bench-load.json

It creates (drops first) the database ``workbench_load`` on 127.0.0.1:5432, uses Redis db 13 on 127.0.0.1:6379
(flushed first), migrates, traces the seed articles so there is something to read, creates a token, starts gunicorn
(deploy/gunicorn.conf.py) and a worker, then runs the clients: each loops over reads (claims, stories, divergences,
an article, a verdict list) with one article submission in every ``--submit-every`` requests. Clients keep their
connection open (HTTP/1.1 keep-alive) and send nothing beyond 127.0.0.1.

Prints requests per second, p50/p95/p99 latency and error counts per kind (read / submit); 5xx are counted apart.
Target: p95 under 200 ms for reads and no 5xx.
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

ROOT = Path(__file__).resolve().parents[2]
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DB_NAME = "workbench_load"
REDIS_URL = "redis://127.0.0.1:6379/13"
READY_S = 60.0
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


def _prepare(env: dict[str, str]) -> str:
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
    subprocess.run(
        [sys.executable, "-c", "import django;django.setup();from django.contrib.auth.models import User;"
         "User.objects.create_user('loadtool', password=None)"],
        cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "workbench.settings"}, check=True,
    )
    out = subprocess.run(
        [*manage, "create_api_token", "loadtool", "--scopes", "read,submit", "--name", "load"],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    )
    return out.stdout.strip().splitlines()[-1]


def _drop() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


class Client(threading.Thread):
    def __init__(self, port: int, key: str, until: float, submit_every: int, seed: int, results: list) -> None:
        super().__init__(daemon=True)
        self.port, self.key, self.until, self.submit_every = port, key, until, submit_every
        self.rng = random.Random(seed)
        self.results = results

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Authorization": f"Token {self.key}", "Accept": "application/json"}
        n = 0
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
                status = 0
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            self.results.append((kind, status, time.perf_counter() - started, path.split("?")[0]))
        conn.close()


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
        path: {"requests": len(v), "p50_ms": round(_percentile(sorted(v), 50), 1), "p95_ms": round(_percentile(sorted(v), 95), 1)}
        for path, v in sorted(by_path.items())
    }
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--submit-every", type=int, default=10, help="one submission in every N requests per client")
    parser.add_argument("--gunicorn-workers", type=int, default=4)
    parser.add_argument("--json", type=Path, help="also write the report here")
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()

    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
        "CELERY_BROKER_URL": REDIS_URL,
        "DEBUG": "false",
        "STATIC_MANIFEST": "false",
        "API_THROTTLE_RATE": "100000000/hour",
        "API_SUBMIT_THROTTLE_RATE": "100000000/hour",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(args.gunicorn_workers),
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("CI", None)
    key = _prepare(env)
    log_dir = ROOT / "var"
    log_dir.mkdir(exist_ok=True)
    web_log = open(log_dir / "bench-load-gunicorn.log", "w")  # noqa: SIM115 - closed below
    worker_log = open(log_dir / "bench-load-worker.log", "w")  # noqa: SIM115 - closed below
    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "workbench.wsgi:application"],
        cwd=ROOT, env=env, stdout=web_log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    worker = subprocess.Popen(
        [str(Path(sys.executable).with_name("celery")), "-A", "workbench", "worker", "--concurrency=1",
         "--prefetch-multiplier=1", "--loglevel=WARNING", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=worker_log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + READY_S
        while True:
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                probe.request("GET", "/api/v1/me/", headers={"Authorization": f"Token {key}"})
                if probe.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or web.poll() is not None:
                raise SystemExit(f"gunicorn did not answer; see {log_dir / 'bench-load-gunicorn.log'}")
            time.sleep(0.3)
        results: list = []
        started = time.monotonic()
        clients = [
            Client(port, key, started + args.seconds, args.submit_every, seed, results) for seed in range(args.clients)
        ]
        for client in clients:
            client.start()
        for client in clients:
            client.join(args.seconds + 60)
        elapsed = time.monotonic() - started
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

    report = {"clients": args.clients, "seconds": round(elapsed, 1), "gunicorn_workers": args.gunicorn_workers,
              "cpus": os.cpu_count(), **summarise(results, elapsed)}
    print(f"{args.clients} clients, {elapsed:.0f} s, gunicorn workers {args.gunicorn_workers}, {os.cpu_count()} CPUs")
    print(f"{'kind':8} {'requests':>9} {'rps':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7} {'5xx':>5}")
    for kind in ("read", "submit", "all"):
        row = report[kind]
        print(f"{kind:8} {row['requests']:>9} {row['rps']:>8} {row['p50_ms']:>8} {row['p95_ms']:>8} {row['p99_ms']:>8} "
              f"{row['errors']:>7} {row['5xx']:>5}")
    for path, row in report["by_path"].items():
        print(f"  {path:32} {row['requests']:>7} p50 {row['p50_ms']:>8} ms  p95 {row['p95_ms']:>8} ms")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
