"""Connects review signals to the webhook service. Receivers only translate a signal into one service call."""

from __future__ import annotations

from workbench.review.signals import verdict_changed


def connect() -> None:
    verdict_changed.connect(on_verdict_changed, dispatch_uid="workbench.api.webhooks")


def on_verdict_changed(sender, verdict, event, **kwargs) -> None:
    from workbench.api.services import webhook_deliveries_for_verdict

    webhook_deliveries_for_verdict(verdict=verdict, kind=str(getattr(event, "kind", event)))
