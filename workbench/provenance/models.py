"""Stories, provenance links from claims to origin claims, divergences, and tracing jobs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from workbench.claims.models import Claim
from workbench.core.choices import text_choices
from workbench.engine.types import FlagType
from workbench.sources.models import Article, ArticleVersion


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

    Type = text_choices("Type", FlagType)  # the engine's flag types

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="divergences")
    link = models.ForeignKey(
        ProvenanceLink, null=True, blank=True, on_delete=models.CASCADE, related_name="divergences"
    )
    type = models.CharField(max_length=24, choices=Type.choices)
    span_start = models.PositiveIntegerField(help_text="Offset inside the claim's text.")
    span_end = models.PositiveIntegerField()
    span = models.TextField()
    origin_claim = models.ForeignKey(
        Claim, null=True, blank=True, on_delete=models.CASCADE, related_name="divergences_as_origin"
    )
    origin_start = models.PositiveIntegerField(null=True, blank=True)
    origin_end = models.PositiveIntegerField(null=True, blank=True)
    # None, not "", when the divergence has no origin words (an added detail): the API and report keep the difference.
    origin_span = models.TextField(null=True, blank=True)  # noqa: DJ001
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
    """One request to trace articles. The row, not the broker message, is the truth about the work.

    A worker owns the job only after claiming it with a conditional UPDATE (queued, or running with an expired
    lease); ``lease_token`` names the claim, so a worker whose lease was taken over cannot finish someone else's run.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    articles = models.ManyToManyField(Article, related_name="trace_jobs")
    origin = models.ForeignKey(Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    url = models.URLField(max_length=2000, blank=True, default="", help_text="A page to fetch and ingest first.")
    upload = models.BinaryField(null=True, blank=True, editable=False, help_text="Uploaded content to ingest first.")
    upload_meta = models.JSONField(
        default=dict, blank=True, editable=False, help_text="The upload's headline, outlet and publication time."
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="trace_jobs"
    )
    story = models.ForeignKey(Story, null=True, blank=True, on_delete=models.SET_NULL, related_name="trace_jobs")
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    lease_token = models.CharField(max_length=32, blank=True, default="")
    sentences_done = models.PositiveIntegerField(default=0)
    sentences_total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    enqueued_at = models.DateTimeField(null=True, blank=True, help_text="When the message was last sent.")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [
            models.Index(fields=["state", "lease_expires_at"]),
            models.Index(fields=["state", "enqueued_at"], name="tracejob_state_enqueued"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(sentences_done__lte=F("sentences_total")), name="tracejob_progress_bounded"
            ),
        ]

    def __str__(self) -> str:
        return f"Trace job {self.pk} ({self.state})"


class TraceJobEvent(models.Model):
    """What happened to a job, when, and on whose behalf: queued, claimed, retried, re-armed, done, failed."""

    job = models.ForeignKey(TraceJob, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["job_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.job_id} {self.kind} at {self.at:%Y-%m-%d %H:%M:%S}"


class StoryRetrace(models.Model):
    """One re-trace of a story, with what every verdict rested on before it, so a crash between the re-trace and
    the stale marking loses nothing: a pending run is finished from its stored snapshot by the next pass."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        DONE = "done", "Done"

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="retraces")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    trigger = models.CharField(max_length=500, help_text="Why the story was traced again.")
    snapshot = models.JSONField(default=dict, help_text="Per verdict: its claim, origin sentences and divergences.")
    verdicts_moved = models.PositiveIntegerField(default=0)
    verdicts_marked_stale = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["story"], condition=Q(state="pending"), name="retrace_one_pending_per_story"
            ),
        ]

    def __str__(self) -> str:
        return f"Re-trace of story {self.story_id} ({self.state})"


class CandidateBand(models.Model):
    """One posting of the shared candidate index (workbench.engine.index): a band key of one sentence of an
    article's indexed version, or one of its name/number terms (sentence = TERM_SENTENCE). Every worker reads the
    same rows; written only by provenance.candidates.

    Derived data, rebuilt at will (``candidates_rebuild``): the article reference is not checked by the database (an
    arriving article writes some 500 postings, each of which a foreign key would look up at commit), and Django still
    deletes an article's postings with it. The key index carries the posting, so a lookup reads the index alone."""

    key = models.BigIntegerField()
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    sentence = models.PositiveSmallIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["key"], include=["article", "sentence"], name="candidateband_key_posting"),
            models.Index(fields=["article"], name="candidateband_article"),
        ]

    def __str__(self) -> str:
        return f"{self.key} -> {self.article_id}:{self.sentence}"


class CandidateDoc(models.Model):
    """Which version of an article the candidate index holds, signed with which signature scheme."""

    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="candidate_doc")
    version = models.ForeignKey(ArticleVersion, on_delete=models.CASCADE, related_name="+")
    signature_version = models.PositiveSmallIntegerField()
    postings = models.PositiveIntegerField(default=0)
    indexed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.article_id} v{self.version_id} ({self.postings} postings)"
