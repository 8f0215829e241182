"""Read queries for the review workflow: the queue, one claim's review page, a story's overview, exports.

Each function issues a fixed number of queries whatever the number of claims.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from workbench.claims.models import Claim
from workbench.engine.types import FlagType
from workbench.provenance.models import Divergence, ProvenanceLink, Story, StoryMembership
from workbench.provenance.selectors import latest_versions
from workbench.review.models import ReviewEvent, Verdict
from workbench.sources.models import Article, ArticleVersion

# How much a divergence type changes what a reader takes away: 3 high, 2 medium, 1 low.
DIVERGENCE_SEVERITY: dict[str, int] = {t.value: t.severity for t in FlagType}
SEVERITY_NAMES = {3: "high", 2: "medium", 1: "low", 0: ""}

# Engine labels a human should look at; origin and boilerplate sentences are not claims to review.
QUEUE_CLAIM_LABELS = ("altered", "unsourced", "other_source", "contradicted", "supported")


QUEUE_ORDERING = ("priority", "-max_severity", "-divergence_count", "version__article_id", "position")


class ReviewState:
    """The queue's state column: the verdict's state, `stale` above all, `unreviewed` when there is none."""

    STALE = "stale"
    UNREVIEWED = "unreviewed"
    CHOICES = [
        (STALE, "Stale"),
        (UNREVIEWED, "Unreviewed"),
        (Verdict.State.DRAFT, "Draft"),
        (Verdict.State.SUBMITTED, "Submitted"),
        (Verdict.State.RETURNED, "Returned"),
        (Verdict.State.APPROVED, "Approved"),
    ]


def _severity_case(field_name: str = "type") -> Case:
    return Case(
        *[When(**{field_name: kind}, then=Value(level)) for kind, level in DIVERGENCE_SEVERITY.items()],
        default=Value(1),
        output_field=IntegerField(),
    )


def review_queue(queryset: QuerySet[Claim] | None = None) -> QuerySet[Claim]:
    """Claims that need a human, most urgent first.

    Order: stale verdicts; then claims with flagged divergences, highest severity first; then unsourced, then
    other-source claims; then other open claims (altered or contradicted without flags, supported); approved last.
    Annotations: review_state, max_severity, divergence_count, priority.
    """
    divergences = Divergence.objects.filter(claim=OuterRef("pk")).order_by()
    max_severity = divergences.annotate(level=_severity_case()).order_by("-level").values("level")[:1]
    divergence_count = divergences.values("claim").annotate(n=Count("pk")).values("n")
    return (
        (queryset if queryset is not None else Claim.objects.all())
        .filter(Q(label__in=QUEUE_CLAIM_LABELS) | Q(verdict__isnull=False))
        .select_related(
            "version__article__outlet",
            "verdict__reviewer",
            "assignment__assignee",
            "version__article__story_membership__story",
        )
        .annotate(
            max_severity=Coalesce(Subquery(max_severity, output_field=IntegerField()), Value(0)),
            divergence_count=Coalesce(Subquery(divergence_count, output_field=IntegerField()), Value(0)),
            review_state=Case(
                When(verdict__is_stale=True, then=Value(ReviewState.STALE)),
                When(verdict__isnull=True, then=Value(ReviewState.UNREVIEWED)),
                default=F("verdict__state"),
                output_field=CharField(),
            ),
            priority=Case(
                When(verdict__is_stale=True, then=Value(0)),
                When(verdict__state=Verdict.State.APPROVED, then=Value(9)),
                When(max_severity__gte=3, then=Value(1)),
                When(max_severity=2, then=Value(2)),
                When(max_severity=1, then=Value(3)),
                When(label="unsourced", then=Value(4)),
                When(label="other_source", then=Value(5)),
                When(label__in=["contradicted", "altered"], then=Value(6)),
                default=Value(7),
                output_field=IntegerField(),
            ),
        )
        .order_by(*QUEUE_ORDERING)
    )


def review_queue_filter_divergence_type(queryset: QuerySet[Claim], divergence_type: str) -> QuerySet[Claim]:
    return queryset.filter(Exists(Divergence.objects.filter(claim=OuterRef("pk"), type=divergence_type)))


def review_state_counts(queryset: QuerySet[Claim]) -> dict[str, int]:
    """{review_state: count} for a review_queue() queryset, every state present (zero when none). One query."""
    rows = queryset.order_by().values("review_state").annotate(n=Count("pk"))
    counts = {key: 0 for key, _ in ReviewState.CHOICES}
    for row in rows:
        counts[row["review_state"]] = row["n"]
    return counts


# ------------------------------------------------------------------------------------------------ claim review page


@dataclass
class ClaimReviewContext:
    claim: Claim
    verdict: Verdict | None
    links: list[ProvenanceLink]
    divergences: list[Divergence]
    before: Claim | None
    after: Claim | None
    origin_context: dict[int, tuple[Claim | None, Claim | None]] = field(default_factory=dict)
    events: list[ReviewEvent] = field(default_factory=list)
    story: Story | None = None


def claim_review_context(*, claim_id: int) -> ClaimReviewContext:
    """Everything the claim review page shows, in six queries. Raises Claim.DoesNotExist."""
    claim = (
        Claim.objects.select_related(
            "version__article__outlet",
            "verdict__reviewer",
            "verdict__approver",
            "assignment__assignee",
            "version__article__story_membership__story",
        )
        .prefetch_related(
            Prefetch(
                "links",
                queryset=ProvenanceLink.objects.select_related("origin_claim__version__article__outlet").order_by(
                    "rank"
                ),
            ),
            Prefetch("divergences", queryset=Divergence.objects.order_by("span_start", "id")),
        )
        .get(pk=claim_id)
    )
    links = list(claim.links.all())
    wanted = Q(version_id=claim.version_id, position__in=[claim.position - 1, claim.position + 1])
    for link in links:
        origin = link.origin_claim
        wanted |= Q(version_id=origin.version_id, position__in=[origin.position - 1, origin.position + 1])
    neighbours = {(c.version_id, c.position): c for c in Claim.objects.filter(wanted)}
    verdict = getattr(claim, "verdict", None) if _has_verdict(claim) else None
    membership = getattr(claim.version.article, "story_membership", None) if _has_membership(claim) else None
    return ClaimReviewContext(
        claim=claim,
        verdict=verdict,
        links=links,
        divergences=list(claim.divergences.all()),
        before=neighbours.get((claim.version_id, claim.position - 1)),
        after=neighbours.get((claim.version_id, claim.position + 1)),
        origin_context={
            link.origin_claim_id: (
                neighbours.get((link.origin_claim.version_id, link.origin_claim.position - 1)),
                neighbours.get((link.origin_claim.version_id, link.origin_claim.position + 1)),
            )
            for link in links
        },
        events=list(ReviewEvent.objects.filter(claim_id=claim.pk).select_related("actor").order_by("created_at", "id")),
        story=membership.story if membership else None,
    )


def _has_verdict(claim: Claim) -> bool:
    try:
        return claim.verdict is not None
    except Verdict.DoesNotExist:
        return False


def _has_membership(claim: Claim) -> bool:
    try:
        return claim.version.article.story_membership is not None
    except StoryMembership.DoesNotExist:
        return False


def version_with_claims(*, version_id: int) -> tuple[ArticleVersion, list[Claim]]:
    """An article version and its claims in order, for the full-text page. Raises ArticleVersion.DoesNotExist."""
    version = ArticleVersion.objects.select_related("article__outlet").get(pk=version_id)
    return version, list(Claim.objects.filter(version_id=version_id).order_by("position"))


# ------------------------------------------------------------------------------------------------------ story view


@dataclass
class StoryArticle:
    article: Article
    role: str
    version: ArticleVersion | None
    claim_count: int = 0
    engine_labels: dict[str, int] = field(default_factory=dict)
    verdict_labels: dict[str, int] = field(default_factory=dict)
    divergence_types: dict[str, int] = field(default_factory=dict)
    origin_sentences_used: int = 0

    @property
    def changed_count(self) -> int:
        return sum(self.engine_labels.get(k, 0) for k in ("altered", "contradicted"))

    @property
    def flag_count(self) -> int:
        return sum(self.divergence_types.values())


@dataclass
class StoryOverview:
    story: Story
    origin: StoryArticle
    derivatives: list[StoryArticle]
    unrelated: list[StoryArticle]


def story_overview(*, story_id: int) -> StoryOverview:
    """The origin, each derivative with counts by engine label, verdict label and divergence type, and how many
    origin sentences each derivative draws on. Fixed number of queries. Raises Story.DoesNotExist."""
    story = Story.objects.select_related("origin__outlet").get(pk=story_id)
    memberships = list(StoryMembership.objects.filter(story=story).select_related("article__outlet"))
    articles = {m.article_id: m.article for m in memberships}
    articles.setdefault(story.origin_id, story.origin)
    roles = {m.article_id: m.role for m in memberships}
    roles[story.origin_id] = StoryMembership.Role.ORIGIN
    versions = latest_versions(list(articles.values()))
    version_ids = [v.pk for v in versions.values()]
    entries = {
        article_id: StoryArticle(
            article=article, role=roles.get(article_id, "derivative"), version=versions.get(article_id)
        )
        for article_id, article in articles.items()
    }
    for row in (
        Claim.objects.filter(version_id__in=version_ids).values("version__article_id", "label").annotate(n=Count("pk"))
    ):
        entry = entries[row["version__article_id"]]
        entry.engine_labels[row["label"] or "untraced"] = row["n"]
        entry.claim_count += row["n"]
    for row in (
        Verdict.objects.filter(claim__version_id__in=version_ids)
        .values("claim__version__article_id", "label")
        .annotate(n=Count("pk"))
    ):
        entries[row["claim__version__article_id"]].verdict_labels[row["label"]] = row["n"]
    for row in (
        Divergence.objects.filter(claim__version_id__in=version_ids)
        .values("claim__version__article_id", "type")
        .annotate(n=Count("pk"))
    ):
        entries[row["claim__version__article_id"]].divergence_types[row["type"]] = row["n"]
    used: dict[int, set[int]] = defaultdict(set)
    for article_id, origin_claim_id in ProvenanceLink.objects.filter(claim__version_id__in=version_ids).values_list(
        "claim__version__article_id", "origin_claim_id"
    ):
        used[article_id].add(origin_claim_id)
    for article_id, ids in used.items():
        entries[article_id].origin_sentences_used = len(ids)
    for entry in entries.values():
        entry.engine_labels = dict(Counter(entry.engine_labels).most_common())
    ordered = sorted(
        entries.values(), key=lambda e: (e.article.published_at is None, e.article.published_at, e.article.pk)
    )
    return StoryOverview(
        story=story,
        origin=entries[story.origin_id],
        derivatives=[e for e in ordered if e.role == StoryMembership.Role.DERIVATIVE],
        unrelated=[e for e in ordered if e.role == StoryMembership.Role.UNRELATED],
    )


# ---------------------------------------------------------------------------------------------------------- export


def verdicts_for_export() -> QuerySet[Verdict]:
    """Verdicts with everything claim_review() reads, prefetched."""
    return Verdict.objects.select_related("claim__version__article__outlet").prefetch_related(
        Prefetch(
            "claim__links",
            queryset=ProvenanceLink.objects.select_related("origin_claim__version__article__outlet").order_by("rank"),
        )
    )
