"""Re-tracing: trace a story again when one of its articles changed, and carry its verdicts along.

How a verdict follows its claim: a verdict judges one claim of one version. When a story is traced again, each
verdict is compared on what it rested on: the claim's text, the origin sentences it was linked to, and its
divergences (type, span, origin span). If the verdict's article has a newer version, the verdict moves to the claim
of the newest version with the identical sentence text (the nearest by position, not already judged), together
with its assignment; if no such sentence exists the claim changed and the verdict stays on the old claim, stale.
Any difference marks the verdict stale with the reason, through review's verdicts_mark_stale (approved verdicts are
reopened). Before the re-trace the basis of every verdict is stored in a StoryRetrace row, so a crash between the
re-trace and the marking is finished by the next pass from that snapshot.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from workbench.provenance.models import Divergence, ProvenanceLink, Story, StoryRetrace
from workbench.provenance.selectors import latest_versions
from workbench.provenance.services.tracing import articles_trace
from workbench.review.models import Verdict
from workbench.review.services import verdicts_follow_sentences, verdicts_mark_stale
from workbench.sources.models import Article
from workbench.sources.services import article_refetch


def _verdict_bases(articles: list[Article]) -> dict[str, dict]:
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
    """Move verdicts on superseded versions to the identical sentence of the newest version (review's
    verdicts_follow_sentences). Returns the number moved and, for verdicts whose sentence is gone, the reason they
    are stale."""
    newest = latest_versions(articles)
    behind = list(
        Verdict.objects.filter(claim__version__article__in=articles)
        .exclude(claim__version__in=list(newest.values()))
        .order_by("pk")
    )
    return verdicts_follow_sentences(verdicts=behind, newest=newest)


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
    changed (see the module's note). Idempotent: a second run finds nothing changed. A pending run left by a crash is
    finished from its stored snapshot. Network-free; opens its own transactions.
    """
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
