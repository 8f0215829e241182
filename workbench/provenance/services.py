"""Tracing: run the engine over stored articles and persist stories, labels, links and divergences."""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from workbench.claims.models import Claim
from workbench.core.bulk import rows_insert
from workbench.core.errors import IngestError, WorkbenchError
from workbench.core.fetch import FetchFailed, UrlRefused, check_url_syntax
from workbench.engine.index import SIGNATURE_VERSION, sign
from workbench.engine.trace import trace_articles
from workbench.engine.types import ArticleInput, ArticleTrace
from workbench.provenance.models import (
    CandidateDoc,
    Divergence,
    ProvenanceLink,
    Story,
    StoryMembership,
    StoryRetrace,
    TraceJob,
    TraceJobEvent,
)
from workbench.provenance.selectors import latest_versions
from workbench.sources.models import Article, ArticleVersion, Outlet
from workbench.sources.services import article_ingest, article_ingest_url, article_refetch

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TraceOutcome:
    traces: list[ArticleTrace]
    stories: list[Story]
    claims_traced: int


def articles_trace(
    *,
    articles: list[Article],
    origin: Article | None = None,
    embedder=None,
    versions: dict | None = None,
    still_current: Callable[[], bool] | None = None,
) -> TraceOutcome | None:
    """Trace the articles' newest versions against each other and store the result.

    Idempotent: re-tracing the same versions replaces the stored links and divergences with equal ones. The engine runs
    outside any transaction; only the write holds locks, taken on the articles in primary-key order. ``versions``:
    the articles' newest versions when the caller has already read them (``latest_versions``). ``still_current`` is
    asked once the locks are held: when it answers False (what the caller decided from has changed while the engine
    ran) nothing is stored and None is returned.
    """
    articles = sorted({article.pk: article for article in articles}.values(), key=lambda a: a.pk)
    versions = versions if versions is not None else latest_versions(articles)
    outlets = _outlet_name_by_id(articles)
    inputs = [
        ArticleInput(
            key=str(article.pk),
            text=versions[article.pk].clean_text,
            headline=article.headline,
            byline=article.byline or None,
            published=article.published_at,
            outlet=outlets.get(article.outlet_id),
            language=versions[article.pk].language or None,
        )
        for article in articles
        if article.pk in versions
    ]
    traces = trace_articles(inputs, origin_key=str(origin.pk) if origin else None, embedder=embedder)
    with transaction.atomic():
        list(
            Article.objects.select_for_update().filter(pk__in=[a.pk for a in articles]).order_by("pk").values_list("pk")
        )
        if still_current is not None and not still_current():
            return None
        stories = _store_stories(traces, {a.pk: a for a in articles})
        claims_traced = _store_claim_traces(traces, versions)
    _articles_index(articles, versions)
    return TraceOutcome(traces=traces, stories=stories, claims_traced=claims_traced)


def _articles_index(articles: list[Article], versions: dict[int, ArticleVersion]) -> None:
    """Every article stored in a story is in the shared candidate index, so ``story_detect`` can find its story."""
    from workbench.provenance.candidates import article_index

    indexed = set(
        CandidateDoc.objects.filter(article__in=articles, signature_version=SIGNATURE_VERSION).values_list(
            "article_id", "version_id"
        )
    )
    for article in articles:
        version = versions.get(article.pk)
        if version is not None and (article.pk, version.pk) not in indexed:
            article_index(article=article, version=version)


def _outlet_name_by_id(articles: list[Article]) -> dict[int, str]:
    """Outlet names by id, from the articles' cached outlets or one query for the rest."""
    names = {a.outlet_id: a.outlet.name for a in articles if a.outlet_id and Article.outlet.is_cached(a)}
    missing = {a.outlet_id for a in articles if a.outlet_id and a.outlet_id not in names}
    if missing:
        names.update(Outlet.objects.filter(pk__in=missing).values_list("pk", "name"))
    return names


