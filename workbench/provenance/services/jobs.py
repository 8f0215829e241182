"""Trace jobs: the queued, leased, retried unit of tracing work that the API, the admin and the workers share."""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import connections, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from kombu.exceptions import OperationalError as KombuOperationalError

from workbench.claims.models import Claim
from workbench.core.cpu_limit import CpuTimeExceeded
from workbench.core.errors import IngestError
from workbench.core.fetch import FetchFailed, UrlRefused, check_url_syntax
from workbench.core.heartbeat import Heartbeat
from workbench.core.tasks import task_send
from workbench.engine.index import sign
from workbench.provenance.candidates import article_index, origin_for
from workbench.provenance.errors import StoriesKeptChanging, TraceJobInputError
from workbench.provenance.models import Story, StoryMembership, TraceJob, TraceJobEvent
from workbench.provenance.selectors import latest_versions
from workbench.provenance.services.tracing import TraceOutcome, articles_trace, story_detect
from workbench.sources.models import Article, ArticleVersion
from workbench.sources.services import article_ingest, article_ingest_url

logger = logging.getLogger(__name__)

RUN_TRACE_JOB = "provenance.run_trace_job"  # the task's stable name (workbench.provenance.tasks.run_trace_job)

# The job row is the truth; the broker message only rings the bell. A worker claims a job with a conditional UPDATE
# (queued, or running with an expired lease, and attempts left), so a duplicate delivery does nothing. While it runs
# the job, the worker renews the short lease every TRACE_JOB_HEARTBEAT_S (and records progress with it); the sweeper
# re-sends jobs whose message was lost, re-arms jobs whose heartbeat stopped (lease run out: the worker died) and
# fails jobs that ran out of attempts. The scheduler runs the sweeper every TRACE_JOB_SWEEP_S (the beat row is made
# by a migration; change the interval in the admin), so a dead worker's job is sent again at most
# TRACE_JOB_LEASE_S + TRACE_JOB_SWEEP_S after its last heartbeat.
TRACE_JOB_SWEEP_S = 15

# A job that ran out of CPU time would run out again: it fails at once, naming the limit.
PERMANENT_ERRORS = (IngestError, UrlRefused, FetchFailed, CpuTimeExceeded)
STORY_RECHECKS = 5
REARM_BATCH = 500


def _job_event(job_id: int, kind: str, *, by=None, **extra) -> None:
    TraceJobEvent.objects.create(job_id=job_id, kind=kind, by=by, extra=extra)


class TraceJobSuperseded(Exception):
    """The running attempt no longer holds its job (its heartbeat stopped long enough for the lease to be taken over,
    or the job was ended meanwhile): what it traced is discarded and it records nothing."""


def trace_job_send(*, job_id: int, countdown_s: float | None = None) -> None:
    """Publish the job's message (delivered after ``countdown_s``). A failed publish is only logged: the row is
    stored and the sweeper re-sends it."""
    try:
        task_send(RUN_TRACE_JOB, job_id, countdown_s=countdown_s)
    except (KombuOperationalError, ConnectionError, OSError) as exc:
        logger.warning("event=enqueue_failed job=%s error=%r (the sweeper will re-send it)", job_id, str(exc))


