"""Surface changes every newsroom makes are not divergences. Each case pairs a sentence of the news corpus's tuning
part with the same sentence as a republication writes it (most of them as the corpus's republications wrote them)."""

from __future__ import annotations

import pytest

from workbench.engine.diverge import detect_flags, origin_context
from workbench.engine.trace import STRONG_FLAGS


def flags(origin_sentence: str, claim: str, *, article: str | None = None, outlet: str | None = None):
    context = origin_context([article or origin_sentence], [outlet] if outlet else [])
    return detect_flags(claim, [(0, origin_sentence)], context)


def altering(origin_sentence: str, claim: str, **kwargs) -> list[tuple[str, str]]:
    return [(f.type, f.span) for f in flags(origin_sentence, claim, **kwargs) if f.type in STRONG_FLAGS]


@pytest.mark.parametrize(
    ("origin_sentence", "claim"),
    [
        (
            "Niccol will become Starbucks' chairman and CEO on Sept. 9.",
            "Niccol will become Starbucks' chairman and CEO on September 9.",
        ),
        (
            "In the early hours of Monday the army's TV station said power had been handed over to commander-in-chief "
            "Min Aung Hlaing.",
            "In the early hours of February 1, the army's TV station said power had been handed over to "
            "commander-in-chief Min Aung Hlaing.",
        ),
    ],
    ids=["abbreviated month", "weekday as a date"],
)
def test_a_date_written_another_way_is_no_change(origin_sentence, claim):
    assert altering(origin_sentence, claim) == []


def test_a_date_the_origin_sentence_never_gives_is_still_added_detail():
    got = altering(
        "Ms Suu Kyi's National League for Democracy won enough seats to form a government.",
        "Ms Suu Kyi's National League for Democracy won enough seats to form a government in November's election.",
    )
    assert [t for t, span in got if "November" in span] == ["added_detail"]


@pytest.mark.parametrize(
    "claim",
    [
        "Sanae Takaichi has been elected Japan's prime minister by parliament, making her the first woman to hold the "
        "office, the BBC reported on Tuesday.",
        "Sanae Takaichi has been elected Japan's prime minister by parliament, making her the first woman to hold the "
        "office, citing people familiar with the matter.",
    ],
    ids=["day of reporting", "unnamed sources"],
)
def test_a_credit_tail_is_no_added_detail(claim):
    origin_sentence = (
        "Sanae Takaichi has been elected Japan's prime minister by parliament, making her the first woman to hold "
        "the office."
    )
    assert altering(origin_sentence, claim) == []


def test_a_converted_figure_in_brackets_is_no_change():
    origin_sentence = (
        "Apple was hit with an EU antitrust fine of over 1.8 billion euros ($1.95 billion) on Monday, its first ever, "
        "for preventing Spotify and other music streaming services from informing users of payment options outside "
        "its App Store."
    )
    claim = origin_sentence.replace("($1.95 billion)", "(RM9.43 billion)")
    assert altering(origin_sentence, claim) == []
    assert altering(origin_sentence, claim.replace("1.8 billion euros", "2.8 billion euros"))


def test_a_stock_ticker_in_brackets_is_no_change():
    assert (
        altering(
            "The Seattle coffee giant named Niccol as its new chairman and CEO, hoping he can revive fading sales.",
            "The Seattle coffee giant (SBUX.O) named Niccol as its new chairman and CEO, hoping he can revive fading "
            "sales.",
        )
        == []
    )


def test_a_british_spelling_inside_a_quote_is_still_verbatim():
    assert (
        altering(
            '"He also recognises that digital assets and other innovations are crucial to Making America Greater than '
            'Ever Before," Trump added.',
            '"He also recognizes that digital assets and other innovations are crucial to Making America Greater than '
            'Ever Before," Trump added.',
        )
        == []
    )


@pytest.mark.parametrize(
    ("origin_sentence", "claim"),
    [
        (
            "The steep fine, as described by European Competition Commissioner Margrethe Vestager, comprised a 40 "
            "million euros parking ticket.",
            "The steep fine, as described by European Competition Commissioner Margarethe Vestager, comprised a 40 "
            "million euros parking ticket.",
        ),
        (
            "A staunch conservative and admirer of the late former British PM Margaret Thatcher, Takaichi takes "
            "over at a challenging economic moment.",
            "A staunch conservative and admirer of the late former UK PM Margaret Thatcher, Takaichi takes over at a "
            "challenging economic moment.",
        ),
        (
            "Myanmar's military has seized power after detaining Aung San Suu Kyi and other democratically elected "
            "leaders.",
            "Myanmar's leader Aung San Suu Kyi has been detained as the Myanmarese military seized power.",
        ),
        (
            "The 64-year-old won a clear majority as leader of the ruling Liberal Democratic Party.",
            "The 64-year-old won a clear majority as leader of the ruling LDP.",
        ),
    ],
    ids=["spelling of a name", "country alias", "demonym", "acronym"],
)
def test_a_name_written_another_way_is_the_same_name(origin_sentence, claim):
    assert altering(origin_sentence, claim) == []


