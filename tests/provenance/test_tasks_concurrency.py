"""Two workers at once (threads with their own PostgreSQL connections): the same rows as one run, no errors."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from tests.provenance.test_tasks import ingest_all, stored_rows
from workbench.provenance import services
from workbench.provenance.models import TraceJob, TraceJobEvent
from workbench.provenance.tasks import run_trace_job

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREAD_WAIT_S = 120


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent row locks (set DATABASE_URL)")


def run_together(*calls) -> list:
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except BaseException as exc:  # reported to the test below
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=THREAD_WAIT_S)
        assert not thread.is_alive(), "a concurrent run did not finish"
    return results


def test_one_job_delivered_to_two_workers_at_once_runs_once(seed_paths):
    articles = ingest_all(seed_paths)
    job = TraceJob.objects.create()
    job.articles.set(articles)
    results = run_together(*[lambda: run_trace_job.apply(args=[job.pk]).get()] * 2)
    assert sorted(results) == ["done", "not_claimable"]
    job.refresh_from_db()
    assert (job.state, job.attempts) == ("done", 1)
    assert TraceJobEvent.objects.filter(job=job, kind="claimed").count() == 1


def test_two_jobs_tracing_the_same_articles_at_once_leave_the_rows_of_one(seed_paths):
    articles = ingest_all(seed_paths)
    services.articles_trace(articles=articles)
    once = stored_rows()
    jobs = []
    for _ in range(2):
        job = TraceJob.objects.create()
        job.articles.set(articles)
        jobs.append(job)
    results = run_together(*[lambda j=j: run_trace_job.apply(args=[j.pk]).get() for j in jobs])
    assert results == ["done", "done"]
    assert stored_rows() == once
