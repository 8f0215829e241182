from __future__ import annotations

from workbench.engine.clean import is_boilerplate, prepare


def test_furniture_lines_are_removed_and_headline_picked():
    raw = (
        '<img height="1" src="https://x/tr?id=1">\nWednesday, December 4, 2024\nLinkedin Pinterest\n'
        "Big news happens today\n\nBy Jane Roe, Example News\nThe council approved the plan on Monday.\n"
        "Support local journalism\nLoading..."
    )
    p = prepare(raw)
    assert p.headline == "Big news happens today"
    assert p.text == "The council approved the plan on Monday."
    assert p.byline == "Jane Roe, Example News"
    assert any("Support local journalism" in r for r in p.removed)


def test_inline_link_out_is_stripped_but_sentence_kept():
    p = prepare("Title here\nAllies met, according to a report. Read Full Article at Example.com.")
    assert p.text == "Allies met, according to a report."


def test_link_list_marker_drops_the_rest():
    p = prepare("Head\nA real sentence here.\nSimilar Content\nOther story one\nOther story two")
    assert "Other story" not in p.text


def test_is_boilerplate_on_generic_furniture():
    assert is_boilerplate("The editorial board is not responsible for the content of material taken.")
    assert is_boilerplate("(With inputs from agencies.)")
    assert is_boilerplate("1 min read")
    assert not is_boilerplate("The council approved the plan on Monday.")
