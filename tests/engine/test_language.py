"""Language: each article's language is detected, and an article the engine's English rules cannot read is not
traced, saying why, instead of being labelled by English rules. The texts are published news (AP, AFP, Funke)."""

from __future__ import annotations

from workbench.engine.language import UNDETERMINED, detect_language, not_traced_reason
from workbench.engine.report import article_report
from workbench.engine.trace import trace_articles
from workbench.engine.types import ArticleInput

ENGLISH = (
    "Police in Minneapolis say officers shot and killed a man who was firing a handgun as he walked down a city "
    "street. In a statement on the department's Facebook page, police say the incident happened around 5:30 pm "
    "Saturday on the north side of Minneapolis. Authorities say two calls to 911 reported that a man was firing a "
    "handgun into the air and the ground. The man was pronounced dead at the scene."
)
FRENCH = (
    "Le puissant ministre de l\u2019Int\u00e9rieur libyen, Fathi Bachagha, est sorti indemne dimanche d\u2019une "
    "tentative d\u2019assassinat pr\u00e8s de Tripoli, selon son entourage. Le convoi de Fathi Bachagha a "
    "\u00e9t\u00e9 la cible de balles tir\u00e9es \u00e0 partir d\u2019une voiture blind\u00e9e \u00e0 Janzour, "
    "a indiqu\u00e9 son entourage."
)
GERMAN = (
    "Die Bundesregierung hat nach eigenen Angaben keine Hinweise auf weitere m\u00f6gliche Spitzel f\u00fcr "
    "US-Geheimdienste in ihren Reihen. Die stellvertretende Regierungssprecherin Christiane Wirtz sagte am Montag in "
    "Berlin, sie habe keinerlei Anhaltspunkte daf\u00fcr, dass es weitere Verdachtsf\u00e4lle in den Ministerien gebe."
)


def test_the_language_of_english_french_and_german_news_is_detected():
    assert detect_language(ENGLISH) == "en"
    assert detect_language(FRENCH) == "fr"
    assert detect_language(GERMAN) == "de"
    assert detect_language("Breaking") == UNDETERMINED


def test_only_languages_the_rules_read_are_traced():
    assert not_traced_reason("en") is None
    assert not_traced_reason(UNDETERMINED) is None
    reason = not_traced_reason("fr")
    assert "French" in reason and "English only" in reason


def test_a_french_article_is_not_traced_and_its_trace_says_why():
    traces = trace_articles(
        [
            ArticleInput(key="en", text=ENGLISH),
            ArticleInput(key="en-copy", text=ENGLISH.replace("Saturday", "Saturday evening")),
            ArticleInput(key="fr", text=FRENCH),
        ]
    )
    english, copy, french = traces
    assert (english.language, copy.language, french.language) == ("en", "en", "fr")
    assert english.not_traced is None and {english.role, copy.role} == {"origin", "derivative"}
    assert "French" in french.not_traced and french.not_traced in french.warnings
    assert french.sentences and all(s.label == "" and s.origin_indices == [] for s in french.sentences)
    assert french.story_index not in {english.story_index, copy.story_index}
    # A credit in French is still read, for the reviewer.
    assert any(s.attribution is not None and s.attribution.speaker == "entourage" for s in french.sentences)

    report = article_report(traces, {}, {})
    by_key = {a["path"]: a for a in report["articles"]}
    assert by_key["fr"]["language"] == "fr" and "French" in by_key["fr"]["not_traced"]
    assert all(s["label"] is None for s in by_key["fr"]["sentences"])
    assert by_key["en"]["language"] == "en" and by_key["en"]["not_traced"] is None


def test_a_language_given_by_the_caller_is_trusted():
    (trace,) = trace_articles([ArticleInput(key="x", text=ENGLISH, language="de")])
    assert trace.language == "de" and "German" in trace.not_traced
