"""Verdicts (a reviewer's decision on a claim), claim assignments, and the review event log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from workbench.claims.models import Claim
from workbench.core.choices import text_choices
from workbench.engine.types import REVIEWABLE_LABELS


class Verdict(models.Model):
    # The engine's reviewable labels, and the reviewer's answer that the claim cannot be judged yet.
    Label = text_choices("Label", REVIEWABLE_LABELS, extra=[("needs_more_work", "Needs more work")])

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        APPROVED = "approved", "Approved"
        RETURNED = "returned", "Returned"

    claim = models.OneToOneField(Claim, on_delete=models.CASCADE, related_name="verdict")
    label = models.CharField(max_length=20, choices=Label.choices)
    rationale = models.TextField(blank=True, default="")
    corrected_wording = models.TextField(blank=True, default="")
    evidence_links = models.JSONField(default=list, blank=True, help_text="URLs of the evidence, in order.")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="verdicts")
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="approved_verdicts"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    is_stale = models.BooleanField(default=False)
    stale_reason = models.CharField(max_length=500, blank=True, default="")
    revision = models.PositiveIntegerField(default=1, help_text="Bumped on every save; a stale revision is refused.")
    approved_at = models.DateTimeField(null=True, blank=True, help_text="When the verdict was last approved.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-updated_at", "id"]
        indexes = [models.Index(fields=["state", "is_stale"])]
        permissions = [
            ("approve_verdict", "Can approve or return a submitted verdict"),
            ("reopen_verdict", "Can reopen an approved verdict, with a reason"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="approved") | Q(approver__isnull=False, approved_at__isnull=False),
                name="verdict_approved_has_approver",
            ),
            models.CheckConstraint(condition=~Q(approver=models.F("reviewer")), name="verdict_not_self_approved"),
        ]

    def __str__(self) -> str:
        return f"{self.get_label_display()} ({self.get_state_display()}) on claim {self.claim_id}"


class ClaimAssignment(models.Model):
    """Who is reviewing a claim. Only the assignee may write its verdict."""

    claim = models.OneToOneField(Claim, on_delete=models.CASCADE, related_name="assignment")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="claim_assignments")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-assigned_at", "id"]
        permissions = [("assign_claim", "Can assign claims to any reviewer")]

    def __str__(self) -> str:
        return f"claim {self.claim_id} → {self.assignee}"


class ReviewEvent(models.Model):
    """One change in the review of a claim: who did what, when, and what changed. Written by the services only."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        UPDATED = "updated", "Updated"
        SUBMITTED = "submitted", "Submitted"
        APPROVED = "approved", "Approved"
        RETURNED = "returned", "Returned"
        REOPENED = "reopened", "Reopened"
        MARKED_STALE = "marked_stale", "Marked stale"
        ASSIGNED = "assigned", "Assigned"
        UNASSIGNED = "unassigned", "Unassigned"
        CONFLICT = "conflict", "Refused: changed meanwhile"
        MOVED = "moved", "Moved to a newer version"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="review_events")
    verdict = models.ForeignKey(Verdict, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty for the system (re-verification).",
    )
    from_state = models.CharField(max_length=10, blank=True, default="")
    to_state = models.CharField(max_length=10, blank=True, default="")
    revision = models.PositiveIntegerField(null=True, blank=True, help_text="The verdict's revision after the change.")
    changes = models.JSONField(
        default=dict, blank=True, help_text="{field: [old, new]} for edits; extra data otherwise."
    )
    comment = models.TextField(blank=True, default="", help_text="Return comment, reopen or stale reason.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["claim", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} claim {self.claim_id} by {self.actor or 'system'}"


class ReviewQueueItem(Claim):
    """The review queue: claims seen by the people who review them (an admin view of Claim)."""

    class Meta:
        proxy = True
        verbose_name = "review queue item"
        verbose_name_plural = "review queue"
