"""Outlets, the articles they publish, and every state of an article the workbench has seen."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Outlet(models.Model):
    class Kind(models.TextChoices):
        WIRE = "wire", "Wire service"
        NEWSPAPER = "newspaper", "Newspaper"
        BROADCASTER = "broadcaster", "Broadcaster"
        AGGREGATOR = "aggregator", "Aggregator"
        STATE_MEDIA = "state_media", "State media"
        UNKNOWN = "unknown", "Unknown"

    name = models.CharField(max_length=200, unique=True)
    domain = models.CharField(max_length=253, blank=True, default="", help_text="Host name, without www.")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.UNKNOWN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["domain"], condition=~Q(domain=""), name="outlet_domain_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    """One published article. Its text lives in its versions; the newest version is the one traced."""

    class OutletSource(models.TextChoices):
        """Where the article's outlet came from, most trusted first; ingest never replaces a more trusted one."""

        REVIEWER = "reviewer", "Corrected by a reviewer"
        GIVEN = "given", "Given with the article"
        METADATA = "metadata", "Metadata file"
        URL = "url", "The URL's host"
        MASTHEAD = "masthead", "Masthead or copyright line"
        CREDIT = "credit", "Credit line"
        DATELINE = "dateline", "Dateline credit"
        NONE = "", "Not found"

    ingest_key = models.CharField(
        max_length=2100,
        unique=True,
        help_text="Natural key that makes ingest idempotent: the canonical URL, the file path, or the text's hash.",
    )
    outlet = models.ForeignKey(Outlet, null=True, blank=True, on_delete=models.PROTECT, related_name="articles")
    outlet_source = models.CharField(
        max_length=10,
        choices=OutletSource.choices,
        blank=True,
        default=OutletSource.NONE,
        help_text="Where the outlet was read. A reviewer's correction is kept when the article is ingested again.",
    )
    canonical_url = models.URLField(max_length=2000, blank=True, default="")
    headline = models.CharField(max_length=500, blank=True, default="")
    byline = models.CharField(max_length=500, blank=True, default="")
    published_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(max_length=16, default="en")
    tracking = models.BooleanField(default=False, help_text="Re-fetched on a schedule to catch corrections.")
    next_fetch_at = models.DateTimeField(null=True, blank=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    fetch_failures = models.PositiveSmallIntegerField(default=0, help_text="Consecutive failed re-fetches.")
    fetch_error = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["canonical_url"], condition=~Q(canonical_url=""), name="article_canonical_url_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["published_at"]),
            models.Index(fields=["tracking", "next_fetch_at"], name="article_fetch_due"),
        ]

    def __str__(self) -> str:
        return self.headline or self.canonical_url or self.ingest_key


class ArticleVersion(models.Model):
    """A fetched or uploaded state of an article. A new row is written only when the clean text changes."""

    class Arrival(models.TextChoices):
        UPLOAD = "upload", "Upload"
        URL_FETCH = "url_fetch", "URL fetch"
        FIXTURE = "fixture", "Fixture"

    class ContentType(models.TextChoices):
        TEXT = "text", "Plain text"
        HTML = "html", "HTML"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(help_text="1 for the first version seen, then 2, 3, ...")
    raw_content = models.TextField(help_text="The content exactly as received (text or HTML). Never rendered.")
    content_type = models.CharField(max_length=8, choices=ContentType.choices)
    clean_text = models.TextField(help_text="The article body with site furniture removed; claims point into it.")
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the clean text.")
    removed_lines = models.JSONField(default=list, blank=True, help_text="Site furniture dropped at extraction.")
    arrival = models.CharField(max_length=12, choices=Arrival.choices)
    fetched_at = models.DateTimeField()
    http_etag = models.CharField(max_length=500, blank=True, default="")
    http_last_modified = models.CharField(max_length=100, blank=True, default="")
    diff = models.TextField(blank=True, default="", help_text="What changed from the previous version (unified diff).")

    class Meta:
        ordering = ["article_id", "number"]
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="version_number_unique"),
            models.UniqueConstraint(fields=["article", "content_hash"], name="version_hash_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="version_number_positive"),
        ]
        indexes = [models.Index(fields=["content_hash"])]

    def __str__(self) -> str:
        return f"{self.article} (v{self.number})"
