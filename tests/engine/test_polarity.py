"""A claim that says the opposite of its origin sentence is flagged `polarity_reversed` and traced `contradicted`."""

from __future__ import annotations

import pytest

from workbench.engine.diverge import detect_flags, origin_context
from workbench.engine.trace import trace_against
from workbench.engine.types import ArticleInput


def reversal(origin_sentence: str, claim: str):
    flags = detect_flags(claim, [(0, origin_sentence)], origin_context([origin_sentence]))
    return next((f for f in flags if f.type == "polarity_reversed"), None)


@pytest.mark.parametrize(
    ("origin_sentence", "claim", "claim_words", "origin_words"),
    [
        (
            "The government will not raise income taxes.",
            "The government will raise income taxes.",
            "raise",
            "not raise",
        ),
        (
            "Officials said the fire was contained.",
            "Officials said the fire was not contained.",
            "not contained",
            "contained",
        ),
        (
            "The spokesman declined to comment on the report.",
            "The spokesman commented on the report.",
            "commented",
            "declined to comment",
        ),
        ("The company narrowed its quarterly loss.", "The company widened its quarterly loss.", "widened", "narrowed"),
        (
            "The senate approved the bill on Tuesday.",
            "The senate rejected the bill on Tuesday.",
            "rejected",
            "approved",
        ),
        (
            "Unemployment was 4.1%, up from 4.0% a month earlier.",
            "Unemployment was 4.1%, down from 4.0% a month earlier.",
            "down",
            "up",
        ),
    ],
)
def test_the_flag_names_the_reversing_words_on_both_sides(origin_sentence, claim, claim_words, origin_words):
    flag = reversal(origin_sentence, claim)
    assert flag is not None
    assert (flag.span, flag.origin_span) == (claim_words, origin_words)


@pytest.mark.parametrize(
    ("origin_sentence", "claim"),
    [
        (
            "The company did not immediately respond to a request for comment.",
            "The company declined to respond to a request for comment.",
        ),
        ("No one was injured in the blast.", "Nobody was hurt in the blast."),
        ("Deliveries are due no later than March.", "Deliveries are due by March."),
        ("Prices did not rise in May.", "Prices fell in May."),
        ("Sales rose in Europe but fell in Asia.", "Sales fell in Asia and rose in Europe."),
    ],
)
def test_a_faithful_rewrite_is_not_a_reversal(origin_sentence, claim):
    assert reversal(origin_sentence, claim) is None


def test_a_reversed_claim_is_traced_contradicted_and_the_faithful_copy_supported():
    origin = ArticleInput(
        key="origin",
        text="The finance minister said on Monday the government will not raise income taxes next year. "
        "Spending on schools will grow by a tenth.",
    )
    copy = ArticleInput(
        key="copy",
        text="The finance minister said on Monday the government will raise income taxes next year. "
        "Spending on schools will grow by a tenth.",
    )
    traced = trace_against(origin, [copy])[1].sentences
    assert [s.label for s in traced] == ["contradicted", "supported"]
    assert [f.type for f in traced[0].flags][:1] == ["polarity_reversed"]
