"""Read queries for the API. Each returns a queryset already scoped to what the caller may see, and shaped
(select_related / prefetch_related / annotations) so that serialising a page costs a fixed number of queries."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from workbench.api.models import Webhook, WebhookDelivery
from workbench.claims.models import Claim
from workbench.provenance.models import Divergence, ProvenanceLink, Story, StoryMembership, TraceJob
from workbench.review.models import Verdict
from workbench.sources.models import Article, ArticleVersion

VERSION_SUMMARY_FIELDS = ("id", "article_id", "number", "content_type", "content_hash", "arrival", "fetched_at")


def article_list(*, user) -> QuerySet[Article]:
    """Every article (the newsroom shares its sources), with outlet, story role and version summaries."""
    return (
        Article.objects.select_related("outlet", "story_membership")
        .annotate(version_count=Count("versions", distinct=True))
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=ArticleVersion.objects.only(*VERSION_SUMMARY_FIELDS).order_by("number"),
            )
        )
    )


def article_detail(*, user) -> QuerySet[Article]:
    return (
        Article.objects.select_related("outlet", "story_membership")
        .annotate(version_count=Count("versions", distinct=True))
        .prefetch_related(Prefetch("versions", queryset=ArticleVersion.objects.defer("raw_content").order_by("number")))
    )


def story_list(*, user) -> QuerySet[Story]:
    derivatives = (
        StoryMembership.objects.filter(role=StoryMembership.Role.DERIVATIVE)
        .select_related("article__outlet")
        .order_by("article_id")
    )
    return (
        Story.objects.select_related("origin__outlet")
        .annotate(
            derivative_count=Count("memberships", filter=Q(memberships__role=StoryMembership.Role.DERIVATIVE), distinct=True)
        )
        .prefetch_related(Prefetch("memberships", queryset=derivatives, to_attr="derivative_memberships"))
    )


def claim_list(*, user) -> QuerySet[Claim]:
    return Claim.objects.select_related(
        "version__article__outlet", "version__article__story_membership", "verdict"
    ).prefetch_related(
        Prefetch(
            "links",
            queryset=ProvenanceLink.objects.select_related("origin_claim__version").order_by("rank"),
        ),
        Prefetch("divergences", queryset=Divergence.objects.order_by("span_start", "id")),
    )


def divergence_list(*, user) -> QuerySet[Divergence]:
    return Divergence.objects.select_related("claim__version", "origin_claim__version")


def verdict_list(*, user, can_review: bool) -> QuerySet[Verdict]:
    """Reviewers see every verdict, drafts included; other readers see approved verdicts only."""
    queryset = Verdict.objects.select_related("claim__version", "reviewer", "approver")
    if not can_review:
        queryset = queryset.filter(state=Verdict.State.APPROVED)
    return queryset


def trace_job_list(*, user) -> QuerySet[TraceJob]:
    """Staff see every job; others see the jobs they requested."""
    queryset = TraceJob.objects.prefetch_related(Prefetch("articles", queryset=Article.objects.only("id")))
    if user.is_staff:
        return queryset
    return queryset.filter(requested_by=user)


def webhook_list(*, user) -> QuerySet[Webhook]:
    return Webhook.objects.filter(owner=user).prefetch_related(
        Prefetch("stories", queryset=Story.objects.only("id"))
    )


def webhook_delivery_list(*, user, webhook: Webhook) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(webhook=webhook, webhook__owner=user)
