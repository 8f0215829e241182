"""Django choices built from the engine's enums, so the database, forms and API speak the engine's vocabulary."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from django.db import models


def text_choices(name: str, members: Iterable[StrEnum], *, extra: Iterable[tuple[str, str]] = ()) -> type:
    """A ``TextChoices`` class named ``name`` with one member per engine enum member (same name, value and display
    name, in the enum's order), then the ``extra`` (value, label) pairs that only the database knows."""
    entries = [(member.name, (member.value, member.display_name)) for member in members]
    entries += [(value.upper(), (value, label)) for value, label in extra]
    return models.TextChoices(name, entries)
