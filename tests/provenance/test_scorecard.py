"""Outlet scorecards count the traced claims of each article's newest version, per outlet and period."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.provenance.scorecard_data import archive
from workbench.provenance.scorecard import outlet_scorecards, since_parse

pytestmark = pytest.mark.django_db


def cards_by_name(**kwargs) -> dict:
    return {card.name: card for card in outlet_scorecards(**kwargs)}


def test_a_republishing_outlet_gets_its_shares_flag_rates_and_verdicts():
    archive()
    paper = cards_by_name()["Daily Paper"]
    assert (paper.articles_traced, paper.claims) == (1, 5)
    assert paper.shares == {"supported": 0.6, "altered": 0.2, "unsourced": 0.2, "contradicted": 0.0}
    assert paper.flags_per_100("number_changed") == 20.0
    assert paper.flags_per_100("added_detail") == 20.0
    assert paper.flags_per_100("hedge_dropped") == 0.0
    assert paper.verdicts == {"altered": 1, "supported": 1}
    assert (paper.uncredited_wire_articles, paper.corrections_not_carried) == (1, 1)
    assert cards_by_name()["Gazette"].uncredited_wire_articles == 0


def test_origin_sentences_boilerplate_older_versions_and_untraced_claims_do_not_count():
    archive()
    cards = cards_by_name()
    assert cards["Wire Service"].claims == 0 and cards["Wire Service"].share("supported") is None
    assert cards["Daily Paper"].labels.get("contradicted", 0) == 0
    assert cards["Quiet Times"].articles_traced == 0 and cards["Quiet Times"].flags_per_100("added_detail") is None


def test_the_period_leaves_out_articles_published_before_it():
    archive()
    assert cards_by_name()["Gazette"].claims == 2
    recent = cards_by_name(since=datetime(2024, 6, 1, tzinfo=UTC))
    assert recent["Gazette"].claims == 0
    assert recent["Daily Paper"].claims == 5


def test_since_reads_dates_and_moments_and_refuses_anything_else():
    assert since_parse("2024-06-01") == datetime(2024, 6, 1, tzinfo=UTC)
    assert since_parse("2024-06-01T08:30:00+00:00") == datetime(2024, 6, 1, 8, 30, tzinfo=UTC)
    assert since_parse("") is None
    with pytest.raises(ValueError, match="not an ISO 8601 date"):
        since_parse("last week")
