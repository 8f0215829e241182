"""Reading who published an article from its own words: masthead, credit line, dateline credit."""

from __future__ import annotations

import pytest

from workbench.core.masthead import CREDIT, DATELINE, MASTHEAD, host_outlet_name, outlet_in_text, outlet_readings


@pytest.mark.parametrize(
    ("text", "name", "evidence"),
    [
        ("Officials met on Monday. Read Full Article at RT.com.", "RT", MASTHEAD),
        ("Body text here.\nPrime Headlines | © 2024 | News", "Prime Headlines", MASTHEAD),
        ("Body.\n© 2024 The Columbian. All rights reserved.", "The Columbian", MASTHEAD),
        ("Body.\nMark B Thomas contributed to this report for TROIB News", "TROIB News", CREDIT),
        ("By Iain Marlow and Andrea Palasciano, Bloomberg News\nUkraine's allies...", "Bloomberg News", CREDIT),
        ("(Bloomberg) — Ukraine President Volodymyr Zelenskiy suggested...", "Bloomberg", DATELINE),
        ("WASHINGTON (AP) — Two astronauts stuck in space...", "AP", DATELINE),
        ("KYIV, Dec 4 (Reuters) - Ukraine's allies...", "Reuters", DATELINE),
    ],
)
def test_an_outlet_is_read_from_a_masthead_credit_or_dateline(text, name, evidence):
    reading = outlet_in_text([text])
    assert reading is not None
    assert (reading.name, reading.evidence) == (name, evidence)
    assert reading.words in text


def test_a_masthead_outranks_a_credit_and_a_credit_outranks_a_dateline():
    text = "(Reuters) - Body.\nBy Jo Doe, Kyiv Post\nMore body.\nRead the full story on apnews.com"
    assert [(r.name, r.evidence) for r in outlet_readings([text])] == [
        ("AP", MASTHEAD),
        ("Kyiv Post", CREDIT),
        ("Reuters", DATELINE),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Ukraine's allies are shifting strategy, according to a report by Bloomberg.",  # the story's subject
        "Due to copyright reasons, we are unable to use the original images.",
        "This is stated in the article by Bloomberg.",
        "",
    ],
)
def test_text_that_only_mentions_an_outlet_names_none(text):
    assert outlet_in_text([text]) is None


def test_a_host_name_reads_as_the_outlet_name_people_use():
    assert host_outlet_name("www.RT.com") == "RT"
    assert host_outlet_name("www.columbian.com") == "columbian.com"
