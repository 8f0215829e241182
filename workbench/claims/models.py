"""Claims: the sentences of an article version, each with offsets into the version's clean text."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from workbench.core.choices import text_choices
from workbench.engine import types as engine
from workbench.sources.models import ArticleVersion

# What the engine says about a claim relative to its origin: the engine's labels (workbench.engine.types.Label).
Label = text_choices("Label", engine.Label)


class Claim(models.Model):
    version = models.ForeignKey(ArticleVersion, on_delete=models.CASCADE, related_name="claims")
    position = models.PositiveIntegerField(help_text="0-based order of the sentence in the version.")
    start = models.PositiveIntegerField(help_text="Offset of the first character in the version's clean text.")
    end = models.PositiveIntegerField(help_text="Offset just past the last character.")
    text = models.TextField()
    attribution = models.CharField(max_length=300, blank=True, default="", help_text="The source the sentence names.")
    attribution_speaker = models.CharField(max_length=200, blank=True, default="")
    attribution_hedge = models.CharField(max_length=300, blank=True, default="")
    label = models.CharField(max_length=20, choices=Label.choices, blank=True, default="", help_text="Engine label.")
    label_score = models.FloatField(null=True, blank=True)
    traced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["version_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="claim_position_unique"),
            models.UniqueConstraint(fields=["version", "start"], name="claim_start_unique"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="claim_span_not_empty"),
        ]
        indexes = [models.Index(fields=["label"])]

    def __str__(self) -> str:
        return self.text if len(self.text) <= 80 else self.text[:79] + "…"
