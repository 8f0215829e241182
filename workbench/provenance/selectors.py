"""Reading provenance: newest versions, and the trace report built from what is stored."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import timezone

from workbench.claims.models import Claim
from workbench.provenance.models import Divergence, ProvenanceLink, StoryMembership, TraceJob
from workbench.sources.models import Article, ArticleVersion


def latest_versions(articles: list[Article]) -> dict[int, ArticleVersion]:
    """Each article's newest version, keyed by article id. Articles without a version are absent."""
    latest: dict[int, ArticleVersion] = {}
    for version in ArticleVersion.objects.filter(article__in=articles).order_by("article_id", "number"):
        latest[version.article_id] = version
    return latest


def trace_report(*, articles: list[tuple[str, Article]]) -> dict:
    """The `trace --json` report for (path as given, article) pairs, read back from the stored trace.

    Shape: {"articles": [{"path", "headline", "role", "origin_path", "sentences": [...]}]}, one entry per pair, in
    the order given, every claim of the newest version in order.
    """
    article_list = [article for _, article in articles]
    versions = latest_versions(article_list)
    memberships = {
        m.article_id: m for m in StoryMembership.objects.filter(article__in=article_list).select_related("story")
    }
    path_of = {article.pk: path for path, article in articles}
    claims_by_version: dict[int, list[Claim]] = {}
    claims = (
        Claim.objects.filter(version__in=list(versions.values()))
        .order_by("version_id", "position")
        .prefetch_related(
            Prefetch("links", queryset=ProvenanceLink.objects.select_related("origin_claim").order_by("rank")),
            Prefetch("divergences", queryset=Divergence.objects.order_by("id")),
        )
    )
    for claim in claims:
        claims_by_version.setdefault(claim.version_id, []).append(claim)
    report = []
    for path, article in articles:
        membership = memberships.get(article.pk)
        version = versions.get(article.pk)
        origin_id = membership.story.origin_id if membership and membership.role == "derivative" else None
        report.append(
            {
                "path": path,
                "headline": article.headline,
                "role": membership.role if membership else "unrelated",
                "origin_path": path_of.get(origin_id) if origin_id else None,
                "sentences": [_sentence(claim) for claim in claims_by_version.get(version.pk if version else -1, [])],
            }
        )
    return {"articles": report}


def _sentence(claim: Claim) -> dict:
    links = list(claim.links.all())
    return {
        "text": claim.text,
        "label": claim.label,
        "origin_text": " ".join(link.origin_claim.text for link in links) or None,
        "score": round(claim.label_score or 0.0, 4),
        "attribution": claim.attribution or None,
        "flags": [
            {"type": d.type, "span": d.span, "origin_span": d.origin_span, "explanation": d.explanation}
            for d in claim.divergences.all()
        ],
    }


def trace_job_progress(job) -> dict:
    """A job's state for the admin, the API and the command line, read fresh from the database.

    Keys: id, state, attempts, done, total, error, created_at, enqueued_at, started_at, finished_at (ISO 8601 or
    None), queued_s / running_s (seconds spent waiting and running so far, or None), story (id or None).
    """
    job = TraceJob.objects.get(pk=job.pk if isinstance(job, TraceJob) else job)
    now = timezone.now()

    def iso(moment):
        return moment.isoformat() if moment else None

    queued_s = ((job.started_at or now) - job.created_at).total_seconds() if job.created_at else None
    running_s = ((job.finished_at or now) - job.started_at).total_seconds() if job.started_at else None
    return {
        "id": job.pk,
        "state": job.state,
        "attempts": job.attempts,
        "done": job.sentences_done,
        "total": job.sentences_total,
        "error": job.error,
        "created_at": iso(job.created_at),
        "enqueued_at": iso(job.enqueued_at),
        "started_at": iso(job.started_at),
        "finished_at": iso(job.finished_at),
        "queued_s": round(queued_s, 3) if queued_s is not None else None,
        "running_s": round(running_s, 3) if running_s is not None else None,
        "story": job.story_id,
    }


# Editors oversee the pipeline for everyone; anyone else sees the jobs they asked for (their errors may name URLs).
SEES_EVERY_JOB_PERMISSION = "review.approve_verdict"


def trace_jobs_visible(*, user, queryset=None):
    """The trace jobs ``user`` may see: every job for superusers and editors, otherwise those they requested."""
    queryset = TraceJob.objects.all() if queryset is None else queryset
    if user.is_superuser or user.has_perm(SEES_EVERY_JOB_PERMISSION):
        return queryset
    return queryset.filter(requested_by=user)
