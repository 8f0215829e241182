"""Real Celery workers for integration tests: subprocesses on the test database, against Redis db 15.

Tests using these need PostgreSQL (the worker and the test share the test database) and Redis on 127.0.0.1:6379.
Without them the tests skip with the reason; under CI=true a skip is a failure (see tests/conftest.py).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

REPO_DIR = Path(__file__).resolve().parents[2]
TEST_BROKER_URL = "redis://127.0.0.1:6379/15"
WORKER_READY_S = 60.0
WORKER_STOP_S = 15.0


def broker_url() -> str:
    """The broker for integration tests: CI's CELERY_BROKER_URL when it names local Redis, else db 15."""
    url = os.environ.get("CELERY_BROKER_URL", "")
    return url if url.startswith(("redis://127.0.0.1", "redis://localhost")) else TEST_BROKER_URL


def require_services() -> None:
    """Skip (with the reason) unless the test database is PostgreSQL and Redis answers."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: a worker subprocess must share the test database (set DATABASE_URL)")
    import redis

    try:
        redis.Redis.from_url(broker_url(), socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.skip(f"needs Redis at {broker_url()}: {exc}")


def purge_broker() -> None:
    import redis

    redis.Redis.from_url(broker_url(), socket_connect_timeout=2).flushdb()


def test_database_url() -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{db['NAME']}"


class Worker:
    """One `celery -A workbench worker` process group, logging to a file the test can read."""

    def __init__(self, name: str, log_path: Path, env: dict[str, str]) -> None:
        self.name, self.log_path = name, log_path
        self.log = open(log_path, "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "workbench",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "--prefetch-multiplier=1",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                f"--hostname={name}@%h",
                "--loglevel=INFO",
            ],
            cwd=REPO_DIR,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout_s: float = WORKER_READY_S) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if " ready." in self.text():
                return
            if self.process.poll() is not None:
                raise AssertionError(f"worker {self.name} exited with {self.process.returncode}:\n{self.text()}")
            time.sleep(0.2)
        raise AssertionError(f"worker {self.name} not ready after {timeout_s:g} s:\n{self.text()}")

    def kill(self) -> None:
        """SIGKILL the whole group (main process and pool children): nothing gets to clean up or acknowledge."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=WORKER_STOP_S)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=WORKER_STOP_S)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


def worker_env(**extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "CELERY_BROKER_URL": broker_url(),
        "FETCH_DOMAIN_INTERVAL_S": "0",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("CI", None)
    env.update(extra)
    return env


def _reset_connections(app) -> None:
    """Forget pooled broker connections (kombu keeps them in process-wide registries) so the next publish uses the
    broker URL now configured."""
    from kombu import pools

    pools.reset()
    app._pool = None
    if "amqp" in app.__dict__:
        app.__dict__["amqp"]._producer_pool = None


@pytest.fixture
def celery_on_redis(transactional_db) -> Iterator[Callable[..., Worker]]:
    """Point this process's Celery at Redis (db 15, purged) and give a factory of worker subprocesses, all stopped
    before the test database is flushed."""
    require_services()
    from workbench.celery import app

    purge_broker()
    saved = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager = False
    app.conf.broker_url = broker_url()
    _reset_connections(app)
    workers: list[Worker] = []
    log_dir = Path(os.environ.get("WORKER_LOG_DIR", "/tmp"))

    def start(name: str = "w1", *, wait: bool = True, **env: str) -> Worker:
        """A worker with ``env`` added to its environment; ``wait=False`` returns before it is ready (a replacement
        started while the test goes on)."""
        worker = Worker(name, log_dir / f"celery-{name}-{os.getpid()}.log", worker_env(**env))
        workers.append(worker)
        if wait:
            worker.wait_ready()
        return worker

    try:
        yield start
    finally:
        for worker in workers:
            worker.stop()
        app.conf.task_always_eager, app.conf.broker_url = saved
        _reset_connections(app)
        purge_broker()


@contextmanager
def scheduled(task_name: str, *, every_s: float) -> Iterator[None]:
    """Send the task registered as ``task_name`` now and then every ``every_s`` seconds through the broker, as
    ``celery beat`` does with the stored schedule, for the length of the block."""
    from workbench.celery import app

    stopped = threading.Event()

    def send() -> None:
        while True:
            app.tasks[task_name].delay()
            if stopped.wait(every_s):
                return

    thread = threading.Thread(target=send, name=f"scheduler-{task_name}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stopped.set()
        thread.join()


def wait_for(predicate: Callable[[], bool], *, timeout_s: float, what: str, interval_s: float = 0.1) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval_s)
    raise AssertionError(f"timed out after {timeout_s:g} s waiting for {what}")


GUNICORN_READY_S = 30.0


@contextmanager
def gunicorn_serving(*, args: list[str], env: dict[str, str], port: int, log_path: Path) -> Iterator[str]:
    """The workbench under gunicorn (started with ``args`` and ``env``, its output in ``log_path``), yielding its base
    URL once the login page answers; the whole process group is stopped on exit. Fails the test if it never starts."""
    env = {**env, "PYTHONUNBUFFERED": "1"}
    env.pop("CI", None)
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", *args, "workbench.wsgi:application"],
            cwd=REPO_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + GUNICORN_READY_S
            while True:
                try:
                    urllib.request.urlopen(f"{base}/admin/login/", timeout=2).close()  # noqa: S310 - loopback only
                    break
                except OSError:
                    if time.monotonic() > deadline or process.poll() is not None:
                        pytest.fail(f"gunicorn did not start: {log_path.read_text()[-2000:]}")
                    time.sleep(0.2)
            yield base
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
