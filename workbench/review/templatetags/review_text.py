from __future__ import annotations

from django import template

from workbench.review.highlight import plain as plain_text

register = template.Library()


@register.filter
def plain(value) -> str:
    """Article text as inert HTML (nh3), for sentences and spans shown outside a highlight."""
    return plain_text("" if value is None else str(value))
