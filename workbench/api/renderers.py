"""Renderers for the exports: JSON that is safe to embed in an HTML script element, as JSON or JSON-LD."""

from __future__ import annotations

from rest_framework.renderers import JSONRenderer

from workbench.core.safe_json import script_safe_bytes


class ScriptSafeJSONRenderer(JSONRenderer):
    """JSON with `<`, `>` and `&` escaped (\\u003c...), so an export pasted into a page cannot end its script."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return script_safe_bytes(super().render(data, accepted_media_type, renderer_context))


class JSONLDRenderer(ScriptSafeJSONRenderer):
    """JSON-LD (schema.org ClaimReview) as application/ld+json."""

    media_type = "application/ld+json"
    format = "jsonld"
