"""Verdicts: a reviewer's decision on a claim, with its full history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from workbench.claims.models import Claim


class Verdict(models.Model):
    class Label(models.TextChoices):
        SUPPORTED = "supported", "Supported"
        ALTERED = "altered", "Altered"
        UNSOURCED = "unsourced", "Unsourced"
        OTHER_SOURCE = "other_source", "Other source"
        CONTRADICTED = "contradicted", "Contradicted"
        NEEDS_MORE_WORK = "needs_more_work", "Needs more work"

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        APPROVED = "approved", "Approved"
        RETURNED = "returned", "Returned"

    claim = models.OneToOneField(Claim, on_delete=models.CASCADE, related_name="verdict")
    label = models.CharField(max_length=20, choices=Label.choices)
    rationale = models.TextField(blank=True, default="")
    corrected_wording = models.TextField(blank=True, default="")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="verdicts")
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="approved_verdicts"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    is_stale = models.BooleanField(default=False)
    stale_reason = models.CharField(max_length=500, blank=True, default="")
    revision = models.PositiveIntegerField(default=1, help_text="Bumped on every save; a stale revision is refused.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-updated_at", "id"]
        indexes = [models.Index(fields=["state", "is_stale"])]

    def __str__(self) -> str:
        return f"{self.get_label_display()} ({self.get_state_display()}) on claim {self.claim_id}"