def _store_stories(traces: list[ArticleTrace], articles: dict[int, Article]) -> list[Story]:
    """Stories and memberships for the traces; only memberships that changed are written."""
    by_story: dict[int, list[ArticleTrace]] = defaultdict(list)
    for trace in traces:
        by_story[trace.story_index].append(trace)
    existing = {m.article_id: m for m in StoryMembership.objects.filter(article_id__in=[int(t.key) for t in traces])}
    previous = {m.story_id for m in existing.values()}
    stories = []
    created: list[StoryMembership] = []
    for members in by_story.values():
        origin_key = next((t.origin_key for t in members if t.origin_key), None) or members[0].key
        origin = articles.get(int(origin_key)) or Article.objects.get(pk=int(origin_key))
        story, _ = Story.objects.get_or_create(origin=origin, defaults={"title": origin.headline[:500]})
        for trace in members:
            membership = existing.get(int(trace.key))
            if membership is None:
                created.append(StoryMembership(article_id=int(trace.key), story=story, role=trace.role))
            elif (membership.story_id, membership.role) != (story.pk, trace.role):
                membership.story, membership.role = story, trace.role
                membership.save(update_fields=["story", "role", "updated_at"])
        stories.append(story)
    StoryMembership.objects.bulk_create(created)
    # A story whose articles have all moved to other stories no longer exists.
    gone = previous - {s.pk for s in stories}
    if gone:
        Story.objects.filter(pk__in=gone, memberships__isnull=True).delete()
    return stories


def _store_claim_traces(traces: list[ArticleTrace], versions) -> int:
    key_to_version = {str(article_id): version for article_id, version in versions.items()}
    claims = {
        (version_id, start, end): pk
        for pk, version_id, start, end in Claim.objects.filter(version__in=list(versions.values())).values_list(
            "pk", "version_id", "start", "end"
        )
    }
    origin_claims_by_key = {
        trace.key: [claims.get((key_to_version[trace.key].pk, s.start, s.end)) for s in trace.sentences]
        for trace in traces
    }
    now = timezone.now()
    traced: list[tuple[int, str, float]] = []
    links: list[tuple] = []
    divergences: list[list] = []
    for trace in traces:
        version = key_to_version[trace.key]
        origin_claims = origin_claims_by_key.get(trace.origin_key or "", [])
        for sentence in trace.sentences:
            claim = claims.get((version.pk, sentence.start, sentence.end))
            if claim is None:
                continue
            traced.append((claim, sentence.label, sentence.score))
            sources = [origin_claims[i] for i in sentence.origin_indices if i < len(origin_claims)]
            for rank, origin_claim in enumerate(c for c in sources if c is not None and c != claim):
                links.append((claim, origin_claim, rank, sentence.score, sentence.method, now))
            for flag in sentence.flags:
                origin_index = flag.origin_sentence_index
                if origin_index is None and sentence.origin_indices:
                    origin_index = sentence.origin_indices[0]
                origin_claim = (
                    origin_claims[origin_index]
                    if origin_index is not None and origin_index < len(origin_claims)
                    else None
                )
                has_origin_span = (
                    origin_claim is not None and flag.origin_start is not None and flag.origin_end is not None
                )
                divergences.append(
                    [
                        claim,
                        None,  # the link, known once the links are stored
                        flag.type,
                        flag.span_start,
                        flag.span_end,
                        flag.span,
                        origin_claim if has_origin_span else None,
                        flag.origin_start if has_origin_span else None,
                        flag.origin_end if has_origin_span else None,
                        flag.origin_span if has_origin_span else None,
                        flag.explanation[:500],
                        now,
                    ]
                )
    _claims_label(traced, now=now)
    traced_ids = [pk for pk, _, _ in traced]
    # Divergences first: then no divergence points at a link being deleted.
    Divergence.objects.filter(claim_id__in=traced_ids).delete()
    ProvenanceLink.objects.filter(claim_id__in=traced_ids).delete()
    stored = rows_insert(
        ProvenanceLink,
        ["claim_id", "origin_claim_id", "rank", "score", "method", "created_at"],
        links,
        returning=["id", "claim_id", "origin_claim_id"],
    )
    link_for: dict[tuple[int, int | None], int] = {}
    for link_id, claim_id, origin_claim_id in stored:
        link_for.setdefault((claim_id, origin_claim_id), link_id)
        link_for.setdefault((claim_id, None), link_id)
    for divergence in divergences:
        divergence[1] = link_for.get((divergence[0], divergence[6])) or link_for.get((divergence[0], None))
    rows_insert(
        Divergence,
        [
            "claim_id",
            "link_id",
            "type",
            "span_start",
            "span_end",
            "span",
            "origin_claim_id",
            "origin_start",
            "origin_end",
            "origin_span",
            "explanation",
            "created_at",
        ],
        [tuple(d) for d in divergences],
    )
    return len(traced)


