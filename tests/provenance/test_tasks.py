"""Trace jobs in eager mode: the job row is the truth, claims are conditional, bad input fails, retries are bounded."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from tests.pseudo_terminal import PseudoTerminal, bar_counts
from tests.reliability.local_server import LocalPageServer
from workbench.claims.models import Claim
from workbench.core.errors import IngestError
from workbench.core.fetch import UrlRefused
from workbench.provenance import services
from workbench.provenance.models import ProvenanceLink, Story, StoryMembership, TraceJob, TraceJobEvent
from workbench.provenance.selectors import trace_job_progress, trace_report
from workbench.provenance.tasks import run_trace_job, sweep_trace_jobs
from workbench.sources.models import Article
from workbench.sources.services import article_ingest_file

pytestmark = pytest.mark.django_db


def ingest_all(paths: list[Path]) -> list[Article]:
    return [article_ingest_file(path=path).article for path in paths]


def stored_rows() -> dict:
    """Everything a trace writes, by natural keys, so two runs can be compared row for row."""
    return {
        "labels": sorted(Claim.objects.exclude(label="").values_list("version_id", "position", "label")),
        "links": sorted(ProvenanceLink.objects.values_list("claim_id", "origin_claim_id", "rank")),
        "memberships": sorted(StoryMembership.objects.values_list("article_id", "role", "story__origin_id")),
        "stories": Story.objects.count(),
    }


def test_a_job_is_sent_only_after_its_transaction_commits(seed_paths, django_capture_on_commit_callbacks):
    articles = ingest_all(seed_paths)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = services.trace_job_create(articles=articles)
        assert TraceJob.objects.get(pk=job.pk).state == TraceJob.State.QUEUED
    assert len(callbacks) == 1
    assert ProvenanceLink.objects.count() == 0
    callbacks[0]()
    job.refresh_from_db()
    assert job.state == TraceJob.State.DONE
    assert job.attempts == 1
    assert job.sentences_total == job.sentences_done == Claim.objects.filter(version__article__in=articles).count()
    assert [e.kind for e in TraceJobEvent.objects.filter(job=job)] == ["queued", "claimed", "done"]


def test_a_job_stores_what_the_in_process_trace_stores(seed_paths, django_capture_on_commit_callbacks):
    articles = ingest_all(seed_paths)
    services.articles_trace(articles=articles)
    in_process = stored_rows()
    report = trace_report(articles=[(str(a.pk), a) for a in articles])
    with django_capture_on_commit_callbacks(execute=True):
        job = services.trace_job_create(articles=articles)
    job.refresh_from_db()
    assert job.state == TraceJob.State.DONE
    assert stored_rows() == in_process
    assert trace_report(articles=[(str(a.pk), a) for a in articles]) == report


def test_a_duplicate_delivery_finds_nothing_to_claim_and_changes_nothing(
    seed_paths, django_capture_on_commit_callbacks
):
    articles = ingest_all(seed_paths)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.trace_job_create(articles=articles)
    rows = stored_rows()
    assert run_trace_job.apply(args=[job.pk]).get() == "not_claimable"
    job.refresh_from_db()
    assert (job.state, job.attempts) == (TraceJob.State.DONE, 1)
    assert stored_rows() == rows


def test_a_live_lease_blocks_a_second_claim_and_an_expired_one_does_not(seed_paths):
    job = TraceJob.objects.create()
    first = services.trace_job_claim(job_id=job.pk)
    assert first is not None and first.state == TraceJob.State.RUNNING
    assert services.trace_job_claim(job_id=job.pk) is None
    TraceJob.objects.filter(pk=job.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    second = services.trace_job_claim(job_id=job.pk)
    assert second is not None and second.attempts == 2 and second.lease_token != first.lease_token
    # The first worker's lease is gone: it can no longer finish the job.
    services.trace_job_run(job=first)
    assert TraceJob.objects.get(pk=job.pk).state == TraceJob.State.RUNNING


def test_a_job_out_of_attempts_is_failed_instead_of_claimed(settings):
    settings.TRACE_JOB_MAX_ATTEMPTS = 3
    job = TraceJob.objects.create(attempts=3, error="OperationalError: server closed the connection")
    assert services.trace_job_claim(job_id=job.pk) is None
    job.refresh_from_db()
    assert job.state == TraceJob.State.FAILED
    assert "gave up after 3 attempts" in job.error and "server closed the connection" in job.error


def test_binary_content_ends_as_a_failed_job_with_its_error(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.trace_job_create(content=b"\x89PNG\r\n\x1a\n\x00\x00\x00binary")
    job.refresh_from_db()
    assert job.state == TraceJob.State.FAILED
    assert job.attempts == 1
    assert "binary content" in job.error
    assert Article.objects.count() == 0


def test_a_url_to_a_private_address_fails_once_and_is_not_retried(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.trace_job_create(url="http://10.0.0.1/story")
    job.refresh_from_db()
    assert job.state == TraceJob.State.FAILED
    assert job.attempts == 1
    assert "10.0.0.1, a private address" in job.error


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({}, "nothing to trace"),
        ({"url": "file:///etc/passwd"}, "only http and https"),
        ({"url": "gopher://news.example/"}, "only http and https"),
        ({"content": "   "}, "empty"),
        ({"url": "https://news.example/a", "content": "text"}, "not both"),
    ],
)
def test_requests_that_can_never_run_are_refused_at_once(kwargs, error):
    with pytest.raises((UrlRefused, IngestError, services.TraceJobInputError), match=error):
        services.trace_job_create(**kwargs)
    assert TraceJob.objects.count() == 0


def test_a_network_failure_is_retried_only_up_to_the_attempts_cap(settings, django_capture_on_commit_callbacks):
    with LocalPageServer() as server:
        url, allowance = server.url("/story"), server.allowance
    settings.FETCH_TEST_ALLOW_LOOPBACK = [allowance]
    settings.FETCH_DOMAIN_INTERVAL_S = 0
    settings.TRACE_JOB_MAX_ATTEMPTS = 3
    with django_capture_on_commit_callbacks(execute=True):
        job = services.trace_job_create(url=url)
    job.refresh_from_db()
    assert job.state == TraceJob.State.FAILED
    assert job.attempts == 3
    assert "gave up after 3 attempts" in job.error and "cannot fetch" in job.error
    assert TraceJobEvent.objects.filter(job=job, kind="retry").count() == 2


def test_a_failed_publish_leaves_a_queued_job_that_the_sweeper_sends_again(
    seed_paths, monkeypatch, settings, django_capture_on_commit_callbacks
):
    articles = ingest_all(seed_paths[:2])

    def broker_down(*args, **kwargs):
        raise KombuOperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(run_trace_job, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.trace_job_create(articles=articles)
    assert TraceJob.objects.get(pk=job.pk).state == TraceJob.State.QUEUED
    monkeypatch.undo()
    assert services.trace_jobs_rearm() == {"rearmed": 0, "failed": 0}  # not stale yet
    TraceJob.objects.filter(pk=job.pk).update(
        enqueued_at=timezone.now() - timedelta(seconds=settings.TRACE_JOB_QUEUED_STALE_S + 1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        counts = sweep_trace_jobs.apply().get()
    assert counts == {"rearmed": 1, "failed": 0}
    job.refresh_from_db()
    assert job.state == TraceJob.State.DONE


def test_the_sweeper_rearms_a_job_whose_worker_died_and_fails_one_out_of_attempts(
    seed_paths, settings, django_capture_on_commit_callbacks
):
    articles = ingest_all(seed_paths[:2])
    dead = TraceJob.objects.create(
        state=TraceJob.State.RUNNING, attempts=1, lease_expires_at=timezone.now() - timedelta(seconds=5)
    )
    dead.articles.set(articles)
    poison = TraceJob.objects.create(
        state=TraceJob.State.RUNNING,
        attempts=settings.TRACE_JOB_MAX_ATTEMPTS,
        lease_expires_at=timezone.now() - timedelta(seconds=5),
    )
    alive = TraceJob.objects.create(
        state=TraceJob.State.RUNNING, attempts=1, lease_expires_at=timezone.now() + timedelta(minutes=5)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.trace_jobs_rearm() == {"rearmed": 1, "failed": 1}
    states = dict(TraceJob.objects.values_list("pk", "state"))
    assert states == {dead.pk: "done", poison.pk: "failed", alive.pk: "running"}
    assert TraceJob.objects.get(pk=dead.pk).attempts == 2


def test_content_joins_the_stored_story_it_derives_from(seed_paths, django_capture_on_commit_callbacks):
    origin_path = next(p for p in seed_paths if p.name.startswith("001_"))
    derivative_path = next(p for p in seed_paths if p.name.startswith("000_"))
    others = [p for p in seed_paths if p != derivative_path]
    articles = ingest_all(others)
    services.articles_trace(articles=articles)
    origin = Article.objects.get(ingest_key=f"file:{origin_path.resolve()}")
    story = Story.objects.get(origin=origin)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.trace_job_create(content=derivative_path.read_bytes())
    job.refresh_from_db()
    assert job.state == TraceJob.State.DONE, job.error
    assert job.story_id == story.pk
    submitted = job.articles.get()
    membership = StoryMembership.objects.get(article=submitted)
    assert (membership.story_id, membership.role) == (story.pk, "derivative")
    assert ProvenanceLink.objects.filter(
        claim__version__article=submitted, origin_claim__version__article=origin
    ).exists()


def test_progress_reports_state_counts_and_timings(seed_paths, django_capture_on_commit_callbacks):
    articles = ingest_all(seed_paths[:2])
    with django_capture_on_commit_callbacks(execute=True):
        job = services.trace_job_create(articles=articles)
    progress = trace_job_progress(job)
    assert progress["state"] == "done" and progress["attempts"] == 1 and progress["error"] == ""
    assert progress["done"] == progress["total"] > 0
    assert progress["running_s"] >= 0 and progress["finished_at"] is not None


@pytest.mark.django_db(transaction=True)
def test_trace_async_prints_the_same_report_as_trace(seed_paths):
    paths = [str(p) for p in seed_paths]
    out_sync, out_async, err = io.StringIO(), io.StringIO(), io.StringIO()
    call_command("trace", *paths, json=True, stdout=out_sync)
    call_command("trace", *paths, json=True, run_async=True, timeout=30, stdout=out_async, stderr=err)
    assert json.loads(out_async.getvalue()) == json.loads(out_sync.getvalue())
    assert out_async.getvalue() == out_sync.getvalue()
    assert err.getvalue() == ""  # no terminal, no progress bars


@pytest.mark.django_db(transaction=True)
def test_trace_async_on_a_terminal_shows_the_job_s_sentences_traced_up_to_done(seed_paths):
    with PseudoTerminal() as terminal:
        call_command(
            "trace",
            *map(str, seed_paths),
            json=True,
            run_async=True,
            timeout=30,
            stdout=io.StringIO(),
            stderr=terminal.stream,
        )
    job = TraceJob.objects.get()
    assert bar_counts(terminal.text, "ingest")[-1] == "5/5"
    assert bar_counts(terminal.text, f"trace job {job.pk} done")[-1] == f"{job.sentences_total}/{job.sentences_total}"
    assert job.sentences_total > 0


def test_the_schedule_is_in_the_database_for_the_admin_to_edit():
    from django_celery_beat.models import PeriodicTask

    schedule = {t.task: t.interval.every for t in PeriodicTask.objects.filter(enabled=True).select_related("interval")}
    assert schedule["provenance.sweep_trace_jobs"] == services.TRACE_JOB_SWEEP_S == 15
    assert schedule["sources.reverify_due"] == 300


def test_tracing_one_new_article_finds_its_story_and_traces_it_with_the_others(
    seed_paths, django_capture_on_commit_callbacks
):
    from workbench.provenance.tasks import trace_article

    derivative_path = next(p for p in seed_paths if p.name.startswith("002_"))
    articles = ingest_all([p for p in seed_paths if p != derivative_path])
    services.articles_trace(articles=articles)
    newcomer = article_ingest_file(path=derivative_path).article
    with django_capture_on_commit_callbacks(execute=True):
        assert trace_article.apply(args=[newcomer.pk]).get() == "queued"
    job = TraceJob.objects.get()
    assert job.state == TraceJob.State.DONE
    membership = StoryMembership.objects.get(article=newcomer)
    assert membership.role == "derivative"
    assert set(job.articles.values_list("pk", flat=True)) >= {newcomer.pk, membership.story.origin_id}
