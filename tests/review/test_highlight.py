"""Marking spans in article text: built from offsets, never from the raw text as HTML."""

from __future__ import annotations

import html
import re

from hypothesis import given
from hypothesis import strategies as st

from workbench.review.highlight import Span, highlight, sentences_in_text

MARK = re.compile(r'<mark class="[^"<>]*" title="[^"<>]*" data-flag="[^"<>]*">|</mark>')


def _strip_marks(rendered: str) -> str:
    return MARK.sub("", rendered)


def test_each_span_is_marked_at_its_offsets():
    text = "NATO plans to double its efforts."
    rendered = str(highlight(text, [Span(14, 20, "sev-3", "1. Number changed", "1")]))
    assert re.findall(r"<mark[^>]*>([^<]*)</mark>", rendered) == ["double"]
    assert 'title="1. Number changed"' in rendered and 'data-flag="1"' in rendered


def test_overlapping_spans_share_the_overlap_and_bad_offsets_are_ignored():
    rendered = str(
        highlight("abcdefgh", [Span(1, 5, "a", "A", "1"), Span(3, 7, "b", "B", "2"), Span(6, 99, "c"), Span(4, 4, "d")])
    )
    assert re.findall(r'<mark class="([^"]*)"[^>]*>([^<]*)</mark>', rendered) == [
        ("a flag", "bc"),
        ("a b flag", "de"),
        ("b flag", "fg"),
    ]


def test_markup_in_the_text_is_shown_as_characters():
    rendered = str(highlight('<script>alert("x")</script> said', [Span(0, 8, "sev-1")]))
    assert "<script>" not in rendered and "&lt;script&gt;" in rendered


@given(
    text=st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]) | st.sampled_from("<>&\"' \n"), max_size=80),
    raw_spans=st.lists(st.tuples(st.integers(-5, 90), st.integers(-5, 90), st.text(max_size=5)), max_size=6),
)
def test_any_text_and_spans_render_safely_and_lose_nothing(text, raw_spans):
    spans = [Span(a, b, "sev-1", title, "1") for a, b, title in raw_spans]
    rendered = str(highlight(text, spans))
    body = _strip_marks(rendered)
    assert "<" not in body and ">" not in body
    assert html.unescape(body) == text


def test_the_full_text_locates_one_sentence_and_keeps_paragraphs():
    text = "First one.\n\nSecond <b>two</b>.\nThird."
    rendered = str(
        sentences_in_text(text, [(0, 10, "claim-1"), (12, 29, "claim-2"), (31, 37, "claim-3")], located="claim-2")
    )
    assert (
        '<span id="claim-1" class="sentence">First&#32;one.</span><br><br><mark id="claim-2" class="sentence">'
        in rendered
    )
    assert "<b>" not in rendered and rendered.count("<br>") == 3