def _claims_label(labels: list[tuple[int, str, float]], *, now) -> None:
    """Store (claim id, engine label, score) for each traced claim. On PostgreSQL one UPDATE joins the new values as
    arrays: ``bulk_update`` builds a CASE expression per row and field, which costs more than the tracing itself."""
    if not labels:
        return
    if connection.vendor != "postgresql":
        claims = [Claim(pk=pk, label=label, label_score=score, traced_at=now) for pk, label, score in labels]
        Claim.objects.bulk_update(claims, ["label", "label_score", "traced_at"], batch_size=500)
        return
    ids, names, scores = zip(*labels, strict=True)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Claim._meta.db_table} AS c SET label = v.label, label_score = v.score, traced_at = %s "
            "FROM unnest(%s::bigint[], %s::text[], %s::float8[]) AS v(id, label, score) WHERE c.id = v.id",
            [now, list(ids), list(names), list(scores)],
        )


# ------------------------------------------------------------------------------------------------ trace jobs
# The job row is the truth; the broker message only rings the bell. A worker claims a job with a conditional UPDATE
# (queued, or running with an expired lease, and attempts left), so a duplicate delivery does nothing; the sweeper
# re-sends jobs whose message was lost and fails jobs that ran out of attempts.

PERMANENT_ERRORS = (IngestError, UrlRefused, FetchFailed)
STORY_DETECT_CANDIDATES = 3
STORY_RECHECKS = 5
REARM_BATCH = 500


class TraceJobInputError(WorkbenchError, ValueError):
    """The request cannot become a trace job: nothing to trace, or more than one thing to ingest."""


class StoriesKeptChanging(WorkbenchError):
    """Other jobs kept storing stories for a job's articles while it traced them; the job is retried later."""


def _job_event(job_id: int, kind: str, *, by=None, **extra) -> None:
    TraceJobEvent.objects.create(job_id=job_id, kind=kind, by=by, extra=extra)


