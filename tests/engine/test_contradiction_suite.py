"""Contradictions found, and never invented: reversed sentences written from the news corpus's tuning part, and every
faithful sentence of the development set and the tuning part.

Each case is an origin sentence of the tuning part and the same sentence reversed: a negation added or removed, a word
swapped for its opposite, a figure said to move the other way.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.engine.diverge import detect_flags, origin_context
from workbench.engine.report import files_report

ROOT = Path(__file__).resolve().parents[2]
FINDS_AT_LEAST = 0.8

NEGATION_REMOVED = [
    ("Khan and his wife, Bushra Bibi, had pleaded not guilty.", "Khan and his wife, Bushra Bibi, had pleaded guilty."),
    (
        "But after the landing mishap, the craft's solar panels wound up facing the wrong direction, and it cannot "
        "generate power.",
        "But after the landing mishap, the craft's solar panels wound up facing the wrong direction, and it can "
        "generate power.",
    ),
    ("None of the hundreds of affected cows have died, Shah said.", "Hundreds of affected cows have died, Shah said."),
    (
        "Contact was never lost, rather it was like making a phone call where you can't hear the person on the other "
        "end, a JPL spokeswoman said Tuesday.",
        "Contact was lost, rather it was like making a phone call where you can't hear the person on the other end, a "
        "JPL spokeswoman said Tuesday.",
    ),
    (
        "The court added that \"we conclude that the challenged provisions do not violate petitioners' First "
        'Amendment rights."',
        "The court added that the challenged provisions violate petitioners' First Amendment rights.",
    ),
    (
        "Genetic tests don't suggest that the virus suddenly is spreading more easily or that it is causing more "
        "severe illness, Shah said.",
        "Genetic tests suggest that the virus suddenly is spreading more easily or that it is causing more severe "
        "illness, Shah said.",
    ),
    (
        "Mayor Sergio Pirozzi said around 15 people, including some children and the local baker, had not been "
        "accounted for.",
        "Mayor Sergio Pirozzi said around 15 people, including some children and the local baker, had been "
        "accounted for.",
    ),
    (
        "In a statement on Wednesday, the RSF said it had attacked army and allied militia bases around Wad Alnoura "
        "but did not acknowledge any civilian casualties.",
        "In a statement on Wednesday, the RSF said it had attacked army and allied militia bases around Wad Alnoura "
        "and acknowledged civilian casualties.",
    ),
    (
        "Later it put the number of dead in the hundreds, and said the Sudanese army had not heeded a request for "
        "help.",
        "Later it put the number of dead in the hundreds, and said the Sudanese army had heeded a request for help.",
    ),
    (
        "At the age of 64, Takaichi is no stranger to Japanese politics.",
        "At the age of 64, Takaichi is a stranger to Japanese politics.",
    ),
    (
        "\u201cWe're not yet associating the deaths with changes in water temperatures,\u201d she said.",
        "\u201cWe're associating the deaths with changes in water temperatures,\u201d she said.",
    ),
    (
        "The government has promised to rebuild the region, but some local people feared that would never happen.",
        "The government has promised to rebuild the region, but some local people feared that would happen.",
    ),
]
NEGATION_ADDED = [
    (
        "Gatlin has been banned for four years for a 2006 positive test for testosterone, the U.S. Anti-Doping "
        "Agency (USADA) said on Tuesday.",
        "Gatlin has not been banned for four years for a 2006 positive test for testosterone, the U.S. Anti-Doping "
        "Agency (USADA) said on Tuesday.",
    ),
    (
        "Researchers recovered the dead animal on Wednesday and measured water temperatures that have been rising as "
        "the lake's level drops.",
        "Researchers did not recover the dead animal on Wednesday and measured water temperatures that have been "
        "rising as the lake's level drops.",
    ),
    (
        "The justices affirmed a lower court's decision that had upheld the measure after it was challenged by "
        "TikTok, ByteDance and some of the app's users.",
        "The justices did not affirm a lower court's decision that had upheld the measure after it was challenged by "
        "TikTok, ByteDance and some of the app's users.",
    ),
    (
        "Soldiers blocked roads in the capital, Nay Pyi Taw, and the main city, Yangon.",
        "Soldiers did not block roads in the capital, Nay Pyi Taw, and the main city, Yangon.",
    ),
    (
        "Mr Trump's actions infuriated Canadians and stoked a surge in nationalism that helped the Liberals flip the "
        "election narrative.",
        "Mr Trump's actions did not infuriate Canadians and stoked a surge in nationalism that helped the Liberals "
        "flip the election narrative.",
    ),
    (
        "The American won the 2004 Athens Olympic 100 metres title and completed a 100-200 double at the Helsinki "
        "world championships in 2005.",
        "The American did not win the 2004 Athens Olympic 100 metres title and completed a 100-200 double at the "
        "Helsinki world championships in 2005.",
    ),
    (
        "Ms Suu Kyi, President Win Myint and other leaders of the National League for Democracy (NLD) were arrested "
        "in a series of raids.",
        "Ms Suu Kyi, President Win Myint and other leaders of the National League for Democracy (NLD) were not "
        "arrested in a series of raids.",
    ),
    (
        "Washington State Patrol spokesman Keith Leary said in a phone interview that the suspect was taken into "
        "custody.",
        "Washington State Patrol spokesman Keith Leary said in a phone interview that the suspect was not taken into "
        "custody.",
    ),
]
OPPOSITE_WORDS = [
    (
        "Prime minister Mark Carney's Liberal Party won Canada's federal election on Monday.",
        "Prime minister Mark Carney's Liberal Party lost Canada's federal election on Monday.",
    ),
    (
        "The Liberals looked headed for a crushing defeat until the American president started attacking Canada's "
        "economy.",
        "The Liberals looked headed for a crushing victory until the American president started attacking Canada's "
        "economy.",
    ),
    (
        "Bushra Bibi, who is in her late 40s and was out on bail, was taken into custody after she was also convicted "
        "in the case, Geo News reported.",
        "Bushra Bibi, who is in her late 40s and was out on bail, was taken into custody after she was also acquitted "
        "in the case, Geo News reported.",
    ),
    (
        "The RSF began fighting the army in April 2023 after disputes over the integration of the two forces.",
        "The RSF stopped fighting the army in April 2023 after disputes over the integration of the two forces.",
    ),
    (
        "Myanmar, also known as Burma, was ruled by the armed forces until 2011, when democratic reforms spearheaded "
        "by Aung San Suu Kyi ended military rule.",
        "Myanmar, also known as Burma, was ruled by the armed forces until 2011, when democratic reforms spearheaded "
        "by Aung San Suu Kyi continued military rule.",
    ),
    (
        "Even so, the SEC this year authorised the trading on the American market of two new financial products "
        "allowing a wider public to buy cryptocurrencies, called ETFs.",
        "Even so, the SEC this year banned the trading on the American market of two new financial products allowing "
        "a wider public to buy cryptocurrencies, called ETFs.",
    ),
    (
        "NASA's Jet Propulsion Laboratory in Southern California declared success after receiving good engineering "
        "updates late last week.",
        "NASA's Jet Propulsion Laboratory in Southern California declared failure after receiving good engineering "
        "updates late last week.",
    ),
    (
        "The justices affirmed a lower court's decision that had upheld the measure after it was challenged by TikTok.",
        "The justices affirmed a lower court's decision that had overturned the measure after it was challenged by "
        "TikTok.",
    ),
]
OPPOSITE_DIRECTIONS = [
    (
        "The digital unit has jumped more than 50 percent since the tycoon's poll win.",
        "The digital unit has fallen more than 50 percent since the tycoon's poll win.",
    ),
    (
        "Takaichi takes over at a challenging economic moment as Japan grapples with rising costs of living and a "
        "frustrated public.",
        "Takaichi takes over at a challenging economic moment as Japan grapples with falling costs of living and a "
        "frustrated public.",
    ),
    (
        "She is the fourth PM in just five years, after her predecessors' terms were cut short by plunging ratings "
        "and scandals.",
        "She is the fourth PM in just five years, after her predecessors' terms were cut short by soaring ratings and "
        "scandals.",
    ),
    (
        "With branches of major rivers in the Amazon basin drying up in this year's critical drought, the lake "
        "connected to the Solimoes River has shrunk.",
        "With branches of major rivers in the Amazon basin drying up in this year's critical drought, the lake "
        "connected to the Solimoes River has grown.",
    ),
    (
        "However, the unit's advance stalled in recent weeks, sitting just below $100,000 as traders awaited new "
        "catalysts to buy in.",
        "However, the unit's advance stalled in recent weeks, sitting just above $100,000 as traders awaited new "
        "catalysts to buy in.",
    ),
    (
        "One of the lander's main engines lost thrust about 50 meters (54 yards) above the moon surface, causing a "
        "harder landing than planned.",
        "One of the lander's main engines gained thrust about 50 meters (54 yards) above the moon surface, causing a "
        "harder landing than planned.",
    ),
]
REVERSED = NEGATION_REMOVED + NEGATION_ADDED + OPPOSITE_WORDS + OPPOSITE_DIRECTIONS


def reversal(origin_sentence: str, claim: str):
    flags = detect_flags(claim, [(0, origin_sentence)], origin_context([origin_sentence]))
    return next((f for f in flags if f.type == "polarity_reversed"), None)


def test_the_suite_covers_every_kind_of_reversal():
    assert len(REVERSED) >= 30
    assert all(len(kind) >= 5 for kind in (NEGATION_REMOVED, NEGATION_ADDED, OPPOSITE_WORDS, OPPOSITE_DIRECTIONS))


def test_reversed_sentences_are_found():
    found = [reversal(origin, claim) is not None for origin, claim in REVERSED]
    missed = [claim for (_, claim), hit in zip(REVERSED, found, strict=True) if not hit]
    assert sum(found) >= FINDS_AT_LEAST * len(REVERSED), missed


@pytest.mark.parametrize(("origin", "claim"), REVERSED[:: len(REVERSED) // 6])
def test_each_flag_names_words_of_both_sentences(origin, claim):
    flag = reversal(origin, claim)
    assert flag is not None
    assert claim[flag.span_start : flag.span_end] == flag.span
    assert origin[flag.origin_start : flag.origin_end] == flag.origin_span
    assert flag.span.lower() != flag.origin_span.lower()


@pytest.mark.parametrize("origin", [origin for origin, _ in REVERSED])
def test_the_unchanged_sentence_is_no_reversal(origin):
    assert reversal(origin, origin) is None


@pytest.mark.parametrize(
    ("folder", "gold"),
    [
        (ROOT / "fixtures" / "news-dev", ROOT / "fixtures" / "news-dev" / "GOLD.json"),
        (ROOT / "fixtures" / "news" / "tune", ROOT / "fixtures" / "news" / "tune" / "GOLD.json"),
    ],
    ids=["development set", "tuning part"],
)
def test_no_faithful_sentence_is_labelled_contradicted(folder, gold):
    rows = json.loads(gold.read_text(encoding="utf-8"))["sentences"]
    report = files_report([str(p) for p in sorted(folder.glob("*/*.txt"))])
    contradicted = [
        (Path(a["path"]).name, s["text"])
        for a in report["articles"]
        for s in a["sentences"]
        if s["label"] == "contradicted"
    ]
    allowed = {(row["file"], row["find"].lower()) for row in rows if "contradicted" in row["accept"]}
    wrongly = [(f, t) for f, t in contradicted if not any(f == af and fd in t.lower() for af, fd in allowed)]
    assert rows and not wrongly
