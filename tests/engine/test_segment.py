from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.engine.segment import split_sentences


def texts(text):
    return [s.text for s in split_sentences(text)]


def test_abbreviations_and_datelines_do_not_split():
    t = "(Bloomberg) — Gen. Smith met Mr. Jones in the U.S. capital on Monday. They agreed."
    assert texts(t) == ["(Bloomberg) — Gen. Smith met Mr. Jones in the U.S. capital on Monday.", "They agreed."]


def test_quote_is_kept_whole_and_list_items_and_headings_are_segments():
    t = "“It was a wonderful day. Great to see friends,” she said.\n- Ceding territories lost.\nWhat Comes Next"
    assert texts(t) == [
        "“It was a wonderful day. Great to see friends,” she said.",
        "Ceding territories lost.",
        "What Comes Next",
    ]


def test_glued_sentences_are_split():
    assert texts("The capsule arrived.The crew waved.") == ["The capsule arrived.", "The crew waved."]


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_offsets_always_slice_back(text):
    previous_end = 0
    for i, s in enumerate(split_sentences(text)):
        assert s.index == i
        assert text[s.start : s.end] == s.text
        assert s.start >= previous_end, "sentences are in order and never overlap"
        assert s.text == s.text.strip() and re.search(r"\w", s.text), "a sentence has a word and no edge whitespace"
        assert "\n" not in s.text, "a sentence never crosses a line break"
        previous_end = s.end