def trace_job_create(
    *,
    articles: list[Article] = (),
    url: str = "",
    content: str | bytes | None = None,
    origin: Article | None = None,
    requested_by=None,
    send: bool = True,
    upload_meta: dict | None = None,
) -> TraceJob:
    """Store a queued trace job and send it to the workers once the caller's transaction commits.

    Give stored ``articles`` (traced together, with ``origin`` if known), or one ``url`` / ``content`` to ingest
    first (its story is then found among the stored ones; ``upload_meta`` keeps the content's headline, outlet and
    publication time for the worker's ingest). Raises TraceJobInputError or UrlRefused (wrong scheme)
    at once for requests that can never run; content problems found later end the job as failed with the error.
    Runs in the caller's transaction (or its own); never sends before the row is committed. With ``send=False`` no
    message is sent: a worker that runs the job itself claims it like any other (and if it never does, the sweeper
    sends it once it has waited TRACE_JOB_QUEUED_STALE_S).
    """
    articles = list(articles or [])
    if url and content is not None:
        raise TraceJobInputError("give a URL or content to ingest, not both")
    if not articles and not url and content is None:
        raise TraceJobInputError("nothing to trace: give articles, a URL or content")
    if url:
        check_url_syntax(url)
    if isinstance(content, str):
        content = content.encode("utf-8")
    if content is not None:
        if not content.strip():
            raise IngestError("empty: no text in it")
        if len(content) > settings.INGEST_MAX_BYTES:
            raise IngestError(f"too large: {len(content):,} bytes, the limit is {settings.INGEST_MAX_BYTES:,}")
    if origin is not None and articles and origin.pk not in {a.pk for a in articles}:
        articles.append(origin)
    with transaction.atomic():
        job = TraceJob.objects.create(
            url=url,
            upload=content,
            upload_meta=upload_meta or {},
            origin=origin,
            requested_by=requested_by,
            enqueued_at=timezone.now(),
        )
        if articles:
            job.articles.add(*articles)
        _job_event(job.pk, "queued", by=requested_by, articles=sorted(a.pk for a in articles), url=url)
        if send:
            transaction.on_commit(partial(trace_job_send, job_id=job.pk))
    return job


def trace_job_claim(*, job_id: int) -> TraceJob | None:
    """Take the job for this worker, or None when it is not claimable (done, failed, held by a live lease, gone).

    One conditional UPDATE: concurrent or duplicate deliveries cannot both win. A job out of attempts is failed here.
    """
    now = timezone.now()
    claimable = Q(state=TraceJob.State.QUEUED) | Q(state=TraceJob.State.RUNNING, lease_expires_at__lt=now)
    token = uuid.uuid4().hex
    won = TraceJob.objects.filter(claimable, pk=job_id, attempts__lt=settings.TRACE_JOB_MAX_ATTEMPTS).update(
        state=TraceJob.State.RUNNING,
        attempts=F("attempts") + 1,
        lease_token=token,
        lease_expires_at=now + timedelta(seconds=settings.TRACE_JOB_LEASE_S),
        started_at=now,
        finished_at=None,
        sentences_done=0,
        updated_at=now,
    )
    if not won:
        _fail_exhausted(TraceJob.objects.filter(claimable, pk=job_id), now=now)
        return None
    job = TraceJob.objects.get(pk=job_id)
    # Which process holds the attempt: the operator's (and the soak benchmark's) way to tell what a kill interrupted.
    _job_event(job.pk, "claimed", attempt=job.attempts, worker=f"{socket.gethostname()}:{os.getpid()}")
    return job


def trace_job_heartbeat(*, job: TraceJob, sentences_done: int | None = None) -> bool:
    """Renew the claimed ``job``'s lease for TRACE_JOB_LEASE_S from now and record ``sentences_done`` (kept within
    the total). Conditional on the claim's lease token: False, and nothing written, when this attempt no longer holds
    the job (re-armed or taken over after its lease ran out, or ended). Idempotent; runs in its own statement."""
    now = timezone.now()
    fields = {"lease_expires_at": now + timedelta(seconds=settings.TRACE_JOB_LEASE_S), "updated_at": now}
    if sentences_done is not None:
        fields["sentences_done"] = Least(Value(sentences_done), F("sentences_total"))
    return bool(
        TraceJob.objects.filter(pk=job.pk, lease_token=job.lease_token, state=TraceJob.State.RUNNING).update(**fields)
    )


def _trace_job_held(job: TraceJob) -> bool:
    """Lock the job row and say whether this attempt still holds it. Called inside the transaction that stores the
    trace: a claim or re-arm by anyone else waits for that transaction, so a superseded attempt stores nothing."""
    return (
        TraceJob.objects.select_for_update()
        .filter(pk=job.pk, lease_token=job.lease_token, state=TraceJob.State.RUNNING)
        .exists()
    )


