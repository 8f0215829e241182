"""Corrections that travel: when the origin corrects or withdraws a sentence, every derivative claim still repeating
the earlier wording is flagged `correction_not_carried` within one re-verification pass, reviewed or not; a copy that
carried the correction is not; and the flag survives later re-traces."""

from __future__ import annotations

import pytest

from tests.provenance.test_reverify import OriginPage
from tests.reliability.local_server import LocalPageServer
from workbench.engine.corrections import correction_flag, superseded_sentences
from workbench.engine.types import FlagType
from workbench.provenance.models import Divergence, Story
from workbench.provenance.services import article_reverify, articles_trace, story_retrace
from workbench.review.selectors import review_queue
from workbench.sources.models import ArticleVersion
from workbench.sources.services import article_ingest, article_ingest_url

pytestmark = pytest.mark.django_db

FIRST = (
    "Flooding forced 1,200 residents from their homes in the river valley on Tuesday, officials said. "
    "The regional council opened three emergency shelters in school buildings near the valley. "
    "Rescue teams pulled 14 people from cars stranded on the flooded main road overnight. "
    "Forecasters expect the river to crest on Thursday morning before the water slowly recedes. "
    "The mayor said repairs to the old stone bridge would take several months to complete."
)
CORRECTED = FIRST.replace("1,200 residents", "800 residents").replace(
    "Rescue teams pulled 14 people from cars stranded on the flooded main road overnight. ", ""
)
STALE_COPY = (
    "Flooding forced 1,200 residents from their homes in the river valley on Tuesday, officials said. "
    "The regional council opened three emergency shelters in school buildings near the valley. "
    "Rescue teams pulled 14 people from cars stranded on the flooded main road overnight. "
    "Forecasters expect the river to crest on Thursday morning before the water slowly recedes."
)
CARRIED_COPY = (
    "Flooding forced 800 residents from their homes in the river valley on Tuesday, officials said. "
    "The regional council opened three emergency shelters in school buildings near the valley. "
    "Forecasters expect the river to crest on Thursday morning before the water slowly recedes."
)


def not_carried(article) -> dict[str, Divergence]:
    rows = Divergence.objects.filter(
        claim__version=article.versions.order_by("-number").first(), type=FlagType.CORRECTION_NOT_CARRIED
    ).select_related("claim", "origin_claim")
    return {d.claim.text: d for d in rows}


@pytest.fixture
def corrected_story(settings):
    settings.FETCH_DOMAIN_INTERVAL_S = 0
    with LocalPageServer() as server:
        settings.FETCH_TEST_ALLOW_LOOPBACK = [server.allowance]
        page = OriginPage(FIRST.encode())
        server.routes["/floods"] = page
        origin = article_ingest_url(url=server.url("/floods")).article
        stale = article_ingest(content=STALE_COPY, arrival=ArticleVersion.Arrival.UPLOAD, outlet_name="Valley Post")
        carried = article_ingest(content=CARRIED_COPY, arrival=ArticleVersion.Arrival.UPLOAD, outlet_name="Gazette")
        articles_trace(articles=[origin, stale.article, carried.article], origin=origin)
        assert not Divergence.objects.filter(type=FlagType.CORRECTION_NOT_CARRIED).exists()
        page.body = CORRECTED.encode()
        yield {"origin": origin, "stale": stale.article, "carried": carried.article}


def test_one_reverification_pass_flags_the_unreviewed_copy_repeating_the_old_wording(corrected_story):
    outcome = article_reverify(article=corrected_story["origin"])
    assert outcome.changed and outcome.retrace is not None
    flagged = not_carried(corrected_story["stale"])
    number = flagged[STALE_COPY.split(". ")[0] + "."]
    assert number.span == "1,200"
    assert (
        "“Flooding forced 1,200 residents" in number.explanation
        and "“Flooding forced 800 residents" in number.explanation
    )
    assert number.origin_claim.text.startswith("Flooding forced 800") and number.origin_span == number.origin_claim.text
    withdrawn = flagged["Rescue teams pulled 14 people from cars stranded on the flooded main road overnight."]
    assert "withdrew" in withdrawn.explanation and withdrawn.origin_claim is None
    assert len(flagged) == 2
    assert number.claim.label == "altered"


def test_a_copy_that_carried_the_correction_is_not_flagged(corrected_story):
    article_reverify(article=corrected_story["origin"])
    assert not_carried(corrected_story["carried"]) == {}


def test_the_flag_survives_later_retraces(corrected_story):
    article_reverify(article=corrected_story["origin"])
    before = {text: (d.span, d.explanation) for text, d in not_carried(corrected_story["stale"]).items()}
    story = Story.objects.get(origin=corrected_story["origin"])
    story_retrace(story=story, trigger="a later pass")
    articles_trace(articles=[corrected_story["origin"], corrected_story["stale"]], origin=corrected_story["origin"])
    after = {text: (d.span, d.explanation) for text, d in not_carried(corrected_story["stale"]).items()}
    assert after == before and len(after) == 2


def test_the_flagged_unreviewed_claims_rise_to_the_top_of_the_review_queue(corrected_story):
    article_reverify(article=corrected_story["origin"])
    flagged = {d.claim_id for d in not_carried(corrected_story["stale"]).values()}
    queue = list(review_queue().values_list("pk", "priority"))
    assert {pk for pk, _ in queue[: len(flagged)]} == flagged
    assert {priority for pk, priority in queue if pk in flagged} == {1}  # high severity, no verdict needed


def test_superseded_sentences_pair_corrections_with_their_rewording_and_mark_withdrawals():
    found = {s.old: s.new for s in superseded_sentences([FIRST], CORRECTED)}
    assert found == {
        "Flooding forced 1,200 residents from their homes in the river valley on Tuesday, officials said.": (
            "Flooding forced 800 residents from their homes in the river valley on Tuesday, officials said."
        ),
        "Rescue teams pulled 14 people from cars stranded on the flooded main road overnight.": None,
    }
    assert superseded_sentences([FIRST], FIRST) == []


def test_a_paraphrase_repeating_the_old_figure_is_flagged_and_one_with_the_new_figure_is_not():
    superseded = superseded_sentences([FIRST], CORRECTED)
    old = "Officials said flooding drove 1,200 residents from their homes in the river valley on Tuesday."
    new = "Officials said flooding drove 800 residents from their homes in the river valley on Tuesday."
    unrelated = "Forecasters expect the river to crest on Thursday morning."
    assert correction_flag(old, superseded, []).span == "1,200"
    assert correction_flag(new, superseded, []) is None
    assert correction_flag(unrelated, superseded, []) is None
