"""A running job's heartbeat: it renews the lease of its own attempt only, records progress with it, and an attempt
that lost its job stores nothing. (A real worker's heartbeat, and one that stops when the worker is killed, are in
tests/reliability/test_worker_kill.py and test_slow_job_heartbeat.py.)"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from workbench.claims.models import Claim
from workbench.provenance import services
from workbench.provenance.models import ProvenanceLink, StoryMembership, TraceJob, TraceJobEvent
from workbench.sources.models import Article
from workbench.sources.services import article_ingest_file

pytestmark = pytest.mark.django_db


def ingest_all(paths: list[Path]) -> list[Article]:
    return [article_ingest_file(path=path).article for path in paths]


def claimed_job(articles: list[Article]) -> TraceJob:
    job = TraceJob.objects.create()
    job.articles.set(articles)
    return services.trace_job_claim(job_id=job.pk)


def test_a_heartbeat_renews_its_attempt_s_lease_and_records_progress_within_the_total(settings):
    job = claimed_job([])
    TraceJob.objects.filter(pk=job.pk).update(sentences_total=40, lease_expires_at=timezone.now())
    assert services.trace_job_heartbeat(job=job, sentences_done=12)
    stored = TraceJob.objects.get(pk=job.pk)
    assert stored.sentences_done == 12
    assert stored.lease_expires_at > timezone.now() + timedelta(seconds=settings.TRACE_JOB_LEASE_S - 5)
    # The engine may count the story's origin as well: progress never passes the total.
    assert services.trace_job_heartbeat(job=job, sentences_done=55)
    assert TraceJob.objects.get(pk=job.pk).sentences_done == 40


def test_a_heartbeat_of_an_attempt_that_lost_its_job_changes_nothing():
    first = claimed_job([])
    TraceJob.objects.filter(pk=first.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    second = services.trace_job_claim(job_id=first.pk)
    lease_of_second = TraceJob.objects.get(pk=first.pk).lease_expires_at
    assert not services.trace_job_heartbeat(job=first, sentences_done=3)
    stored = TraceJob.objects.get(pk=first.pk)
    assert (stored.lease_token, stored.lease_expires_at, stored.sentences_done) == (
        second.lease_token,
        lease_of_second,
        0,
    )


def test_a_job_whose_heartbeat_goes_on_is_never_rearmed_however_long_it_runs(settings):
    job = claimed_job([])
    started = timezone.now() - timedelta(hours=2)  # running far longer than any lease or time limit
    TraceJob.objects.filter(pk=job.pk).update(started_at=started)
    assert services.trace_job_heartbeat(job=job)
    assert services.trace_jobs_rearm() == {"rearmed": 0, "failed": 0}
    # The same job once its heartbeat has been silent longer than the lease: its worker is gone.
    later = timezone.now() + timedelta(seconds=settings.TRACE_JOB_LEASE_S + 1)
    assert services.trace_jobs_rearm(now=later) == {"rearmed": 1, "failed": 0}
    rearmed = TraceJobEvent.objects.get(job=job, kind="rearmed")
    assert rearmed.extra["silent_s"] > settings.TRACE_JOB_LEASE_S


def test_an_attempt_that_lost_its_job_while_tracing_stores_nothing(seed_paths):
    articles = ingest_all(seed_paths)
    first = claimed_job(articles)
    # Its heartbeat stopped long enough for the sweeper to re-arm the job and another worker to claim it.
    TraceJob.objects.filter(pk=first.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    second = services.trace_job_claim(job_id=first.pk)

    run = services.trace_job_run(job=first, heartbeat_thread=False)

    assert run.state == services.SUPERSEDED and run.retry_in_s is None
    assert not ProvenanceLink.objects.exists() and not StoryMembership.objects.exists()
    assert not Claim.objects.exclude(label="").exists()
    job = TraceJob.objects.get(pk=first.pk)
    assert (job.state, job.lease_token, job.attempts) == (TraceJob.State.RUNNING, second.lease_token, 2)
    # The attempt that holds the job stores the trace and ends it.
    assert services.trace_job_run(job=second, heartbeat_thread=False).state == TraceJob.State.DONE
    assert ProvenanceLink.objects.exists()


def test_a_running_job_s_progress_moves_article_by_article(seed_paths, settings):
    settings.TRACE_JOB_HEARTBEAT_S = 0  # beat at every article the engine finishes
    articles = ingest_all(seed_paths)
    job = claimed_job(articles)
    with CaptureQueriesContext(connection) as queries:
        assert services.trace_job_run(job=job, heartbeat_thread=False).state == TraceJob.State.DONE
    progress = [
        int(m.group(1))
        for q in queries.captured_queries
        if (m := re.search(r'"sentences_done" = (?:LEAST|MIN)\((\d+)', q["sql"], re.IGNORECASE))
    ]
    total = TraceJob.objects.get(pk=job.pk).sentences_total
    assert len(progress) == len(articles)
    assert progress == sorted(progress) and 0 < progress[0] < total
