"""A JSON parser that refuses bodies over the API limit with 413 before reading them whole, and bodies nested deeper
than any request of this API needs with 400 before Python's recursive decoder sees them."""

from __future__ import annotations

import re
from io import BytesIO

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from workbench.api.exceptions import PayloadTooLarge


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
            depth_check(data)
            stream = BytesIO(data)
        return super().parse(stream, media_type, parser_context)


# No request body of this API nests more than a few levels; the decoder recurses once per level and fails with
# RecursionError near 1,000, so the depth is checked first, in one linear pass.
API_MAX_JSON_DEPTH = 32
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKET = re.compile(rb"[\[\]{}]")


def json_depth(data: bytes) -> int:
    """The deepest nesting of arrays and objects in ``data`` (brackets inside strings do not count). Linear time."""
    depth = deepest = 0
    for match in _JSON_BRACKET.finditer(_JSON_STRING.sub(b'""', data)):
        if match.group() in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def depth_check(data: bytes) -> None:
    """Raise ParseError (400) when ``data`` nests deeper than API_MAX_JSON_DEPTH."""
    depth = json_depth(data)
    if depth > API_MAX_JSON_DEPTH:
        raise ParseError(f"JSON nested {depth} levels deep; the limit is {API_MAX_JSON_DEPTH}.")