def trace_job_send(*, job_id: int, countdown_s: float | None = None) -> None:
    """Publish the job's message (delivered after ``countdown_s``). A failed publish is only logged: the row is
    stored and the sweeper re-sends it."""
    from workbench.provenance.tasks import run_trace_job

    try:
        if countdown_s is None:
            run_trace_job.delay(job_id)
        else:
            run_trace_job.apply_async(args=[job_id], countdown=countdown_s)
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
) -> TraceJob:
    """Store a queued trace job and send it to the workers once the caller's transaction commits.

    Give stored ``articles`` (traced together, with ``origin`` if known), or one ``url`` / ``content`` to ingest
    first (its story is then found among the stored ones). Raises TraceJobInputError or UrlRefused (wrong scheme)
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
            url=url, upload=content, origin=origin, requested_by=requested_by, enqueued_at=timezone.now()
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
    _job_event(job.pk, "claimed", attempt=job.attempts)
    return job


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


@dataclass(frozen=True)
class TraceJobRun:
    state: str
    error: str = ""
    retry_in_s: float | None = None


def trace_job_run(*, job: TraceJob, retry_in_s: float = 10.0, fetch=None) -> TraceJobRun:
    """Do a claimed job's work: ingest its URL or content, find the story, trace, record the outcome.

    Idempotent (ingest by natural key, trace replaces what it stored). Bad input ends the job failed with its error;
    a transient failure puts it back in the queue (to be sent again after ``retry_in_s``) unless attempts are used up.
    Every state write is conditional on this worker's lease token.
    """
    mine = TraceJob.objects.filter(pk=job.pk, lease_token=job.lease_token, state=TraceJob.State.RUNNING)
    try:
        articles = list(job.articles.select_related("outlet").order_by("pk"))
        origin = next((a for a in articles if a.pk == job.origin_id), None) or job.origin
        submitted = None
        if job.url:
            submitted = article_ingest_url(url=job.url, fetch=fetch).article
        elif job.upload is not None:
            submitted = article_ingest(content=bytes(job.upload), arrival=ArticleVersion.Arrival.UPLOAD).article
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
        outcome = _job_articles_trace(articles=articles, origin=origin, versions=versions)
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


def _job_articles_trace(*, articles: list[Article], origin: Article | None, versions: dict) -> TraceOutcome:
    """Trace a job's articles; a job that names no origin keeps the story already stored for them.

    Jobs sharing an article may end in any order (a job whose worker died runs again after its lease expires). An
    origin's own job, run after a derivative's job stored the story, would otherwise trace the origin alone and turn
    it back into an unrelated article with unsourced claims. So articles of a stored story are traced against its
    origin; the story is looked up before the engine runs and again under the write locks, and if another job
    stored one in between, the articles are traced again. Raises StoriesKeptChanging after STORY_RECHECKS tries.
    """
    if origin is not None:
        return articles_trace(articles=articles, origin=origin, versions=versions)
    for _ in range(STORY_RECHECKS):
        kept = _stored_story_origin(articles)
        if kept is None or kept.pk in versions:
            traced, known = articles, versions
        else:
            traced, known = [*articles, kept], None
        outcome = articles_trace(
            articles=traced,
            origin=kept,
            versions=known,
            still_current=lambda kept=kept: _stored_story_origin(articles) == kept,
        )
        if outcome is not None:
            return outcome
    raise StoriesKeptChanging(
        f"stories of articles {sorted(a.pk for a in articles)} changed during each of {STORY_RECHECKS} traces"
    )


def trace_jobs_rearm(*, now=None) -> dict[str, int]:
    """The sweeper: re-send jobs queued too long (lost message) or running past their lease (dead worker), and fail
    the ones out of attempts. Idempotent and safe to run anywhere at any time; returns the counts."""
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
                _job_event(job.pk, "rearmed", was=job.state, attempts=job.attempts)
                transaction.on_commit(partial(trace_job_send, job_id=job.pk))
                rearmed += 1
    return {"rearmed": rearmed, "failed": failed}


def story_detect(*, article: Article) -> Story | None:
    """The stored story the article belongs to, or None when it starts a story of its own.

    The shared candidate index proposes stories: those of the archived articles sharing the most sentence bands,
    then rare names and numbers, with the article (``candidates.text_candidates``; the article is indexed first, and
    every article a trace stored in a story is in the index). The engine decides, trying at most
    STORY_DETECT_CANDIDATES stories in that order: the first whose origin falls in one story with the article when the
    two are traced together (as ``trace_articles`` groups them). Stores nothing but the article's index postings.
    """
    from workbench.provenance.candidates import article_index, text_candidates

    versions = latest_versions([article])
    version = versions.get(article.pk)
    if version is None:
        return None
    signed = sign(version.clean_text)
    article_index(article=article, version=version, signed=signed)
    ranked = [m.article_id for m in text_candidates(signed=signed, exclude=[article.pk])]
    story_of = {
        m.article_id: m.story
        for m in StoryMembership.objects.filter(article_id__in=ranked).select_related("story__origin__outlet")
    }
    stories: list[Story] = []
    for article_id in ranked:
        story = story_of.get(article_id)
        if story is not None and story.origin_id != article.pk and story not in stories:
            stories.append(story)
    mine = _engine_input(article, version)
    for story in stories[:STORY_DETECT_CANDIDATES]:
        origin_version = latest_versions([story.origin]).get(story.origin_id)
        if origin_version is None:
            continue
        traced, theirs = trace_articles([mine, _engine_input(story.origin, origin_version)])
        if traced.story_index == theirs.story_index:
            return story
    return None


def _engine_input(article: Article, version) -> ArticleInput:
    return ArticleInput(
        key=str(article.pk),
        text=version.clean_text,
        headline=article.headline,
        byline=article.byline or None,
        published=article.published_at,
        outlet=article.outlet.name if article.outlet_id else None,
        language=version.language or None,
    )


# -------------------------------------------------------------------------------------------- re-verification
# How a verdict follows its claim: a verdict judges one claim of one version. When a story is traced again, each
# verdict is compared on what it rested on: the claim's text, the origin sentences it was linked to, and its
# divergences (type, span, origin span). If the verdict's article has a newer version, the verdict moves to the claim
# of the newest version with the identical sentence text (the nearest by position, not already judged), together
# with its assignment; if no such sentence exists the claim changed and the verdict stays on the old claim, stale.
# Any difference marks the verdict stale with the reason, through review's verdicts_mark_stale (approved verdicts are
# reopened). Before the re-trace the basis of every verdict is stored in a StoryRetrace row, so a crash between the
# re-trace and the marking is finished by the next pass from that snapshot.


def _verdict_bases(articles: list[Article]) -> dict[str, dict]:
    from workbench.review.models import Verdict

    verdicts = Verdict.objects.filter(claim__version__article__in=articles).select_related("claim__version")
    claim_ids = [v.claim_id for v in verdicts]
    origins: dict[int, list[str]] = defaultdict(list)
    origin_versions: dict[int, list[int]] = defaultdict(list)
    for claim_id, text, version_id in (
        ProvenanceLink.objects.filter(claim_id__in=claim_ids)
        .order_by("claim_id", "rank")
        .values_list("claim_id", "origin_claim__text", "origin_claim__version_id")
    ):
        origins[claim_id].append(text)
        origin_versions[claim_id].append(version_id)
    divergences: dict[int, list[list]] = defaultdict(list)
    for claim_id, kind, span, origin_span in (
        Divergence.objects.filter(claim_id__in=claim_ids)
        .order_by("claim_id", "span_start", "type", "id")
        .values_list("claim_id", "type", "span", "origin_span")
    ):
        divergences[claim_id].append([kind, span, origin_span])
    return {
        str(v.pk): {
            "claim": v.claim_id,
            "version": v.claim.version_id,
            "version_number": v.claim.version.number,
            "article": v.claim.version.article_id,
            "position": v.claim.position,
            "text": v.claim.text,
            "origins": origins.get(v.claim_id, []),
            "origin_versions": origin_versions.get(v.claim_id, []),
            "divergences": sorted(divergences.get(v.claim_id, []), key=lambda d: [str(x) for x in d]),
        }
        for v in verdicts
    }


def _verdicts_follow_claims(articles: list[Article]) -> tuple[int, dict[int, str]]:
    """Move verdicts on superseded versions to the identical sentence of the newest version. Returns the number
    moved and, for verdicts whose sentence is gone, the reason they are stale."""
    from workbench.review.models import ClaimAssignment, Verdict

    newest = latest_versions(articles)
    behind = list(
        Verdict.objects.filter(claim__version__article__in=articles)
        .exclude(claim__version__in=list(newest.values()))
        .select_related("claim__version")
        .order_by("pk")
    )
    moved, gone = 0, {}
    if not behind:
        return moved, gone
    with transaction.atomic():
        targets = Claim.objects.filter(
            version__in=[newest[v.claim.version.article_id] for v in behind if v.claim.version.article_id in newest]
        )
        free: dict[tuple[int, str], list[Claim]] = defaultdict(list)
        for claim in targets.filter(verdict__isnull=True).order_by("pk"):
            free[(claim.version_id, claim.text)].append(claim)
        lock_ids = sorted({v.claim_id for v in behind} | {c.pk for cs in free.values() for c in cs})
        list(Claim.objects.select_for_update().filter(pk__in=lock_ids).order_by("pk"))
        for verdict in (
            Verdict.objects.select_for_update()
            .filter(pk__in=[v.pk for v in behind])
            .select_related("claim__version")
            .order_by("pk")
        ):
            version = newest.get(verdict.claim.version.article_id)
            if version is None or verdict.claim.version_id == version.pk:
                continue
            choices = free.get((version.pk, verdict.claim.text), [])
            if not choices:
                gone[verdict.pk] = (
                    f"claim changed: the sentence is no longer in version {version.number} of the article"
                )
                continue
            target = min(choices, key=lambda c: abs(c.position - verdict.claim.position))
            choices.remove(target)
            if not ClaimAssignment.objects.filter(claim_id=target.pk).exists():
                ClaimAssignment.objects.filter(claim_id=verdict.claim_id).update(claim_id=target.pk)
            verdict.claim = target
            verdict.revision += 1
            verdict._change_reason = f"followed its sentence to version {version.number}"
            verdict.save(update_fields=["claim", "revision", "updated_at"])
            moved += 1
    return moved, gone


def _quote(text: str, limit: int = 120) -> str:
    return f"“{text if len(text) <= limit else text[: limit - 1] + '…'}”"


def _stale_reason(before: dict, after: dict | None, *, origin_changed: bool) -> str:
    if after is None:
        return ""
    reasons = []
    if before["text"] != after["text"]:
        reasons.append("claim changed")
    if before["origins"] != after["origins"]:
        was = " ".join(before["origins"]) or "none"
        now = " ".join(after["origins"]) or "none"
        prefix = "origin corrected" if origin_changed else "origin sentence changed"
        reasons.append(f"{prefix}: {_quote(was)} is now {_quote(now)}")
    if before["divergences"] != after["divergences"]:
        old = {tuple(d) for d in map(tuple, before["divergences"])}
        new = {tuple(d) for d in map(tuple, after["divergences"])}
        parts = [f"+{d[0]} {_quote(d[1], 60)}" for d in sorted(new - old, key=str)]
        parts += [f"-{d[0]} {_quote(d[1], 60)}" for d in sorted(old - new, key=str)]
        reasons.append("divergences changed: " + ", ".join(parts))
    return "; ".join(reasons)


@dataclass(frozen=True)
class RetraceOutcome:
    retrace: StoryRetrace
    claims_traced: int
    verdicts_moved: int
    verdicts_marked_stale: int


def story_retrace(*, story: Story, trigger: str, embedder=None) -> RetraceOutcome:
    """Trace a story's articles again and mark stale every verdict whose claim, origin sentences or divergences
    changed (see the note above). Idempotent: a second run finds nothing changed. A pending run left by a crash is
    finished from its stored snapshot. Network-free; opens its own transactions.
    """
    from workbench.review.services import verdicts_mark_stale

    articles = list(Article.objects.filter(story_membership__story=story).select_related("outlet").order_by("pk"))
    with transaction.atomic():
        Story.objects.select_for_update().filter(pk=story.pk).first()
        run = StoryRetrace.objects.filter(story=story, state=StoryRetrace.State.PENDING).first()
        if run is None:
            run = StoryRetrace.objects.create(
                story=story,
                trigger=trigger[:500],
                snapshot={"bases": _verdict_bases(articles)},
            )
    traced = articles_trace(articles=articles, origin=story.origin, embedder=embedder)
    moved, gone = _verdicts_follow_claims(articles)
    after = _verdict_bases(articles)
    # Links that pointed into an older version of the story's origin: that origin has since published a correction.
    newest_origin = latest_versions([story.origin]).get(story.origin_id)
    by_reason: dict[str, list[int]] = defaultdict(list)
    for verdict_id, before in run.snapshot.get("bases", {}).items():
        origin_changed = newest_origin is not None and any(
            version_id != newest_origin.pk for version_id in before.get("origin_versions", [])
        )
        reason = gone.get(int(verdict_id)) or _stale_reason(
            before, after.get(verdict_id), origin_changed=origin_changed
        )
        if reason:
            by_reason[reason].append(int(verdict_id))
    from workbench.review.models import Verdict

    marked = 0
    for reason, ids in sorted(by_reason.items()):
        marked += verdicts_mark_stale(verdicts=list(Verdict.objects.filter(pk__in=ids)), reason=reason)
    StoryRetrace.objects.filter(pk=run.pk, state=StoryRetrace.State.PENDING).update(
        state=StoryRetrace.State.DONE, finished_at=timezone.now(), verdicts_moved=moved, verdicts_marked_stale=marked
    )
    run.refresh_from_db()
    return RetraceOutcome(
        retrace=run, claims_traced=traced.claims_traced, verdicts_moved=moved, verdicts_marked_stale=marked
    )


@dataclass(frozen=True)
class ReverifyOutcome:
    article: Article
    changed: bool
    error: str = ""
    retrace: RetraceOutcome | None = None


def article_reverify(*, article: Article, fetch=None) -> ReverifyOutcome:
    """Fetch a tracked article again; if its text changed (or a change was stored but never traced), trace its story
    again and mark the affected verdicts stale. Idempotent. Raises FetchUnavailable (transient) for retry."""
    refetched = article_refetch(article=article, fetch=fetch)
    if refetched.error:
        return ReverifyOutcome(article=article, changed=False, error=refetched.error)
    newest = latest_versions([article]).get(article.pk)
    untraced = newest is not None and newest.claims.filter(traced_at__isnull=True).exists()
    story = Story.objects.filter(memberships__article=article).first()
    pending = story is not None and story.retraces.filter(state=StoryRetrace.State.PENDING).exists()
    if story is None or not (refetched.changed or untraced or pending):
        return ReverifyOutcome(article=article, changed=refetched.changed)
    number = newest.number if newest else 0
    retrace = story_retrace(story=story, trigger=f"{article} changed (version {number})")
    return ReverifyOutcome(article=article, changed=refetched.changed, retrace=retrace)


def stories_with_pending_retrace() -> list[Story]:
    """Stories whose last re-trace did not finish (its worker died); the re-verification pass completes them."""
    return list(Story.objects.filter(retraces__state=StoryRetrace.State.PENDING).distinct().order_by("pk"))
