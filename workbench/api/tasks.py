"""Celery tasks for the API: thin wrappers that take an id and call one service."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from workbench.api import services

WEBHOOK_MAX_RETRIES = 6


@shared_task(
    bind=True,
    name="workbench.api.deliver_webhook",
    acks_late=True,
    max_retries=WEBHOOK_MAX_RETRIES,
    soft_time_limit=60,
    time_limit=90,
)
def deliver_webhook(self, delivery_id: int) -> str:
    """Send one webhook delivery; retried with exponential backoff on transient failures. Idempotent."""
    final = self.request.retries >= self.max_retries
    try:
        delivery = services.webhook_deliver(delivery_id=delivery_id, final_attempt=final)
    except services.DeliveryFailed as exc:
        raise self.retry(exc=exc, countdown=settings.API_WEBHOOK_RETRY_BACKOFF_S * 2**self.request.retries) from None
    return delivery.state
