"""Stories, provenance links from claims to origin claims, divergences, and tracing jobs."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from workbench.claims.models import Claim
from workbench.sources.models import Article


class Story(models.Model):
    """Articles that report the same event, one of which is the origin the others derive from."""

    title = models.CharField(max_length=500, blank=True, default="")
    origin = models.OneToOneField(Article, on_delete=models.PROTECT, related_name="story_as_origin")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name_plural = "stories"

    def __str__(self) -> str:
        return self.title or str(self.origin)


class StoryMembership(models.Model):
    class Role(models.TextChoices):
        ORIGIN = "origin", "Origin"
        DERIVATIVE = "derivative", "Derivative"
        UNRELATED = "unrelated", "Unrelated"

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="memberships")
    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="story_membership")
    role = models.CharField(max_length=12, choices=Role.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["story_id", "role", "article_id"]

    def __str__(self) -> str:
        return f"{self.article} ({self.role})"


class ProvenanceLink(models.Model):
    """A claim and an origin claim that supports it. A merged sentence has several links, ranked."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="links")
    origin_claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="derived_links")
    rank = models.PositiveSmallIntegerField(default=0, help_text="0 for the best-supporting origin sentence.")
    score = models.FloatField()
    method = models.CharField(max_length=60)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["claim_id", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "origin_claim"], name="link_claim_origin_unique"),
            models.UniqueConstraint(fields=["claim", "rank"], name="link_claim_rank_unique"),
            models.CheckConstraint(condition=~Q(claim=F("origin_claim")), name="link_not_to_itself"),
        ]

    def __str__(self) -> str:
        return f"{self.claim_id} → {self.origin_claim_id} ({self.score:.2f})"


class Divergence(models.Model):
    """A typed departure of a claim from its origin, naming the exact words on both sides."""

    class Type(models.TextChoices):
        ADDED_DETAIL = "added_detail", "Added detail"
        NUMBER_CHANGED = "number_changed", "Number changed"
        HEDGE_DROPPED = "hedge_dropped", "Hedge dropped"
        CERTAINTY_RAISED = "certainty_raised", "Certainty raised"
        ATTRIBUTION_CHANGED = "attribution_changed", "Attribution changed"
        QUOTE_ALTERED = "quote_altered", "Quote altered"
        OMITTED_QUALIFIER = "omitted_qualifier", "Omitted qualifier"
        ENTITY_CHANGED = "entity_changed", "Entity changed"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="divergences")
    link = models.ForeignKey(ProvenanceLink, null=True, blank=True, on_delete=models.CASCADE, related_name="divergences")
    type = models.CharField(max_length=24, choices=Type.choices)
    span_start = models.PositiveIntegerField(help_text="Offset inside the claim's text.")
    span_end = models.PositiveIntegerField()
    span = models.TextField()
    origin_claim = models.ForeignKey(
        Claim, null=True, blank=True, on_delete=models.CASCADE, related_name="divergences_as_origin"
    )
    origin_start = models.PositiveIntegerField(null=True, blank=True)
    origin_end = models.PositiveIntegerField(null=True, blank=True)
    origin_span = models.TextField(null=True, blank=True)
    explanation = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["claim_id", "span_start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(span_end__gte=F("span_start")), name="divergence_span_ordered"),
            models.CheckConstraint(
                condition=Q(origin_claim__isnull=True, origin_start__isnull=True, origin_end__isnull=True)
                | Q(origin_claim__isnull=False, origin_start__isnull=False, origin_end__gte=F("origin_start")),
                name="divergence_origin_span_complete",
            ),
        ]
        indexes = [models.Index(fields=["type"])]

    def __str__(self) -> str:
        return f"{self.get_type_display()}: {self.span[:60]}"


class TraceJob(models.Model):
    """One request to trace articles. The row, not the broker message, is the truth about the work."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    articles = models.ManyToManyField(Article, related_name="trace_jobs")
    origin = models.ForeignKey(Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    sentences_done = models.PositiveIntegerField(default=0)
    sentences_total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [models.Index(fields=["state", "lease_expires_at"])]

    def __str__(self) -> str:
        return f"Trace job {self.pk} ({self.state})"
