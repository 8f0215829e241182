"""Connects review signals to the webhook service, and changes to tokens and users to the remembered token
look-ups (workbench.api.tokens). Receivers only translate a signal into one service call."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save

from workbench.api.models import ApiToken
from workbench.api.services import webhook_deliveries_for_verdict
from workbench.api.tokens import tokens_changed
from workbench.review.signals import verdict_changed


def connect() -> None:
    verdict_changed.connect(on_verdict_changed, dispatch_uid="workbench.api.webhooks")
    user_model = get_user_model()
    for signal in (post_save, post_delete):
        signal.connect(on_token_changed, sender=ApiToken, dispatch_uid=f"workbench.api.token-{signal is post_save}")
        signal.connect(on_user_changed, sender=user_model, dispatch_uid=f"workbench.api.user-{signal is post_save}")


def on_token_changed(sender, instance, created=False, **kwargs) -> None:
    """A token saved or deleted. A new one cannot have been looked up yet (unknown keys are not remembered)."""
    if not created:
        tokens_changed(key_hashes=[instance.key_hash])


def on_user_changed(sender, instance, update_fields=None, **kwargs) -> None:
    """A user saved or deleted: their tokens' remembered look-ups carry the old user. A login only moves last_login."""
    if update_fields is not None and set(update_fields) == {"last_login"}:
        return
    tokens_changed(key_hashes=ApiToken.objects.filter(user_id=instance.pk).values_list("key_hash", flat=True))


def on_verdict_changed(sender, verdict, event, **kwargs) -> None:
    webhook_deliveries_for_verdict(verdict=verdict, kind=str(getattr(event, "kind", event)))
