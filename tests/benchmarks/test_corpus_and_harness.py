"""The benchmark corpus generator and the scale harness, at small sizes (no timings are asserted)."""

from __future__ import annotations

from collections import Counter

from benchmarks import scale
from benchmarks.corpus import (
    EDIT_COPY,
    EDITS,
    GOLD_ALTERED,
    GOLD_CREDIT,
    GOLD_OTHER_SOURCE,
    GOLD_SUPPORTED,
    ROLE_DERIVATIVE,
    ROLE_ORIGIN,
    ROLE_UNRELATED,
    Corpus,
)


def test_the_same_seed_gives_the_same_archive_and_another_seed_another():
    a, b, c = Corpus(300, seed=3), Corpus(300, seed=3), Corpus(300, seed=4)
    assert [a.article(i).text for i in range(0, 300, 7)] == [b.article(i).text for i in range(0, 300, 7)]
    assert a.query(5).text == b.query(5).text
    assert a.article(10).text != c.article(10).text


def test_derivatives_come_after_their_origin_and_carry_gold_labels_per_sentence():
    corpus = Corpus(800, seed=5)
    roles = Counter(corpus.role(i) for i in range(800))
    assert roles[ROLE_ORIGIN] and roles[ROLE_DERIVATIVE] and roles[ROLE_UNRELATED]
    edits: Counter = Counter()
    for i in range(800):
        a = corpus.article(i)
        if a.role != ROLE_DERIVATIVE:
            assert a.origin_position is None and a.gold_labels == ()
            continue
        assert a.origin_position < i
        assert corpus.role(a.origin_position) == ROLE_ORIGIN
        assert len(a.gold_labels) == len(a.body_sentences) > 0
        assert all(s in a.text for s in a.body_sentences)
        edits.update(a.edits)
    assert set(EDITS) | {EDIT_COPY} <= set(edits)


def test_copies_keep_every_origin_sentence_and_edits_mark_what_they_change():
    corpus = Corpus(800, seed=5)
    seen = set()
    for i in range(800):
        a = corpus.article(i)
        if a.role != ROLE_DERIVATIVE:
            continue
        origin = corpus.article(a.origin_position)
        if a.edits == (EDIT_COPY,):
            kept = [s for s, g in zip(a.body_sentences, a.gold_labels, strict=True) if g != GOLD_CREDIT]
            assert kept == list(origin.body_sentences)
            seen.add("copy")
        for sentence, gold in zip(a.body_sentences, a.gold_labels, strict=True):
            if gold == GOLD_SUPPORTED and "paraphrase" not in a.edits:
                assert sentence in origin.body_sentences
            if gold in (GOLD_ALTERED, GOLD_OTHER_SOURCE):
                assert sentence not in origin.body_sentences
                seen.add(gold)
    assert seen == {"copy", GOLD_ALTERED, GOLD_OTHER_SOURCE}


def test_the_scale_harness_reports_recall_labels_and_brute_force_for_a_small_archive():
    row = scale.run_size(400, queries=30, seed=2, brute_queries=2, brute_full_max=400, brute_sample=50, k=10)
    assert row.articles == 400 and row.queries == 30
    assert row.recall == 1.0
    # The event-based origin rule picks the generator's origin less often than the old one (docs/stories.md).
    assert row.origin_accuracy >= 0.85
    assert 0.8 <= row.label_accuracy <= 1.0
    assert row.brute_mode == "measured" and row.brute_pairs_timed == 2 * 400
    assert row.brute_recall == 1.0
    assert row.postings > 0 and row.median_ms > 0
    text = scale.table([row.__dict__])
    assert text.splitlines()[2].startswith("| 400 |")


def test_above_the_full_limit_brute_force_is_labelled_extrapolated():
    row = scale.run_size(300, queries=4, seed=2, brute_queries=1, brute_full_max=100, brute_sample=40, k=10)
    assert row.brute_mode == "extrapolated from 40 of 300 archive articles"
    assert row.brute_recall is None


