"""JSON that is safe to paste inside an HTML <script> element.

ClaimReview is published by embedding it in `<script type="application/ld+json">`; a `</script>` inside an article's
text or a rationale would end that element and let what follows run. `<`, `>` and `&` only ever occur inside JSON
strings, so writing them as `\\u003c`, `\\u003e`, `\\u0026` keeps the text valid JSON with the same value. U+2028 and
U+2029 are escaped too: valid in JSON, but line ends in older JavaScript.
"""

from __future__ import annotations

import json

_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_TABLE = str.maketrans(_ESCAPES)
_BYTE_ESCAPES = tuple((char.encode(), escape.encode()) for char, escape in _ESCAPES.items())


def script_safe(text: str) -> str:
    """Escape an already serialised JSON text for embedding in a script element."""
    return text.translate(_TABLE)


def script_safe_bytes(data: bytes) -> bytes:
    """The same for UTF-8 encoded JSON."""
    for char, escape in _BYTE_ESCAPES:
        data = data.replace(char, escape)
    return data


def script_safe_dumps(value, **kwargs) -> str:
    """json.dumps, escaped for a script element."""
    return script_safe(json.dumps(value, **kwargs))
