"""A JSON parser that refuses bodies over the API limit with 413 before reading them whole, and bodies nested deeper
than any request of this API needs with 400 before Python's recursive decoder sees them."""

from __future__ import annotations

from io import BytesIO

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from workbench.api.exceptions import PayloadTooLarge
from workbench.core.json_depth import API_MAX_JSON_DEPTH, json_depth


class LimitedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_MAX_BODY_BYTES
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isdigit() and int(declared) > limit:
            raise PayloadTooLarge(f"The request body is {int(declared):,} bytes; the limit is {limit:,}.")
        if stream is not None:
            data = stream.read(limit + 1)
            if len(data) > limit:
                raise PayloadTooLarge(f"The request body is over the limit of {limit:,} bytes.")
            depth = json_depth(data)
            if depth > API_MAX_JSON_DEPTH:
                raise ParseError(f"JSON nested {depth} levels deep; the limit is {API_MAX_JSON_DEPTH}.")
            stream = BytesIO(data)
        return super().parse(stream, media_type, parser_context)
