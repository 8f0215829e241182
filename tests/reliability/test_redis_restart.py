"""Redis restarted (its queue lost) while trace jobs wait, and while one runs: once the sweeper re-sends the stale
queued jobs, every job ends done, none runs twice, and the stored rows equal an undisturbed run.

A private redis-server on a free 127.0.0.1 port is used, so the shared Redis is never restarted.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest

from benchmarks.soak import fingerprint, fingerprint_diff
from tests.conftest import REPO_DIR
from tests.loopback import free_port
from tests.provenance.test_tasks import ingest_all, stored_rows
from tests.reliability.workers import wait_for
from workbench.provenance import services
from workbench.provenance.models import TraceJob
from workbench.provenance.tasks import run_trace_job

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

WAIT_S = 90.0
QUEUED_STALE_S = 1
DEV_DIR = REPO_DIR / "fixtures" / "news-dev"


class PrivateRedis:
    def __init__(self, port: int, workdir: Path) -> None:
        self.port, self.workdir = port, workdir
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        self.process = subprocess.Popen(
            [
                binary,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        wait_for(lambda: self._pings(redis), timeout_s=10, what="the private redis-server to answer")

    def _pings(self, redis) -> bool:
        try:
            return bool(redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def queued_messages(self) -> int:
        import redis

        return int(redis.Redis(host="127.0.0.1", port=self.port).llen("celery"))

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


@pytest.fixture
def private_redis(monkeypatch, tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("needs redis-server (apt-get install redis-server)")
    server = PrivateRedis(free_port(), tmp_path)
    server.start()
    monkeypatch.setenv("CELERY_BROKER_URL", f"redis://127.0.0.1:{server.port}/0")
    yield server
    server.stop()


def test_jobs_queued_before_a_redis_restart_all_end_done(private_redis, celery_on_redis, seed_paths, settings):
    settings.TRACE_JOB_QUEUED_STALE_S = QUEUED_STALE_S
    articles = ingest_all(seed_paths)
    origin, others = articles[0], articles[1:]
    jobs = [services.trace_job_create(articles=[origin, other]) for other in others]
    wait_for(lambda: private_redis.queued_messages() == len(jobs), timeout_s=10, what="the jobs' messages in Redis")

    private_redis.stop()
    private_redis.start()  # no persistence: the queue is gone
    assert private_redis.queued_messages() == 0
    assert set(TraceJob.objects.filter(pk__in=[j.pk for j in jobs]).values_list("state", flat=True)) == {"queued"}

    celery_on_redis("after-restart")
    time.sleep(QUEUED_STALE_S + 0.5)
    rearmed = services.trace_jobs_rearm()
    assert rearmed == {"rearmed": len(jobs), "failed": 0}
    wait_for(
        lambda: (
            set(TraceJob.objects.filter(pk__in=[j.pk for j in jobs]).values_list("state", flat=True))
            <= {"done", "failed"}
        ),
        timeout_s=WAIT_S,
        what="the re-sent jobs to finish",
    )
    assert list(TraceJob.objects.filter(pk__in=[j.pk for j in jobs]).values_list("state", "error")) == [
        ("done", "")
    ] * len(jobs)

    after_restart = stored_rows()
    assert after_restart["links"], "the jobs traced nothing, so the comparison would prove nothing"
    for job in jobs:
        again = TraceJob.objects.create()
        again.articles.set(job.articles.all())
        assert run_trace_job.apply(args=[again.pk]).get() == "done"
    assert stored_rows() == after_restart


def _states(jobs) -> dict[int, str]:
    return dict(TraceJob.objects.filter(pk__in=[j.pk for j in jobs]).values_list("pk", "state"))


def test_a_redis_restart_while_a_job_runs_and_others_wait_loses_none_and_repeats_none(
    private_redis, celery_on_redis, seed_paths, settings
):
    settings.TRACE_JOB_QUEUED_STALE_S = QUEUED_STALE_S
    development = ingest_all(sorted(DEV_DIR.glob("*/*.txt")))
    seeds = ingest_all(seed_paths)
    celery_on_redis("through-restart")
    # All development stories in one job: seconds of tracing, so the restart falls inside it.
    running = services.trace_job_create(articles=development)
    waiting = [services.trace_job_create(articles=[seeds[0], other]) for other in seeds[1:]]
    jobs = [running, *waiting]
    wait_for(
        lambda: _states([running])[running.pk] == "running",
        timeout_s=30,
        what="the first job to start",
        interval_s=0.01,
    )

    private_redis.stop()
    assert _states(jobs) == {running.pk: "running", **{j.pk: "queued" for j in waiting}}, (
        "the restart must find one job running and the others waiting"
    )
    private_redis.start()  # no persistence: the waiting jobs' messages are gone
    assert private_redis.queued_messages() == 0

    wait_for(lambda: _states([running])[running.pk] == "done", timeout_s=WAIT_S, what="the running job to finish")
    time.sleep(QUEUED_STALE_S + 0.5)
    assert services.trace_jobs_rearm() == {"rearmed": len(waiting), "failed": 0}
    wait_for(
        lambda: set(_states(jobs).values()) <= {"done", "failed"}, timeout_s=WAIT_S, what="the re-sent jobs to finish"
    )
    rows = list(
        TraceJob.objects.filter(pk__in=[j.pk for j in jobs]).order_by("pk").values_list("state", "error", "attempts")
    )
    assert rows == [("done", "", 1)] * len(jobs), "every job done at its first attempt: none ran twice"
    assert list(running.events.values_list("kind", flat=True)) == ["queued", "claimed", "done"]

    after_restart = fingerprint()
    assert after_restart["links"], "the jobs traced nothing, so the comparison would prove nothing"
    for job in jobs:
        again = TraceJob.objects.create(origin=job.origin)
        again.articles.set(job.articles.all())
        assert run_trace_job.apply(args=[again.pk]).get() == "done"
    assert fingerprint_diff(after_restart, fingerprint()) == []