class _AttemptLease:
    """A running attempt's hold on its job: the sentences traced so far, and the heartbeat that renews the lease and
    records them. On a worker the heartbeat is a thread (it beats while a page is fetched or the engine is busy, and
    dies with the process); run in-process (``threaded=False``, eager Celery) it beats from the engine's progress."""

    def __init__(self, job: TraceJob, *, threaded: bool) -> None:
        self.job, self.done = job, 0
        self._beaten_at = time.monotonic()
        self._heartbeat = (
            Heartbeat(
                self._beat_on_thread,
                every_s=settings.TRACE_JOB_HEARTBEAT_S,
                name=f"trace-job-{job.pk}-heartbeat",
                on_exit=connections.close_all,  # the thread's own database connection
            )
            if threaded
            else None
        )

    def beat(self) -> bool:
        self._beaten_at = time.monotonic()
        return trace_job_heartbeat(job=self.job, sentences_done=self.done)

    def _beat_on_thread(self) -> bool:
        try:
            return self.beat()
        except Exception:
            # Django does not reopen a connection the server dropped: close it, and the next beat opens a new one.
            connections.close_all()
            raise

    def traced(self, sentences: int) -> None:
        """The engine's progress callback."""
        self.done += sentences
        if self._heartbeat is None and time.monotonic() - self._beaten_at >= settings.TRACE_JOB_HEARTBEAT_S:
            self.beat()

    def __enter__(self) -> _AttemptLease:
        if self._heartbeat is not None:
            self._heartbeat.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._heartbeat is not None:
            self._heartbeat.stop()


def _fail_exhausted(jobs, *, now) -> int:
    failed = 0
    for job in jobs.filter(attempts__gte=settings.TRACE_JOB_MAX_ATTEMPTS):
        last = f" Last error: {job.error}" if job.error else ""
        error = f"gave up after {job.attempts} attempts (the work kept failing or its worker kept dying).{last}"
        if jobs.filter(pk=job.pk, state=job.state, attempts=job.attempts).update(
            state=TraceJob.State.FAILED, error=error, finished_at=now, lease_expires_at=None, updated_at=now
        ):
            _job_event(job.pk, "failed", error=error)
            failed += 1
    return failed


SUPERSEDED = "superseded"  # a run's outcome, not a job state: the job belongs to a later attempt


@dataclass(frozen=True)
class TraceJobRun:
    state: str
    error: str = ""
    retry_in_s: float | None = None


def _upload_meta(job: TraceJob) -> dict:
    """article_ingest's metadata arguments from the job's stored upload metadata."""
    meta = job.upload_meta or {}
    published = parse_datetime(meta["published_at"]) if meta.get("published_at") else None
    return {"headline": meta.get("headline", ""), "outlet_name": meta.get("outlet", ""), "published_at": published}


def trace_job_run(*, job: TraceJob, retry_in_s: float = 10.0, fetch=None, heartbeat_thread: bool = True) -> TraceJobRun:
    """Do a claimed job's work: ingest its URL or content, find the story, trace, record the outcome.

    Idempotent (ingest by natural key, trace replaces what it stored). Bad input ends the job failed with its error;
    a transient failure puts it back in the queue (to be sent again after ``retry_in_s``) unless attempts are used up.
    While it runs, a heartbeat renews the lease and records progress (on a thread of its own unless
    ``heartbeat_thread`` is False). Every state write is conditional on this worker's lease token, and the trace is
    stored only if the attempt still holds the job when it commits: a superseded attempt ends with state
    "superseded" and stores nothing.
    """
    mine = TraceJob.objects.filter(pk=job.pk, lease_token=job.lease_token, state=TraceJob.State.RUNNING)
    with _AttemptLease(job, threaded=heartbeat_thread) as lease:
        return _trace_job_attempt(job=job, mine=mine, lease=lease, retry_in_s=retry_in_s, fetch=fetch)


