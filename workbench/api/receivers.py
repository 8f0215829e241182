"""Connects review signals to the webhook service. Receivers only translate the signal into a service call."""

from __future__ import annotations


def connect() -> None:
    try:
        from workbench.review.signals import verdict_changed
    except ImportError:  # the review app does not send the signal (yet): nothing to connect
        return
    verdict_changed.connect(on_verdict_changed, dispatch_uid="workbench.api.webhooks")


def on_verdict_changed(sender, verdict, event: str = "", **kwargs) -> None:
    from workbench.api.services import webhook_deliveries_for_verdict

    webhook_deliveries_for_verdict(verdict=verdict, change=event or kwargs.get("change", ""))
