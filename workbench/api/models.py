"""API tokens for tools, webhook subscriptions and their deliveries, and remembered idempotent requests."""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


class Scope(models.TextChoices):
    READ = "read", "Read"
    SUBMIT = "submit", "Submit articles"
    REVIEW = "review", "Review (create and change verdicts)"


def hash_token_key(key: str) -> str:
    """The stored form of a token key: its SHA-256, hex. Keys are random, so no salt or stretching is needed."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def validate_scopes(value) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError("Give at least one scope.")
    unknown = sorted(set(value) - set(Scope.values))
    if unknown:
        raise ValidationError(f"Unknown scope(s): {', '.join(map(str, unknown))}. Known: {', '.join(Scope.values)}.")


class ApiToken(models.Model):
    """A bearer token for a tool. Only its hash is stored; the key is shown once when it is created."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. the tool's name.")
    prefix = models.CharField(max_length=12, editable=False, help_text="The key's first characters, to recognise it.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(default=list, validators=[validate_scopes], help_text="Any of read, submit, review.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…, {self.user})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])


class Webhook(models.Model):
    """A URL a tool wants told about verdict events on the stories it follows."""

    class Event(models.TextChoices):
        VERDICT_APPROVED = "verdict.approved", "Verdict approved"
        VERDICT_STALE = "verdict.stale", "Verdict went stale"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhooks")
    token = models.ForeignKey(ApiToken, null=True, blank=True, on_delete=models.SET_NULL, related_name="webhooks")
    url = models.URLField(max_length=2000)
    secret = models.CharField(max_length=128, editable=False, help_text="HMAC-SHA256 key for the signature header.")
    events = models.JSONField(default=list)
    stories = models.ManyToManyField("provenance.Story", related_name="webhooks", blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return f"{self.url} ({self.owner})"


class WebhookDelivery(models.Model):
    """One event to deliver to one webhook. The row is the truth; the Celery message only carries its id."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField(default=uuid.uuid4, editable=False)
    event = models.CharField(max_length=40, choices=Webhook.Event.choices)
    payload = models.JSONField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["webhook", "event_id"], name="delivery_event_once_per_webhook"),
        ]
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self) -> str:
        return f"{self.event} → {self.webhook_id} ({self.state})"


class IdempotencyKey(models.Model):
    """The first answer to a request sent with an Idempotency-Key, replayed when the client retries it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64, help_text="SHA-256 of the method, path and body.")
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user")]

    def __str__(self) -> str:
        return f"{self.key} ({self.user_id})"


class ApiEvent(models.Model):
    """Who did what through the API's own services, and when (tokens, webhooks)."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=40)
    target = models.CharField(max_length=200)
    extra = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "id"]

    def __str__(self) -> str:
        return f"{self.action} {self.target}"