def _trace_job_attempt(*, job: TraceJob, mine, lease: _AttemptLease, retry_in_s: float, fetch) -> TraceJobRun:
    try:
        articles = list(job.articles.select_related("outlet").order_by("pk"))
        origin = next((a for a in articles if a.pk == job.origin_id), None) or job.origin
        submitted = None
        if job.url:
            submitted = article_ingest_url(url=job.url, fetch=fetch).article
        elif job.upload is not None:
            submitted = article_ingest(
                content=bytes(job.upload), arrival=ArticleVersion.Arrival.UPLOAD, **_upload_meta(job)
            ).article
        if submitted is not None:
            job.articles.add(submitted)
            if not articles:
                story = (
                    Story.objects.filter(memberships__article=origin).first()
                    if origin
                    else story_detect(article=submitted)
                )
                if story is not None:
                    articles = list(Article.objects.filter(story_membership__story=story).order_by("pk"))
            articles = [*articles, submitted]
        if origin is not None:
            articles = [*articles, origin]
        articles = sorted({a.pk: a for a in articles}.values(), key=lambda a: a.pk)
        versions = latest_versions(articles)
        total = Claim.objects.filter(version__in=list(versions.values())).count()
        mine.update(sentences_total=total, sentences_done=0, updated_at=timezone.now())
        outcome = _job_articles_trace(articles=articles, origin=origin, versions=versions, job=job, lease=lease)
    except TraceJobSuperseded:
        logger.info("event=attempt_superseded job=%s attempt=%s (its trace was discarded)", job.pk, job.attempts)
        return TraceJobRun(state=SUPERSEDED)
    except PERMANENT_ERRORS as exc:
        now = timezone.now()
        if mine.update(
            state=TraceJob.State.FAILED, error=str(exc), finished_at=now, lease_expires_at=None, updated_at=now
        ):
            _job_event(job.pk, "failed", error=str(exc), permanent=True)
        return TraceJobRun(state=TraceJob.State.FAILED, error=str(exc))
    except Exception as exc:  # transient or unknown: retried, and the attempts cap ends a poison job
        now = timezone.now()
        error = f"{exc.__class__.__name__}: {exc}"[:2000]
        if job.attempts >= settings.TRACE_JOB_MAX_ATTEMPTS:
            message = f"gave up after {job.attempts} attempts. Last error: {error}"
            if mine.update(
                state=TraceJob.State.FAILED, error=message, finished_at=now, lease_expires_at=None, updated_at=now
            ):
                _job_event(job.pk, "failed", error=message)
            return TraceJobRun(state=TraceJob.State.FAILED, error=message)
        mine.update(
            state=TraceJob.State.QUEUED,
            error=error,
            lease_expires_at=None,
            lease_token="",
            enqueued_at=now + timedelta(seconds=retry_in_s),
            updated_at=now,
        )
        _job_event(job.pk, "retry", error=error, attempt=job.attempts, retry_in_s=round(retry_in_s, 1))
        return TraceJobRun(state=TraceJob.State.QUEUED, error=error, retry_in_s=retry_in_s)
    now = timezone.now()
    story = outcome.stories[0] if len(outcome.stories) == 1 else None
    if submitted is not None:
        story = Story.objects.filter(memberships__article=submitted).first() or story
    done = mine.update(
        state=TraceJob.State.DONE,
        error="",
        finished_at=now,
        lease_expires_at=None,
        updated_at=now,
        sentences_done=F("sentences_total"),
        story=story,
    )
    if done:
        _job_event(job.pk, "done", claims_traced=outcome.claims_traced)
    return TraceJobRun(state=TraceJob.State.DONE if done else job.state)


def _stored_story_origin(articles: list[Article]) -> Article | None:
    """The origin of the one stored story with derivatives that the articles belong to (as its origin or among its
    derivatives); None when they belong to no such story, or to several."""
    origins = set(
        Story.objects.filter(memberships__article__in=articles)
        .filter(memberships__role=StoryMembership.Role.DERIVATIVE)
        .values_list("origin_id", flat=True)
    )
    if len(origins) != 1:
        return None
    origin_id = origins.pop()
    return next((a for a in articles if a.pk == origin_id), None) or Article.objects.get(pk=origin_id)


