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


BRIDGE = (
    "The city council voted 7-2 on Tuesday to close the Main Street bridge for repairs.\n"
    "Engineers found corrosion in two of the bridge's steel supports last month, the council said.\n"
    "The bridge will reopen in May, Mayor Ana Ruiz told reporters after the vote.\n"
)


@pytest.mark.parametrize(
    "page",
    [
        "Council closes bridge\nRecommended\nExpand / Collapse search\n" + BRIDGE,
        "Council closes bridge\nRelated stories\nFloods close schools\nPark reopens after storm\n" + BRIDGE,
        "Council closes bridge\n" + BRIDGE.replace("\nEngineers", "\nMost read\nFloods close schools\nEngineers", 1),
    ],
    ids=["furniture-heading-above", "link-list-above", "link-list-inside"],
)
def test_a_furniture_heading_or_link_list_does_not_cut_the_body(page):
    extracted = extract_article(page)
    for sentence in BRIDGE.splitlines():
        assert sentence in extracted.text
    assert "Floods close schools" not in extracted.text


def test_a_link_list_after_the_body_is_still_left_out():
    extracted = extract_article(
        BRIDGE + "Most read\nFloods close schools\nPark Reopens After The Storm Passes Through\n"
    )
    assert extracted.text.splitlines() == BRIDGE.splitlines()


def test_a_single_claim_is_an_article():
    assert extract_article("Vaccines cause autism.").text == "Vaccines cause autism."


def test_a_page_with_no_prose_sentence_is_refused_saying_so():
    with pytest.raises(IngestError, match="no article body: not one prose sentence was found"):
        extract_article("Home\nWorld\nShare on Facebook\nSubscribe to our newsletter\n")


def test_when_the_extractor_misses_the_body_the_page_text_is_used():
    html = (
        "<html><body><nav><a href='/'>Home</a></nav>"
        + "".join(f"<div><span>{line}</span></div>" for line in BRIDGE.splitlines()[:1])
        + "".join(f"<p>{line}</p>" for line in BRIDGE.splitlines()[1:])
        + "</body></html>"
    )
    text = extract_article(html).text
    assert "The bridge will reopen in May" in text


def test_the_longest_run_of_prose_lines_is_found_among_furniture():
    from workbench.engine.clean import longest_prose_run

    page = "Menu\nHome | World\n" + BRIDGE + "Share on Facebook\nOne more sentence stands alone here, far below.\n"
    assert longest_prose_run(page) == BRIDGE.splitlines()
