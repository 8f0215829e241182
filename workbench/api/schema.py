"""The OpenAPI schema: every operation documents the error responses it can give, in the one error shape."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(
        required=False, child=serializers.JSONField(), help_text="Validation messages per field (400 only)."
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


ERROR_DESCRIPTIONS = {
    "400": "Invalid request; `error.fields` names each bad field.",
    "401": "No credentials, or a bad or revoked token.",
    "403": "The token lacks the scope, or the user may not do this.",
    "404": "Not found, or not visible to you.",
    "409": "Conflicts with the resource's state.",
    "412": "If-Match does not match the current revision.",
    "413": "Request body too large.",
    "415": "Unsupported media type.",
    "422": "Idempotency-Key reused with a different request.",
    "428": "If-Match (or revision) is required.",
    "406": "Not acceptable.",
    "429": "Rate limit exceeded; see Retry-After.",
}


class WorkbenchAutoSchema(AutoSchema):
    """Adds error responses: 401/403/404/406/429 everywhere, 400/413/415 where a body is read, plus per-view extras."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = ["401", "403", "406", "429"]
        if self.method in ("POST", "PUT", "PATCH"):
            codes += ["400", "413", "415"]
        if self.method == "GET" and self._is_list_view():
            codes += ["400"]
        if "{" in self.path:
            codes += ["404"]
        extra = getattr(self.view, "extra_error_codes", {})
        codes += [str(code) for code in extra.get(self.method, ())]
        codes += [str(code) for code in extra.get(getattr(self.view, "action", None), ())]
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code]), code, direction=direction
                )
        return responses
