"""The pre-publication check: a draft traced against the archive, with every flag, storing nothing.

A newsroom runs it before publishing a rewrite: the draft's claims get the labels and flags a published copy would
get, so an altered number or a dropped hedge is caught while it can still be fixed. Nothing is written: not the
draft, not its index postings, not a trace (a test counts every table's rows before and after).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workbench.core.extract import extract_article
from workbench.engine.corrections import corrections_apply, superseded_sentences
from workbench.engine.index import sign
from workbench.engine.report import article_report
from workbench.engine.trace import trace_against, trace_articles, trace_without_origin
from workbench.engine.types import ArticleInput, ArticleTrace, FlagType
from workbench.provenance.candidates import text_candidates
from workbench.provenance.models import StoryMembership
from workbench.provenance.selectors import latest_versions
from workbench.provenance.services.tracing import engine_input
from workbench.sources.models import Article

DRAFT_KEY = "draft"
# Archived stories tried as the draft's origin, best candidates first (as story_detect does for stored articles).
CHECK_ORIGIN_CANDIDATES = 3
HIGH_SEVERITY = 3


@dataclass(frozen=True)
class DraftCheck:
    """The check's answer: the trace report of the draft (and its origin) plus a summary of its flags."""

    origin: Article | None
    report: dict[str, Any]
    flag_counts: dict[str, int]
    high_severity_flags: int

    @property
    def blocking(self) -> bool:
        """Whether a CMS hook should hold the draft back: at least one high-severity flag."""
        return self.high_severity_flags > 0


def draft_check(*, content: str, headline: str = "", outlet: str = "", origin: Article | None = None) -> DraftCheck:
    """Trace the draft (text or HTML) against ``origin``, or against the archived story it repeats when no origin is
    given. Raises IngestError when the draft has no article body. Reads only; needs no transaction."""
    extracted = extract_article(content)
    draft = ArticleInput(
        key=DRAFT_KEY,
        text=extracted.text,
        headline=headline or extracted.headline,
        byline=extracted.byline or None,
        published=extracted.published,
        outlet=outlet or None,
    )
    origin_input = None
    if origin is not None:
        origin_input = _engine_input(origin)
    else:
        origin, origin_input = _archived_origin(draft)
    if origin_input is None:
        traces = [trace_without_origin(draft)]
        paths, headlines = {DRAFT_KEY: DRAFT_KEY}, {DRAFT_KEY: draft.headline}
    else:
        origin_trace, traced = trace_against(origin_input, [draft])
        traces = [_corrections_carry(traced, origin, origin_trace)]
        origin_label = origin.canonical_url or f"article {origin.pk}"
        paths = {DRAFT_KEY: DRAFT_KEY, origin_input.key: origin_label}
        headlines = {DRAFT_KEY: draft.headline}
    report = article_report(traces, paths, headlines)
    counts: dict[str, int] = {}
    high = 0
    for sentence in report["articles"][0]["sentences"]:
        for flag in sentence["flags"]:
            flag_type = FlagType(flag["type"])
            flag["severity"] = flag_type.severity
            counts[flag_type.value] = counts.get(flag_type.value, 0) + 1
            high += flag_type.severity >= HIGH_SEVERITY
    return DraftCheck(
        origin=origin if origin_input is not None else None,
        report=report,
        flag_counts=counts,
        high_severity_flags=high,
    )


def _corrections_carry(traced: ArticleTrace, origin: Article, origin_trace: ArticleTrace) -> ArticleTrace:
    """The draft's trace with `correction_not_carried` flags where it repeats wording the origin has since corrected
    (as a stored trace gets them)."""
    versions = list(origin.versions.order_by("number").values_list("clean_text", flat=True))
    if len(versions) < 2:
        return traced
    superseded = superseded_sentences(versions[:-1], versions[-1])
    return corrections_apply(traced, superseded, [s.text for s in origin_trace.sentences])


def _engine_input(article: Article) -> ArticleInput | None:
    version = latest_versions([article]).get(article.pk)
    return engine_input(article, version) if version is not None else None


def _archived_origin(draft: ArticleInput) -> tuple[Article | None, ArticleInput | None]:
    """The origin of the first archived story, among the index's best candidates, that the engine groups the draft
    with; (None, None) when the draft repeats no stored story. Reads the shared index; adds nothing to it."""
    ranked = [m.article_id for m in text_candidates(signed=sign(draft.text))]
    memberships = {
        m.article_id: m.story.origin
        for m in StoryMembership.objects.filter(article_id__in=ranked).select_related("story__origin__outlet")
    }
    articles = Article.objects.select_related("outlet").in_bulk(ranked)
    tried: list[int] = []
    for article_id in ranked:
        candidate = memberships.get(article_id) or articles.get(article_id)
        if candidate is None or candidate.pk in tried:
            continue
        tried.append(candidate.pk)
        if len(tried) > CHECK_ORIGIN_CANDIDATES:
            break
        candidate_input = _engine_input(candidate)
        if candidate_input is None:
            continue
        mine, theirs = trace_articles([draft, candidate_input])
        if mine.story_index == theirs.story_index:
            return candidate, candidate_input
    return None, None
