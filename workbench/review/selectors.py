"""Read queries for the review workflow: the queue, one claim's review page, a story's overview, exports.

Each function issues a fixed number of queries whatever the number of claims.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

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
from django.utils import timezone

from workbench.claims.models import Claim
from workbench.engine.types import REVIEWABLE_LABELS, FlagType, Label
from workbench.provenance.models import Divergence, ProvenanceLink, Story, StoryMembership
from workbench.provenance.selectors import latest_versions
from workbench.review.models import ClaimAssignment, ReviewEvent, Verdict
from workbench.sources.models import Article, ArticleVersion

# How much a divergence type changes what a reader takes away: 3 high, 2 medium, 1 low (the engine's FLAG_INFO).
DIVERGENCE_SEVERITY: dict[str, int] = {flag.value: flag.severity for flag in FlagType}
SEVERITY_NAMES = {3: "high", 2: "medium", 1: "low", 0: ""}

# Engine labels a human should look at; origin and boilerplate sentences are not claims to review.
QUEUE_CLAIM_LABELS = tuple(label.value for label in REVIEWABLE_LABELS)


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
                When(label=Label.UNSOURCED, then=Value(4)),
                When(label=Label.OTHER_SOURCE, then=Value(5)),
                When(label__in=[Label.CONTRADICTED, Label.ALTERED], then=Value(6)),
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


@dataclass(frozen=True)
class VerdictActions:
    """What a user may do now with a claim and its verdict. The services enforce the same rules; this only tells the
    admin which controls to show and API clients which actions will be accepted."""

    edit: bool  # record a verdict, or change (and submit) a draft or returned one
    submit: bool  # put a draft or returned verdict forward: its reviewer or the claim's assignee
    decide: bool  # approve or send back a submitted verdict, never one's own
    reopen: bool  # reopen an approved verdict
    take: bool  # assign the unassigned claim to oneself
    release: bool  # give up the claim's assignment: one's own, or anyone's for those who assign
    assign: bool  # assign the claim to any reviewer


def verdict_actions(*, user, verdict: Verdict | None, assignment: ClaimAssignment | None) -> VerdictActions:
    """What ``user`` may do with the claim whose ``verdict`` (None: none yet) and ``assignment`` (None: unassigned)
    are given. Reads only the user's permissions; no query beyond them."""
    state = verdict.state if verdict else None
    mine = assignment is not None and assignment.assignee_id == user.pk
    may_write = user.has_perm("review.add_verdict") and (assignment is None or mine)
    editable = state in (None, Verdict.State.DRAFT, Verdict.State.RETURNED)
    is_author = verdict is not None and verdict.reviewer_id == user.pk
    may_assign = user.has_perm("review.assign_claim")
    return VerdictActions(
        edit=may_write and editable,
        submit=may_write and editable and verdict is not None and (is_author or mine),
        decide=user.has_perm("review.approve_verdict") and state == Verdict.State.SUBMITTED and not is_author,
        reopen=user.has_perm("review.reopen_verdict") and state == Verdict.State.APPROVED,
        take=user.has_perm("review.add_verdict") and assignment is None,
        release=assignment is not None and (mine or may_assign),
        assign=may_assign,
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
        return sum(self.engine_labels.get(k, 0) for k in (Label.ALTERED, Label.CONTRADICTED))

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


# The kinds of event that write a verdict's published content (label, rationale, corrected wording, evidence).
CONTENT_EVENT_KINDS = (ReviewEvent.Kind.CREATED, ReviewEvent.Kind.UPDATED)


def verdict_content_authors(*, verdict_id: int) -> list:
    """The users who wrote any of a verdict's content since it was last approved (all of them if it never was),
    from the review log, in the order they first wrote. The approver must be none of them."""
    events = ReviewEvent.objects.filter(verdict_id=verdict_id)
    last_approval = events.filter(kind=ReviewEvent.Kind.APPROVED).order_by("-created_at", "-id").first()
    if last_approval is not None:
        events = events.filter(id__gt=last_approval.id)
    authors = []
    for event in events.filter(kind__in=CONTENT_EVENT_KINDS, actor__isnull=False).select_related("actor"):
        if event.actor not in authors:
            authors.append(event.actor)
    return authors


# ------------------------------------------------------------------------------------------- the reviewer's day

# Queue states that still need the claim's reviewer (as opposed to an editor, or nobody).
OPEN_STATES = (ReviewState.STALE, ReviewState.UNREVIEWED, Verdict.State.DRAFT, Verdict.State.RETURNED)
HOME_LIST_MAX = 8
STORIES_UPDATED_WITHIN = timedelta(days=1)


@dataclass
class ReviewerHome:
    """What the admin home shows a reviewer: their open claims, verdicts waiting for them as editor, stale verdicts,
    stories updated since yesterday, and how much of the queue nobody has taken."""

    assigned: list[Claim]
    assigned_count: int
    awaiting_approval: list[Verdict]
    awaiting_approval_count: int
    stale: list[Verdict]
    stale_count: int
    stories_updated: list[Story]
    unassigned_open_count: int

    @property
    def left_today(self) -> int:
        """Claims assigned to me still to finish, plus verdicts waiting for my approval."""
        return self.assigned_count + self.awaiting_approval_count


@dataclass(frozen=True)
class Workload:
    """How much is left for a reviewer: their open claims, verdicts waiting for their approval, open claims nobody
    has taken."""

    assigned: int
    awaiting_approval: int
    unassigned_open: int

    @property
    def left_today(self) -> int:
        return self.assigned + self.awaiting_approval


def reviewer_workload(*, user) -> Workload:
    """The counts of Workload, in two queries."""
    counts = (
        review_queue()
        .filter(review_state__in=OPEN_STATES)
        .aggregate(
            mine=Count("pk", filter=Q(assignment__assignee=user)),
            free=Count("pk", filter=Q(assignment__isnull=True)),
        )
    )
    return Workload(
        assigned=counts["mine"],
        awaiting_approval=_awaiting_approval(user).count(),
        unassigned_open=counts["free"],
    )


def _awaiting_approval(user) -> QuerySet[Verdict]:
    if not user.has_perm("review.approve_verdict"):
        return Verdict.objects.none()
    return (
        Verdict.objects.filter(state=Verdict.State.SUBMITTED, is_stale=False)
        .exclude(reviewer=user)
        .select_related("claim__version__article__outlet", "reviewer")
        .order_by("updated_at", "pk")
    )


def reviewer_home(*, user, now: datetime | None = None) -> ReviewerHome:
    """The reviewer's home page, in a fixed number of queries (each list capped at HOME_LIST_MAX)."""
    now = now or timezone.now()
    queue = review_queue()
    mine = queue.filter(assignment__assignee=user, review_state__in=OPEN_STATES)
    awaiting = _awaiting_approval(user)
    stale = Verdict.objects.filter(is_stale=True).select_related("claim", "reviewer").order_by("updated_at", "pk")
    return ReviewerHome(
        assigned=list(mine[:HOME_LIST_MAX]),
        assigned_count=mine.count(),
        awaiting_approval=list(awaiting[:HOME_LIST_MAX]),
        awaiting_approval_count=awaiting.count(),
        stale=list(stale[:HOME_LIST_MAX]),
        stale_count=stale.count(),
        stories_updated=list(
            Story.objects.filter(updated_at__gte=now - STORIES_UPDATED_WITHIN)
            .select_related("origin__outlet")
            .annotate(article_count=Count("memberships"))
            .order_by("-updated_at")[:HOME_LIST_MAX]
        ),
        unassigned_open_count=queue.filter(assignment__isnull=True, review_state__in=OPEN_STATES).count(),
    )


def review_queue_next(*, claim: Claim, user) -> Claim | None:
    """The next claim in queue order after `claim` that still needs a reviewer and is free or assigned to `user`;
    from the top of the queue when none follows. None when nothing is left. At most three queries, each reading at
    most NEXT_CLAIM_SCAN_MAX rows."""
    queue = review_queue()
    here = queue.filter(pk=claim.pk).values_list("priority", flat=True).first()

    def wanted(state: str, assignee_id: int | None) -> bool:
        return state in OPEN_STATES and assignee_id in (None, user.pk)

    rows = queue.values_list("pk", "review_state", "assignment__assignee_id")
    # The claim's own place in queue order (whatever its state now), then the first wanted claim after it.
    following = list(rows.filter(priority__gte=here)[:NEXT_CLAIM_SCAN_MAX]) if here is not None else []
    ids = [pk for pk, _, _ in following]
    start = ids.index(claim.pk) + 1 if claim.pk in ids else 0
    for pk, state, assignee_id in following[start:]:
        if pk != claim.pk and wanted(state, assignee_id):
            return Claim.objects.get(pk=pk)
    for pk, state, assignee_id in rows.filter(review_state__in=OPEN_STATES)[:NEXT_CLAIM_SCAN_MAX]:
        if pk != claim.pk and wanted(state, assignee_id):
            return Claim.objects.get(pk=pk)
    return None


NEXT_CLAIM_SCAN_MAX = 5000


def verdict_possible_approvers(*, verdict: Verdict) -> list:
    """The people who may approve this verdict: editors (or superusers) who wrote none of its content since its last
    approval, by user name."""
    from django.contrib.auth import get_user_model

    from workbench.review.roles import EDITOR

    return list(
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(Q(groups__name=EDITOR) | Q(is_superuser=True))
        .exclude(pk=verdict.reviewer_id)
        .exclude(pk__in=[author.pk for author in verdict_content_authors(verdict_id=verdict.pk)])
        .distinct()
        .order_by("username")
    )


def reviewers() -> list:
    """Everyone a claim can be assigned to: members of the fact-checker or editor group, by user name."""
    from django.contrib.auth import get_user_model

    from workbench.review.roles import EDITOR, FACT_CHECKER

    return list(
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[FACT_CHECKER, EDITOR])
        .distinct()
        .order_by("username")
    )


# ------------------------------------------------------------------------------------------ the published page


@dataclass
class PublishedVerdict:
    verdict: Verdict
    origin_links: list[ProvenanceLink]
    divergences: list[Divergence]
    story: Story | None
    lineage: list[StoryArticle]


def verdict_published(*, verdict_id: int) -> PublishedVerdict | None:
    """An approved verdict with what its public page shows: the origin sentences, the flags, and the story's
    lineage (its origin first, then each republication by date). None unless the verdict exists and is approved."""
    verdict = (
        verdicts_for_export()
        .select_related("approver", "reviewer", "claim__version__article__story_membership__story")
        .filter(pk=verdict_id, state=Verdict.State.APPROVED)
        .first()
    )
    if verdict is None:
        return None
    claim = verdict.claim
    story = None
    lineage: list[StoryArticle] = []
    if _has_membership(claim):
        story = claim.version.article.story_membership.story
        overview = story_overview(story_id=story.pk)
        lineage = [overview.origin, *overview.derivatives]
    return PublishedVerdict(
        verdict=verdict,
        origin_links=sorted(claim.links.all(), key=lambda link: link.rank),
        divergences=list(Divergence.objects.filter(claim=claim).order_by("span_start", "id")),
        story=story,
        lineage=lineage,
    )