def test_a_different_name_is_still_a_changed_name():
    got = altering(
        "The yacht Alboran Cognac encountered the apex predators at 9 a.m. local time, the Spanish maritime rescue "
        "service said.",
        "The yacht Alboran Cognac encountered the apex predators at 9 a.m. local time, the Portuguese maritime rescue "
        "service said.",
    )
    assert got


def test_a_dateline_with_two_wire_credits_is_no_change():
    assert (
        altering(
            "BURLINGTON, Wash. (Reuters) - A man believed to have opened fire with a rifle at a Washington state mall, "
            "killing five people, was captured on Saturday, authorities said.",
            "BURLINGTON, Wash., Sept 24 (Reuters/AFP) - A man believed to have opened fire with a rifle at a "
            "Washington state mall, killing five people, was captured on Saturday, authorities said.",
        )
        == []
    )


def test_a_paraphrased_verb_phrase_is_no_change():
    assert (
        altering(
            "Improved accuracy would give scientists access to more of the moon, since probes could be placed nearer "
            "to obstacles.",
            "Improved accuracy is anticipated to give scientists access to more of the moon, since probes could be "
            "placed nearer to obstacles.",
        )
        == []
    )


def test_the_origin_outlet_s_own_words_in_quotation_marks_are_no_altered_quote():
    article = (
        "TOKYO (AP) - Japan's space agency said Thursday that its first lunar mission hit the tiny patch of the "
        "moon's surface it was aiming for, in a successful demonstration of its pinpoint landing system."
    )
    origin_sentence = article.removeprefix("TOKYO (AP) - ")
    credited_to_ap = (
        "Japan's first lunar mission hit \"the tiny patch of the moon's surface it was aiming for,\" as The "
        "Associated Press reported."
    )
    assert altering(origin_sentence, credited_to_ap, article=article, outlet="AP") == []
    put_in_an_official_s_mouth = (
        "Japan's first lunar mission hit \"the tiny patch of the moon's surface it was aiming for,\" a JAXA official "
        "said."
    )
    assert ("quote_altered", "the tiny patch of the moon's surface it was aiming for") in altering(
        origin_sentence, put_in_an_official_s_mouth, article=article, outlet="AP"
    )


def test_spans_start_and_end_on_word_boundaries():
    origin_sentence = "The European Commission has issued an antitrust fine of 1.8 billion euros on Apple."
    claim = "The European Commission has issued its 51st antitrust fine of RM9.43 billion on Apple."
    got = flags(origin_sentence, claim)
    assert got
    for f in got:
        assert f.span == claim[f.span_start : f.span_end]
        assert f.span_start == 0 or not claim[f.span_start - 1].isalnum()
        assert f.span_end == len(claim) or not claim[f.span_end].isalnum()
    assert {"51st", "RM9.43 billion"} <= {f.span for f in got}


def test_a_change_is_reported_once():
    """'later on Tuesday' was reported as an added day and again as added names over the same words."""
    origin_sentence = (
        "With almost all votes counted, results from Elections Canada showed that the Liberals had won 168 electoral "
        "districts, followed by the Conservatives with 144."
    )
    claim = (
        "Elections Canada paused the counting of special ballots cast by Canadians away from their home districts, "
        "delaying the final results until later on Tuesday."
    )
    got = flags(origin_sentence, claim)
    assert any(f.type == "added_detail" and "Tuesday" in f.span for f in got)
    for i, f in enumerate(got):
        for g in got[:i]:
            assert not (g.type == f.type and g.span_start < f.span_end and f.span_start < g.span_end), (g, f)


def test_restating_another_clause_of_a_credited_sentence_drops_no_credit():
    origin_sentence = (
        "Rwanda says eight people have died so far from the Ebola-like and highly contagious Marburg virus, just "
        "days after the country declared an outbreak of the deadly hemorrhagic fever that has no authorized vaccine "
        "or treatment."
    )
    context = origin_context([origin_sentence])
    other_clause = (
        "The announcement comes just days after the country declared an outbreak of the deadly hemorrhagic fever "
        "that has no authorized vaccine or treatment."
    )
    credited_clause = "Eight people have died so far from the Ebola-like and highly contagious Marburg virus."
    assert not any(
        f.type == "hedge_dropped" for f in detect_flags(other_clause, [(0, origin_sentence)], context, score=0.9)
    )
    assert any(
        f.type == "hedge_dropped" for f in detect_flags(credited_clause, [(0, origin_sentence)], context, score=0.9)
    )
