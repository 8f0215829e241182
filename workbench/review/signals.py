"""Signals other parts of the workbench (webhooks, notifications) listen to. Sent only after commit."""

from __future__ import annotations

from django.dispatch import Signal

# Sent with sender=Verdict, verdict=<Verdict>, event=<ReviewEvent> (event.kind is "approved" or "marked_stale")
# after an approval or a stale marking commits.
verdict_changed = Signal()
