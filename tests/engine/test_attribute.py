from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import benchmarks.attribution as attribution_bench
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


# Credits read from sentence structure. Every sentence below is from published news (MRPC's news clusters or the
# pages named in fixtures/attribution/credits.jsonl), none from the development set.


def test_an_official_or_body_as_subject_of_a_reporting_verb_is_the_speaker():
    a = find_attribution(
        "Because of that, the family had kept him from the home over the objections of the grandmother, police said."
    )
    assert a is not None and a.speaker == "police"
    a = find_attribution(
        "Mosel was unable to present financial statements in time due to mergers among subsidiaries and a change of "
        "accountants, the company said on Monday."
    )
    assert a is not None and a.speaker == "company"
    a = find_attribution("Police in Minneapolis say officers shot and killed a man who was firing a handgun.")
    assert a is not None and a.speaker == "Police" and a.text == "Police in Minneapolis say"


def test_an_outlet_that_reports_is_the_source():
    a = find_attribution(
        "Hours after the shooting, the Star Tribune reports a loud but peaceful crowd started to gather at the scene."
    )
    assert a is not None and a.source == "Star Tribune" and a.speaker is None


def test_according_to_takes_any_noun_phrase():
    a = find_attribution(
        "A 62-year-old West Babylon man has contracted the West Nile virus, the first human case in Suffolk County "
        "this year, according to the county health department."
    )
    assert a is not None and a.source == "county health department"
    assert a.text.startswith("according to") and a.text.endswith("department")
    a = find_attribution(
        "Those involved were allegedly told to never speak of the incident again, according to the letter."
    )
    assert a is not None and a.source == "letter"


def test_a_title_or_role_before_a_name_is_kept_apart_from_the_name():
    a = find_attribution(
        "Yale spokesman Tom Conroy said the university was prepared to keep the campus running with temporary workers."
    )
    assert (a.speaker, a.role) == ("Tom Conroy", "Yale spokesman")
    a = find_attribution("\u201cTony's not feeling well,\u201d Spurs coach Gregg Popovich said.")
    assert (a.speaker, a.role) == ("Gregg Popovich", "Spurs coach")
    a = find_attribution("Hines died yesterday in Los Angeles of cancer, publicist Allen Eichorn said.")
    assert (a.speaker, a.role) == ("Allen Eichorn", "publicist")
    a = find_attribution(
        "Adora Obi Nweze, the NAACP state president, said the state has refused to consider the possibility of murder."
    )
    assert (a.speaker, a.role) == ("Adora Obi Nweze", "the NAACP state president")


def test_credits_in_french_german_spanish_and_portuguese():
    cases = {
        "Le convoi a \u00e9t\u00e9 la cible de balles tir\u00e9es \u00e0 Janzour, \u00e0 une douzaine de "
        "kilom\u00e8tres de Tripoli, a indiqu\u00e9 son entourage.": "entourage",
        "Le ministre est sorti indemne dimanche d\u2019une tentative d\u2019assassinat pr\u00e8s de Tripoli, selon son "
        "entourage, une attaque qui fait craindre une reprise des violences.": "entourage",
        "Einem Bericht des Spiegel zufolge sei die Ministerin vorab \u00fcber die Durchsuchungsaktion informiert "
        "worden.": "Spiegel",
        "Die stellvertretende Regierungssprecherin Christiane Wirtz sagte am Montag in Berlin, sie habe keinerlei "
        "Anhaltspunkte daf\u00fcr.": "Christiane Wirtz",
        "En respuesta, el presidente del Senado, Roy Barreras, asegur\u00f3 que nada los iba a tumbar.": "Roy Barreras",
        "Segundo John Elder, porta-voz da pol\u00edcia, o incidente aconteceu por volta das 18h15.": "John Elder",
    }
    for sentence, credited in cases.items():
        a = find_attribution(sentence)
        assert a is not None and credited in (a.source or a.speaker or ""), sentence


def test_an_inverted_credit_names_the_outlet_that_reported_a_speaker():
    a = find_attribution(
        "Le porte-parole du minist\u00e8re, Abdul Nafy Takor, a d\u00e9clar\u00e9 dans un tweet que l'explosion "
        "s'est produite dans une mosqu\u00e9e du minist\u00e8re, a rapport\u00e9 l'agence de presse am\u00e9ricaine "
        "Associated Press (AP)."
    )
    assert a.speaker == "Abdul Nafy Takor" and a.source == "Associated Press"


def test_pronouns_events_and_passives_credit_no_one():
    assert find_attribution("He said the way the situation was being handled was undermining efforts.") is None
    assert find_attribution("The man was pronounced dead at the scene.") is None
    a = find_attribution("Sam Altman was ousted by the board after staff researchers warned of a powerful discovery.")
    assert a is None or a.speaker is None
    # "said Wilson had ...": Wilson is what was said about, not who said it.
    a = find_attribution("Debra Mitchell, a member of the church, said Wilson had recently lost her job.")
    assert a is not None and a.speaker == "Debra Mitchell"


# Sentences of fixtures/attribution/credits.jsonl the rules still read wrongly, with why.
KNOWN_MISSES = {
    "Researchers found that sea ice": "'found' is not read as a reporting verb (it is as often 'found dead')",
}


def test_every_labelled_news_sentence_is_credited_as_labelled():
    rows = attribution_bench.load()
    wrong = [
        (row["text"], row["credit"], attribution_bench.rules_reader(row["text"]))
        for row in rows
        if not any(row["text"].startswith(k) for k in KNOWN_MISSES)
        and not attribution_bench.right(row["credit"], attribution_bench.rules_reader(row["text"]))
    ]
    assert len(rows) > 100
    assert wrong == []
