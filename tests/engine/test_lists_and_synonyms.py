"""List items read with their introduction; common news synonyms count as the same word."""

from __future__ import annotations

from workbench.engine.attribute import find_attribution
from workbench.engine.lexicon import stem
from workbench.engine.trace import trace_against
from workbench.engine.types import ArticleInput

ORIGIN = (
    "The council approved the new budget on Monday, officials said. "
    "The budget freezes spending on roads while schools get more money."
)


def test_items_of_a_list_credited_elsewhere_share_their_introductions_label():
    derivative = (
        "The Daily Courier reports that the opposition has its own plan, which includes:\n"
        "- Fewer roads for the suburbs next year.\n"
        "- Cutting the mayor's salary.\n"
        "- The budget freezes spending on roads while schools get more money.\n"
        "The council approved the new budget on Monday, officials said."
    )
    _, traced = trace_against(ArticleInput("o", ORIGIN), [ArticleInput("d", derivative)])
    intro, weak_item, new_item, close_item, after = traced.sentences
    assert intro.label == "other_source"
    assert weak_item.label == new_item.label == "other_source"
    assert weak_item.origin_indices == [] and weak_item.flags == []
    assert close_item.label == "supported" and close_item.origin_indices == [1]
    assert after.label == "supported"


def test_a_list_under_a_supported_introduction_is_traced_item_by_item():
    derivative = "The council approved the new budget on Monday, officials said:\n- Schools get more money.\n"
    _, traced = trace_against(ArticleInput("o", ORIGIN), [ArticleInput("d", derivative)])
    assert traced.sentences[0].label == "supported"
    assert traced.sentences[1].label in {"supported", "altered"}
    assert traced.sentences[1].origin_indices == [1]


def test_news_synonyms_share_a_stem_and_other_words_do_not():
    assert stem("arms") == stem("weapons")
    assert stem("talks") == stem("negotiations")
    assert stem("truce") == stem("ceasefire")
    assert stem("troops") == stem("forces")
    assert stem("conflict") == stem("war")
    assert stem("arms") != stem("talks")


def test_a_speaker_after_an_article_and_a_bare_group_are_found():
    named = find_attribution("Meanwhile, the Lithuanian Foreign Minister said that talks must start.")
    assert named is not None and named.speaker == "Lithuanian Foreign Minister"
    group = find_attribution("Analysts drew attention to the minister's statement.")
    assert group is not None and group.speaker == "Analysts"
    assert find_attribution("The mayor opened the bridge on Monday.") is None


def test_an_added_detail_names_the_origin_words_it_stands_in_for():
    origin = ArticleInput(
        "o", "For now, the alliance is redoubling efforts to rush more weapons to the capital as winter nears."
    )
    claim = ArticleInput(
        "d", "The alliance plans to double its efforts, delivering tanks, drones and artillery to the capital."
    )
    _, traced = trace_against(origin, [claim])
    flag = next(f for f in traced.sentences[0].flags if f.type == "added_detail")
    assert "tanks, drones and artillery" in flag.span
    assert flag.origin_span == "rush more weapons"
    assert origin.text[flag.origin_start : flag.origin_end] == flag.origin_span