def test_the_story_link_table_compares_generated_pairs_with_the_development_stories(capsys):
    from benchmarks import story_link
    from workbench.engine.origin import STORY_LINK_MIN

    dev = story_link.development_pairs(story_link.DEV)
    assert len(dev["development derivative + its origin"]) == 20
    assert all(story_link.story_link(a, b) >= STORY_LINK_MIN for a, b in dev["development derivative + its origin"])
    generated = story_link.generated_pairs(200, 5, seed=3)
    assert [len(v) for v in generated.values()] == [5, 5]
    assert story_link.main(["--size", "200", "--pairs", "5"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| ") and "|---" not in line]
    assert [r.split(" | ")[0].strip("| ") for r in rows[1:]] == [*generated, *dev]


def test_the_retrieval_comparison_asks_both_indexes_the_same_queries():
    from benchmarks import retrieval

    rows = retrieval.compare(400, queries=12, seed=2, k=10)
    assert [r["method"] for r in rows] == ["MinHash LSH (engine)", "BM25 (bm25s)"]
    assert len({r["derivative_queries"] for r in rows}) == 1 and rows[0]["derivative_queries"] > 0
    assert all(0.0 <= r["recall"] <= 1.0 and r["build_per_s"] > 0 for r in rows)
    assert rows[0]["recall"] >= 0.9
    assert retrieval.table(rows).count("\n") == 3


def _load_report(results: list[tuple[str, int, float, str]]) -> dict:
    from benchmarks.load.run import summarise

    return summarise(results, seconds=10.0)


def test_the_load_run_fails_its_target_on_a_slow_read_p95_a_5xx_or_an_unanswered_request():
    from benchmarks.load.run import NO_ANSWER, target_misses

    fast = [("read", 200, 0.05, "/api/v1/claims/")] * 95 + [("submit", 202, 0.3, "/api/v1/articles/")] * 5
    assert target_misses(_load_report(fast), read_p95_ms=200) == []

    slow = [("read", 200, 0.05, "/api/v1/claims/")] * 90 + [("read", 200, 0.25, "/api/v1/claims/")] * 10
    assert target_misses(_load_report(slow), read_p95_ms=200) == ["read p95 250.0 ms, the target is under 200 ms"]

    failing = [*fast[:-1], ("submit", 503, 0.01, "/api/v1/articles/")]
    assert target_misses(_load_report(failing), read_p95_ms=200) == ["1 responses were 5xx, the target is none"]

    dropped = [*fast[:-1], ("read", NO_ANSWER, 30.0, "/api/v1/claims/")]
    assert target_misses(_load_report(dropped), read_p95_ms=200) == [
        "1 requests got no answer (connection failed or timed out)"
    ]
    assert target_misses(_load_report([]), read_p95_ms=200) == ["no read was answered"]


def _words(text: str) -> set[str]:
    return {w.strip(".,\u201c\u201d").lower() for w in text.split()}


def test_the_realistic_archive_draws_unrelated_reports_from_other_desks_and_near_misses_from_earlier_stories():
    from benchmarks.beats import DESKS
    from benchmarks.corpus import ROLE_NEAR_MISS, STORY_WINDOW

    corpus = Corpus(1200, seed=5, realistic=True)
    plain = Corpus(1200, seed=5)
    roles = Counter(corpus.role(i) for i in range(1200))
    assert roles[ROLE_NEAR_MISS] and roles[ROLE_UNRELATED] and roles[ROLE_DERIVATIVE] and roles[ROLE_ORIGIN]
    # Stories and their derivatives are the plain archive's, word for word.
    for i in range(0, 1200, 13):
        if corpus.role(i) in (ROLE_ORIGIN, ROLE_DERIVATIVE):
            assert corpus.article(i).text == plain.article(i).text
    desk_words = {w for desk in DESKS.values() for shape in desk["shapes"] for w in _words(shape) if "{" not in w}
    for i in (i for i in range(1200) if corpus.role(i) == ROLE_UNRELATED):
        a = corpus.article(i)
        assert a.origin_position is None and a.edits == ()
        # Every sentence is a desk's shape, not a news story's frame.
        assert all(_words(line) & desk_words for line in a.body_sentences)
        assert not any(line.startswith(("Critics of the", "According to people familiar")) for line in a.body_sentences)
    for i in (i for i in range(1200) if corpus.role(i) == ROLE_NEAR_MISS):
        a, story = corpus.article(i), corpus.article(int(corpus.near_miss_of[i]))
        assert a.origin_position is None
        assert 0 < i - story.position <= STORY_WINDOW and story.role == ROLE_ORIGIN
        # The same cast (the story's dateline place) telling another event: no sentence of the story repeated.
        assert a.text.split("(")[0].split("\n")[-1] == story.text.split("(")[0].split("\n")[-1]
        assert not set(a.body_sentences) & set(story.body_sentences)


def test_the_capacity_model_counts_runs_by_level_and_more_workers_wait_less():
    from benchmarks import capacity

    assert capacity.runs_at(1_000)[0] == 1
    expected, worst = capacity.runs_at(10_000_000)
    # 10M articles of 560 postings are 11,200 runs' worth of pending postings; 11,200 is 25700 in base 8: 2+5+7 runs.
    assert (expected, worst) == (14, 5 * (capacity.FANOUT - 1))
    service = [0.4, 0.5, 0.6, 1.5]
    one, four = capacity.simulate(1, service, 50_000), capacity.simulate(4, service, 50_000)
    assert one["articles"] == four["articles"] > 40_000
    assert four["wait_s_p95"] < one["wait_s_p95"]
    assert four["busiest_hour_utilisation"] < one["busiest_hour_utilisation"]
