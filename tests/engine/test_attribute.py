from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.engine.attribute import find_attribution


def test_named_source_and_hedge():
    a = find_attribution("Two people familiar with the matter told Reuters that the letter existed.")
    assert a is not None and a.source == "Reuters"
    assert a.hedge is not None and "familiar with the matter" in a.hedge


def test_according_to_and_dateline_and_reports():
    assert find_attribution("The plan is early, according to Bloomberg.").label == "Bloomberg"
    assert find_attribution("(Bloomberg) — The president spoke.").source == "Bloomberg"
    assert find_attribution("American media report that the plan exists.").source == "American media"


def test_hedged_source_and_no_attribution():
    a = find_attribution("European troops would patrol it, according to one senior NATO diplomat.")
    assert a is not None and a.hedge is not None and "diplomat" in a.hedge
    assert find_attribution("The sky is blue.") is None


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_span_slices_back_and_never_raises(text):
    a = find_attribution(text)
    if a is not None:
        assert text[a.start : a.end] == a.text
