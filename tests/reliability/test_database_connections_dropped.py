"""PostgreSQL drops a worker's connections (pg_terminate_backend) in the middle of a job: the job is retried by the
sweeper on a fresh connection and completes, with the rows an undisturbed run stores."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from tests.provenance.test_tasks import ingest_all, stored_rows
from tests.reliability.local_server import LocalPageServer, Page
from tests.reliability.workers import wait_for
from workbench.provenance import services
from workbench.provenance.models import TraceJob
from workbench.provenance.tasks import run_trace_job

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

WAIT_S = 90.0  # the dropped attempt's lease (30 s by default) runs out before the sweeper re-arms the job


def _backend_pids() -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        return {row[0] for row in cursor.fetchall()}


def _terminate_backends_except(keep: set[int]) -> int:
    """Ends the connections to the test database opened since `keep` was taken (the worker's); returns how many.

    The test process's own connections (this thread's, the live server's) are left alone, so later tests in the
    same session keep working.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() AND NOT (pid = ANY(%s))",
            [sorted(keep)],
        )
        return cursor.fetchone()[0]


def test_a_job_completes_after_the_database_drops_its_worker_s_connections(celery_on_redis, seed_paths):
    submitted_path = seed_paths[-1]
    articles = ingest_all(seed_paths[:-1])
    gate = threading.Event()
    ours = _backend_pids()
    with LocalPageServer() as server:
        server.routes["/derivative"] = Page(body=submitted_path.read_bytes(), gate=gate)
        worker = celery_on_redis("dropped", FETCH_TEST_ALLOW_LOOPBACK=server.allowance)
        job = services.trace_job_create(articles=articles, url=server.url("/derivative"))
        assert server.arrived.wait(timeout=WAIT_S), worker.text()
        assert TraceJob.objects.get(pk=job.pk).state == TraceJob.State.RUNNING

        assert _terminate_backends_except(ours) >= 1, "the worker held no database connection to drop"
        gate.set()

        def finished() -> bool:
            services.trace_jobs_rearm()
            return TraceJob.objects.get(pk=job.pk).state in {"done", "failed"}

        wait_for(finished, timeout_s=WAIT_S, interval_s=0.5, what="the job to complete after the drop")

    job.refresh_from_db()
    assert (job.state, job.error) == ("done", ""), worker.text()[-3000:]
    assert job.attempts >= 2, "the connection drop should have cost the first attempt"
    assert job.articles.count() == len(articles) + 1

    after_drop = stored_rows()
    again = TraceJob.objects.create()
    again.articles.set(job.articles.all())
    assert run_trace_job.apply(args=[again.pk]).get() == "done"
    assert stored_rows() == after_drop


def test_a_worker_keeps_its_connection_between_jobs_and_replaces_it_once_dropped(celery_on_redis, seed_paths):
    articles = ingest_all(seed_paths[:2])
    ours = _backend_pids()
    worker = celery_on_redis("idle")

    def done(job) -> bool:
        return TraceJob.objects.get(pk=job.pk).state in {"done", "failed"}

    first = services.trace_job_create(articles=articles[:1])
    wait_for(lambda: done(first), timeout_s=WAIT_S, interval_s=0.2, what="the first job")
    # The idle worker still holds the connection its job used; the database now drops it.
    assert _terminate_backends_except(ours) >= 1, "the worker closed its connection after the job"

    second = services.trace_job_create(articles=articles)
    wait_for(lambda: done(second), timeout_s=WAIT_S, interval_s=0.2, what="the job after the drop")
    second.refresh_from_db()
    assert (second.state, second.attempts) == ("done", 1), worker.text()[-3000:]
