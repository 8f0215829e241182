from __future__ import annotations

from rest_framework.renderers import JSONRenderer


class JSONLDRenderer(JSONRenderer):
    """JSON-LD (schema.org ClaimReview) as application/ld+json."""

    media_type = "application/ld+json"
    format = "jsonld"
