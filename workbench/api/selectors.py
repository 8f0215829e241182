"""Read queries for the API. Each returns a queryset already scoped to what the caller may see, and shaped
(select_related / prefetch_related) so that serialising a page costs a fixed number of queries.

Counts shown per row come from the prefetched rows, not from COUNT annotations: an annotation makes PostgreSQL group
the whole table before it can take one page. Prefetches land in plain lists (`to_attr`), which spares Django a
queryset per row. Rows that only point at an article version never load its text."""

from __future__ import annotations

from django.db.models import F, Prefetch, QuerySet

from workbench.api.models import Webhook, WebhookDelivery
from workbench.claims.models import Claim
from workbench.provenance.models import Divergence, ProvenanceLink, Story, StoryMembership, TraceJob
from workbench.provenance.selectors import trace_jobs_visible
from workbench.review.models import Verdict
from workbench.sources.models import Article, ArticleVersion

VERSION_SUMMARY_FIELDS = ("id", "article_id", "number", "content_type", "content_hash", "arrival", "fetched_at")


ORIGIN_LINK_FIELDS = (
    "id",
    "claim_id",
    "rank",
    "score",
    "method",
    "origin_claim__id",
    "origin_claim__position",
    "origin_claim__start",
    "origin_claim__end",
    "origin_claim__text",
)


def article_list(*, user) -> QuerySet[Article]:
    """Every article (the newsroom shares its sources), with outlet, story role and version summaries."""
    versions = ArticleVersion.objects.only(*VERSION_SUMMARY_FIELDS).order_by("number")
    return Article.objects.select_related("outlet", "story_membership").prefetch_related(
        Prefetch("versions", queryset=versions, to_attr="version_rows")
    )


def article_detail(*, user) -> QuerySet[Article]:
    versions = ArticleVersion.objects.defer("raw_content").order_by("number")
    return Article.objects.select_related("outlet", "story_membership").prefetch_related(
        Prefetch("versions", queryset=versions, to_attr="version_rows")
    )


def story_list(*, user) -> QuerySet[Story]:
    derivatives = (
        StoryMembership.objects.filter(role=StoryMembership.Role.DERIVATIVE)
        .select_related("article__outlet")
        .order_by("article_id")
    )
    return Story.objects.select_related("origin__outlet").prefetch_related(
        Prefetch("memberships", queryset=derivatives, to_attr="derivative_memberships")
    )


def claim_list(*, user) -> QuerySet[Claim]:
    """Claims with their article, version number and story as plain columns (no version, article or membership rows),
    their verdict, and their links (with the origin claim's own columns only) and divergences."""
    links = ProvenanceLink.objects.select_related("origin_claim__version").only(
        *ORIGIN_LINK_FIELDS, "origin_claim__version__article_id", "origin_claim__version__number"
    )
    return (
        Claim.objects.select_related("verdict")
        .annotate(
            article_id=F("version__article_id"),
            version_number=F("version__number"),
            story_id=F("version__article__story_membership__story_id"),
        )
        .prefetch_related(
            Prefetch("links", queryset=links.order_by("rank"), to_attr="link_rows"),
            Prefetch(
                "divergences", queryset=Divergence.objects.order_by("span_start", "id"), to_attr="divergence_rows"
            ),
        )
    )


def divergence_list(*, user) -> QuerySet[Divergence]:
    """Divergences name their claims by id only, so no join is needed to list them."""
    return Divergence.objects.all()


def verdict_list(*, user, can_review: bool) -> QuerySet[Verdict]:
    """Reviewers see every verdict, drafts included; other readers see approved verdicts only. Of the claim, its
    version and the users, only the article id and the user names are read."""
    own = [field.attname for field in Verdict._meta.concrete_fields]
    queryset = Verdict.objects.select_related("claim__version", "claim__assignment", "reviewer", "approver").only(
        *own,
        "claim__version__article_id",
        "claim__assignment__claim_id",
        "claim__assignment__assignee_id",
        "reviewer__username",
        "approver__username",
    )
    if not can_review:
        queryset = queryset.filter(state=Verdict.State.APPROVED)
    return queryset


def trace_job_list(*, user) -> QuerySet[TraceJob]:
    """Editors see every job; fact-checkers and tools see the jobs they requested."""
    queryset = TraceJob.objects.prefetch_related(Prefetch("articles", queryset=Article.objects.only("id")))
    return trace_jobs_visible(user=user, queryset=queryset)


def webhook_list(*, user) -> QuerySet[Webhook]:
    return Webhook.objects.filter(owner=user).prefetch_related(Prefetch("stories", queryset=Story.objects.only("id")))


def webhook_delivery_list(*, user, webhook: Webhook) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(webhook=webhook, webhook__owner=user)
