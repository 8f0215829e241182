"""Article text out of HTML: how deeply nested markup is read, and the reason given when it cannot be."""

from __future__ import annotations

import pytest

from workbench.core.errors import IngestError
from workbench.core.extract import PARSER_MAX_DEPTH, extract_article

BODY = "The minister said the talks would resume next week after a long pause in the negotiations. " * 3


def nested(depth: int) -> str:
    return f"<html><body>{'<div>' * depth}<p>{BODY}</p>{'</div>' * depth}</body></html>"


def test_text_nested_just_within_the_parser_s_depth_is_extracted():
    extracted = extract_article(nested(PARSER_MAX_DEPTH - 10))
    assert extracted.content_type == "html"
    assert "talks would resume next week" in extracted.text


@pytest.mark.parametrize("depth", [PARSER_MAX_DEPTH + 50, 100_000])
def test_text_nested_beyond_it_is_refused_naming_the_depth(depth):
    with pytest.raises(IngestError, match=f"more than {PARSER_MAX_DEPTH} levels deep"):
        extract_article(nested(depth))


def test_a_shallow_page_without_a_body_keeps_its_own_reason():
    with pytest.raises(IngestError, match="the HTML has no main text"):
        extract_article("<html><body><nav><a href='/'>Home</a></nav><p>Menu</p><div>Login</div></body></html>")
