"""Tracing: run the engine over stored articles and persist stories, labels, links and divergences."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from workbench.claims.models import Claim
from workbench.engine.trace import trace_articles
from workbench.engine.types import ArticleInput, ArticleTrace
from workbench.provenance.models import Divergence, ProvenanceLink, Story, StoryMembership
from workbench.provenance.selectors import latest_versions
from workbench.sources.models import Article


@dataclass(frozen=True)
class TraceOutcome:
    traces: list[ArticleTrace]
    stories: list[Story]
    claims_traced: int


def articles_trace(*, articles: list[Article], origin: Article | None = None, embedder=None) -> TraceOutcome:
    """Trace the articles' newest versions against each other and store the result.

    Idempotent: re-tracing the same versions replaces the stored links and divergences with equal ones. The engine runs
    outside any transaction; only the write holds locks, taken on the articles in primary-key order.
    """
    articles = sorted({article.pk: article for article in articles}.values(), key=lambda a: a.pk)
    versions = latest_versions(articles)
    inputs = [
        ArticleInput(
            key=str(article.pk),
            text=versions[article.pk].clean_text,
            headline=article.headline,
            byline=article.byline or None,
            published=article.published_at,
            outlet=article.outlet.name if article.outlet_id else None,
        )
        for article in articles
        if article.pk in versions
    ]
    traces = trace_articles(inputs, origin_key=str(origin.pk) if origin else None, embedder=embedder)
    with transaction.atomic():
        list(Article.objects.select_for_update().filter(pk__in=[a.pk for a in articles]).order_by("pk"))
        stories = _store_stories(traces)
        claims_traced = _store_claim_traces(traces, versions)
    return TraceOutcome(traces=traces, stories=stories, claims_traced=claims_traced)


def _store_stories(traces: list[ArticleTrace]) -> list[Story]:
    by_story: dict[int, list[ArticleTrace]] = defaultdict(list)
    for trace in traces:
        by_story[trace.story_index].append(trace)
    previous = set(StoryMembership.objects.filter(article_id__in=[int(t.key) for t in traces]).values_list("story_id", flat=True))
    stories = []
    for members in by_story.values():
        origin_key = next((t.origin_key for t in members if t.origin_key), None) or members[0].key
        origin = Article.objects.get(pk=int(origin_key))
        story, _ = Story.objects.get_or_create(origin=origin, defaults={"title": origin.headline[:500]})
        for trace in members:
            StoryMembership.objects.update_or_create(
                article_id=int(trace.key), defaults={"story": story, "role": trace.role}
            )
        stories.append(story)
    # A story whose articles have all moved to other stories no longer exists.
    Story.objects.filter(pk__in=previous - {s.pk for s in stories}, memberships__isnull=True).delete()
    return stories


def _store_claim_traces(traces: list[ArticleTrace], versions) -> int:
    key_to_version = {str(article_id): version for article_id, version in versions.items()}
    claims = {
        (claim.version_id, claim.start, claim.end): claim
        for claim in Claim.objects.filter(version__in=list(versions.values()))
    }
    origin_claims_by_key = {
        trace.key: [claims.get((key_to_version[trace.key].pk, s.start, s.end)) for s in trace.sentences]
        for trace in traces
    }
    now = timezone.now()
    traced: list[Claim] = []
    links: list[ProvenanceLink] = []
    divergences: list[Divergence] = []
    for trace in traces:
        version = key_to_version[trace.key]
        origin_claims = origin_claims_by_key.get(trace.origin_key or "", [])
        for sentence in trace.sentences:
            claim = claims.get((version.pk, sentence.start, sentence.end))
            if claim is None:
                continue
            claim.label, claim.label_score, claim.traced_at = sentence.label, sentence.score, now
            traced.append(claim)
            sources = [origin_claims[i] for i in sentence.origin_indices if i < len(origin_claims)]
            for rank, origin_claim in enumerate(c for c in sources if c is not None and c.pk != claim.pk):
                links.append(
                    ProvenanceLink(claim=claim, origin_claim=origin_claim, rank=rank, score=sentence.score, method=sentence.method)
                )
            for flag in sentence.flags:
                origin_index = flag.origin_sentence_index
                if origin_index is None and sentence.origin_indices:
                    origin_index = sentence.origin_indices[0]
                origin_claim = origin_claims[origin_index] if origin_index is not None and origin_index < len(origin_claims) else None
                has_origin_span = origin_claim is not None and flag.origin_start is not None and flag.origin_end is not None
                divergences.append(
                    Divergence(
                        claim=claim,
                        type=flag.type,
                        span_start=flag.span_start,
                        span_end=flag.span_end,
                        span=flag.span,
                        origin_claim=origin_claim if has_origin_span else None,
                        origin_start=flag.origin_start if has_origin_span else None,
                        origin_end=flag.origin_end if has_origin_span else None,
                        origin_span=flag.origin_span if has_origin_span else None,
                        explanation=flag.explanation[:500],
                    )
                )
    Claim.objects.bulk_update(traced, ["label", "label_score", "traced_at"], batch_size=500)
    traced_ids = [claim.pk for claim in traced]
    ProvenanceLink.objects.filter(claim_id__in=traced_ids).delete()
    Divergence.objects.filter(claim_id__in=traced_ids).delete()
    ProvenanceLink.objects.bulk_create(links, batch_size=500)
    link_for: dict[tuple[int, int | None], ProvenanceLink] = {}
    for link in links:
        link_for.setdefault((link.claim_id, link.origin_claim_id), link)
        link_for.setdefault((link.claim_id, None), link)
    for divergence in divergences:
        divergence.link = link_for.get((divergence.claim_id, divergence.origin_claim_id)) or link_for.get(
            (divergence.claim_id, None)
        )
    Divergence.objects.bulk_create(divergences, batch_size=500)
    return len(traced)
