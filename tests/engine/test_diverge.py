from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.engine.diverge import detect_flags, origin_context

ORIGIN = (
    "One possible option includes a buffer zone. European troops would probably patrol it, "
    "according to one senior diplomat."
)


def flags(claim, origin_sentence):
    return detect_flags(claim, [(0, origin_sentence)], origin_context([ORIGIN, origin_sentence]))


def types(claim, origin_sentence):
    return {f.type for f in flags(claim, origin_sentence)}


def test_hedge_dropped_and_certainty_raised():
    assert "hedge_dropped" in types("European troops would patrol it.", "European troops would probably patrol it.")
    assert "certainty_raised" in types(
        "One key option includes a buffer zone.", "One possible option includes a buffer zone."
    )


def test_quote_altered_for_paraphrase_in_quotation_marks():
    f = flags(
        'Officials want a "buffer zone patrolled by troops" soon.', "Officials want a buffer zone, patrolled by troops."
    )
    assert any(x.type == "quote_altered" for x in f)


def test_number_changed_and_qualifier_dropped():
    assert "number_changed" in types("Shares fell 8.9 per cent.", "Shares fell as much as 9.2 per cent.")
    assert "omitted_qualifier" in types(
        "Apple provides 5 per cent of revenue.", "Apple provides about 5 per cent of revenue."
    )


def test_a_dropped_scope_word_is_an_omitted_qualifier():
    got = flags(
        "The tool beats humans in economically valuable tasks.",
        "The tool beats humans in most economically valuable tasks.",
    )
    flag = next(x for x in got if x.type == "omitted_qualifier")
    assert (flag.span, flag.origin_span) == ("economically", "most economically")
    got = flags(
        "The chips are the only components made by others.",
        "The chips are some of the only major components made by others.",
    )
    assert any(x.type == "omitted_qualifier" and x.origin_span == "some of the only major components" for x in got)


def test_a_scope_restated_in_other_words_or_in_another_clause_is_not_omitted():
    assert "omitted_qualifier" not in types(
        "Cases rose, predominantly among children.", "Cases rose, most of them among children."
    )
    assert "omitted_qualifier" not in types(
        "A few staff believe the model could help.", "Some staff believe the model could help."
    )
    assert "omitted_qualifier" not in types(
        "Cases rose in Texas, officials said.", "Cases rose, most of them children, Texas officials said."
    )


def test_an_outcome_the_origin_never_states_is_added_detail():
    got = flags("A buffer zone will likely dominate future talks.", "One possible option includes a buffer zone.")
    flag = next(x for x in got if x.type == "added_detail")
    assert flag.span == "dominate future talks" and flag.origin_span is None


def test_a_reworded_outcome_of_an_origin_that_predicts_one_is_not_added_detail():
    got = flags("The discovery could pose a threat to humanity.", "The discovery could threaten humanity.")
    assert not any(x.type == "added_detail" for x in got)


def test_added_detail_for_novel_specifics():
    got = flags(
        "Troops will deliver advanced air defense systems, artillery and armored vehicles.",
        "Troops will rush more weapons.",
    )
    assert any(x.type == "added_detail" and "artillery" in x.span for x in got)


def test_faithful_copy_has_no_flags():
    s = "European troops would probably patrol it, according to one senior diplomat."
    assert flags(s, s) == []


@settings(max_examples=120, deadline=None)
@given(st.text(max_size=200), st.text(max_size=200))
def test_flag_spans_slice_back(claim, origin_sentence):
    for f in detect_flags(claim, [(0, origin_sentence)], origin_context([origin_sentence])):
        assert claim[f.span_start : f.span_end] == f.span
        if f.origin_span is not None:
            assert origin_sentence[f.origin_start : f.origin_end] == f.origin_span


def test_a_rewrite_s_own_dateline_is_not_the_claim_s_source_when_it_credits_the_origin():
    origin = "Apple is planning to use its own chips in Mac computers, according to people familiar with the plans."
    context = origin_context([origin], outlet_names=["Bloomberg"])

    def attribution_flags(claim):
        return [f for f in detect_flags(claim, [(0, origin)], context) if f.type == "attribution_changed"]

    credited = "April 2 (Reuters) - Apple is planning to use its own chips in Macs, Bloomberg reported, citing people."
    assert attribution_flags(credited) == []
    uncredited = "April 2 (Reuters) - Apple is planning to use its own chips in Macs, people familiar with it said."
    assert [f.span for f in attribution_flags(uncredited)] == ["Reuters"]
    elsewhere = "April 2 (Reuters) - Apple is planning to use its own chips in Macs, Sky News reported on Monday."
    flag = next(iter(attribution_flags(elsewhere)))
    assert flag.span == "Sky News" and elsewhere[flag.span_start : flag.span_end] == flag.span


def test_a_name_in_the_place_of_another_is_changed_and_a_name_added_elsewhere_is_added_detail():
    origin = "Apple provides Intel with about 5 per cent of its revenue, the analysts said on Tuesday."
    swapped = flags("Apple provides AMD with about 5 per cent of its revenue, the analysts said on Tuesday.", origin)
    assert [(f.type, f.span, f.origin_span) for f in swapped if f.type == "entity_changed"] == [
        ("entity_changed", "AMD", "Intel")
    ]

    added = flags("Apple provides about 5 per cent of its revenue in Cupertino, the analysts said on Tuesday.", origin)
    assert not any(f.type in ("entity_changed", "attribution_changed") for f in added)
    assert any(f.type == "added_detail" and "Cupertino" in f.span for f in added)

    credited = "Apple provides Intel with 5 per cent of its revenue, two people told Reuters."
    moved = flags("Apple provides Intel with 5 per cent of its revenue, two people told CNN.", credited)
    changed = [f for f in moved if f.type == "attribution_changed"]
    assert [f.span for f in changed] == ["CNN"] and "Reuters" in changed[0].origin_span


def test_a_scope_phrase_cut_whole_is_an_omitted_qualifier_but_a_trim_or_a_restated_scope_is_not():
    origin = "The vaccine protects children in most age groups, the health agency said on Monday."
    cut = flags("The vaccine protects children, the health agency said on Monday.", origin)
    flag = next(x for x in cut if x.type == "omitted_qualifier")
    assert (flag.span, flag.origin_span) == ("children", "most age groups")

    restated = flags("The vaccine protects many children, the health agency said on Monday.", origin)
    assert not any(x.type == "omitted_qualifier" for x in restated)
    trimmed = flags("The vaccine works, officials said.", origin)
    assert not any(x.type == "omitted_qualifier" for x in trimmed)