def _job_articles_trace(
    *, articles: list[Article], origin: Article | None, versions: dict, job: TraceJob, lease: _AttemptLease
) -> TraceOutcome:
    """Trace a job's articles; a job that names no origin keeps the story already stored for them.

    Jobs sharing an article may end in any order (a job whose worker died runs again after its lease expires). An
    origin's own job, run after a derivative's job stored the story, would otherwise trace the origin alone and turn
    it back into an unrelated article with unsourced claims. So articles of a stored story are traced against its
    origin; the story is looked up before the engine runs and again under the write locks, and if another job
    stored one in between, the articles are traced again. Raises StoriesKeptChanging after STORY_RECHECKS tries, and
    TraceJobSuperseded when the attempt no longer holds ``job`` as it stores (nothing is stored then).
    """

    def held() -> bool:
        if not _trace_job_held(job):
            raise TraceJobSuperseded(f"job {job.pk} attempt {job.attempts} no longer holds its lease")
        return True

    if origin is not None:
        return articles_trace(
            articles=articles, origin=origin, versions=versions, still_current=held, on_traced=lease.traced
        )
    for _ in range(STORY_RECHECKS):
        lease.done = 0
        kept = _stored_story_origin(articles)
        if kept is None or kept.pk in versions:
            traced, known = articles, versions
        else:
            traced, known = [*articles, kept], None
        outcome = articles_trace(
            articles=traced,
            origin=kept,
            versions=known,
            still_current=lambda kept=kept: held() and _stored_story_origin(articles) == kept,
            on_traced=lease.traced,
        )
        if outcome is not None:
            return outcome
    raise StoriesKeptChanging(
        f"stories of articles {sorted(a.pk for a in articles)} changed during each of {STORY_RECHECKS} traces"
    )


def trace_jobs_rearm(*, now=None) -> dict[str, int]:
    """The sweeper: re-send jobs queued too long (lost message) or running past their lease (their heartbeat stopped:
    the worker died), and fail the ones out of attempts. A job whose heartbeat goes on is never touched, however long
    it runs. Idempotent and safe to run anywhere at any time; returns the counts."""
    now = now or timezone.now()
    lost = Q(state=TraceJob.State.QUEUED) & (
        Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - timedelta(seconds=settings.TRACE_JOB_QUEUED_STALE_S))
    )
    expired = Q(state=TraceJob.State.RUNNING, lease_expires_at__lt=now)
    stuck = TraceJob.objects.filter(lost | expired)
    failed = _fail_exhausted(stuck, now=now)
    rearmed = 0
    for job in list(stuck.filter(attempts__lt=settings.TRACE_JOB_MAX_ATTEMPTS).order_by("pk")[:REARM_BATCH]):
        with transaction.atomic():
            if TraceJob.objects.filter(lost | expired, pk=job.pk, state=job.state, attempts=job.attempts).update(
                state=TraceJob.State.QUEUED, lease_expires_at=None, lease_token="", enqueued_at=now, updated_at=now
            ):
                # silent_s: how long the job had gone without a heartbeat (or, queued, since it was sent).
                silent_s = round((now - job.updated_at).total_seconds(), 1)
                _job_event(job.pk, "rearmed", was=job.state, attempts=job.attempts, silent_s=silent_s)
                transaction.on_commit(partial(trace_job_send, job_id=job.pk))
                rearmed += 1
    return {"rearmed": rearmed, "failed": failed}


def trace_job_create_indexed(
    *, content: str | bytes, ingest_key: str = "", outlet_name: str = "", headline: str = "", send: bool = True
):
    """Ingest ``content``, put it in the shared index, find its origin there, and queue the pipeline's trace job for
    the article (with its origin when one was found). Returns the TraceJob; ``send=False`` leaves the job to the
    caller to run (see ``trace_job_create``). Idempotent for one ingest key: the version is not ingested or signed
    twice (a second call queues another, equally idempotent, trace)."""
    result = article_ingest(
        content=content,
        arrival=ArticleVersion.Arrival.UPLOAD,
        ingest_key=ingest_key,
        outlet_name=outlet_name,
        headline=headline,
    )
    signed = sign(result.version.clean_text)
    article_index(article=result.article, version=result.version, signed=signed)
    origin = origin_for(article=result.article, signed=signed)
    articles = [result.article] + ([origin] if origin is not None else [])
    return trace_job_create(articles=articles, origin=origin, send=send)
