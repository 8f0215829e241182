"""The candidate index: stable signatures, the true origin among the candidates, incremental equals rebuild."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.corpus import UNSCORED, Corpus
from workbench.engine.clean import prepare
from workbench.engine.incremental import IncrementalTracer, trace_against
from workbench.engine.index import (
    BANDS,
    TERM_SENTENCE,
    CandidateIndex,
    MemoryBandStore,
    sign,
    sign_many,
    split_spans,
)
from workbench.engine.trace import trace_articles
from workbench.engine.types import ROLE_DERIVATIVE, ROLE_ORIGIN, ArticleInput

ROOT = Path(__file__).resolve().parents[2]
SIZE = 600
PINNED_KEYS = [4268385063799359560, -1020546206308294515, 1862489577447367368]
PINNED_TERMS = [
    -6251179789205432483,
    -5386754826086722591,
    -3175216890973532390,
    -2083216966755300045,
    2088509340280415075,
    2374927397377040649,
    6328614327706931588,
]


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return Corpus(SIZE, seed=11)


@pytest.fixture(scope="module")
def texts(corpus) -> dict[str, str]:
    return {f"a{i}": corpus.article(i).text for i in range(SIZE)}


@pytest.fixture(scope="module")
def built(texts) -> CandidateIndex:
    index = CandidateIndex()
    index.add_many(texts.items())
    return index


def _all(index: CandidateIndex, text: str, exclude: str | None = None) -> dict[str, tuple[int, tuple]]:
    return {
        key: (c.votes, c.pairs)
        for key, c in index.candidates(text, k=10_000, exclude_keys=[exclude] if exclude else [])
    }


def test_signatures_are_the_same_in_another_process_with_another_hash_seed(texts):
    text = texts["a3"]
    here = sign(text)
    code = (
        "import sys, json; from workbench.engine.index import sign; s = sign(sys.stdin.read()); "
        "print(json.dumps([s.keys.tolist(), s.sentences.tolist(), s.terms.tolist()]))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], input=text, capture_output=True, text=True, env=env, check=True)
    keys, sentences, terms = __import__("json").loads(out.stdout)
    assert keys == here.keys.tolist()
    assert sentences == here.sentences.tolist()
    assert terms == here.terms.tolist()
    assert len(keys) == BANDS * here.signed_sentences > 0


def test_batch_signing_equals_signing_one_by_one(texts):
    batch = list(texts.values())[:40] + ["", "Too short.", "\n\n"]
    for one, many in zip([sign(t) for t in batch], sign_many(batch), strict=True):
        assert np.array_equal(one.keys, many.keys)
        assert np.array_equal(one.sentences, many.sentences)
        assert np.array_equal(one.terms, many.terms)


def test_chunk_numbers_name_the_spans_split_spans_returns():
    text = "Alpha beta gamma delta went home.\n\nThe Kalmar Grain Council approved 4,500 tonnes of wheat. Short.\nSo"
    spans = split_spans(text)
    signed = sign(text)
    chunks = {int(n) for n in signed.sentences}
    assert chunks == {0, 2}
    assert text[slice(*spans[0])] == "Alpha beta gamma delta went home."
    assert text[slice(*spans[2])] == "The Kalmar Grain Council approved 4,500 tonnes of wheat."


def test_every_derivative_in_the_archive_finds_its_origin_among_the_candidates(corpus, texts, built):
    derivatives = [i for i in range(SIZE) if corpus.role(i) == ROLE_DERIVATIVE]
    assert len(derivatives) > 100
    missed = []
    for i in derivatives:
        a = corpus.article(i)
        origin = f"a{a.origin_position}"
        keys = set(_all(built, a.text, exclude=a.key)) | {
            k for k, _ in built.term_candidates(a.text, exclude_keys=[a.key])
        }
        if origin not in keys:
            missed.append((i, a.edits))
    assert missed == []


def test_new_derivatives_rank_their_origin_first_or_near(corpus, built):
    hits = total = 0
    for j in range(60):
        q = corpus.query(j)
        if q.origin_position is None:
            continue
        total += 1
        top = [key for key, _ in built.candidates(q.text, k=10)] + [k for k, _ in built.term_candidates(q.text)]
        hits += f"a{q.origin_position}" in top
    assert total > 40
    assert hits == total


def test_incremental_adds_removals_and_replacements_equal_a_rebuild(corpus, texts):
    incremental = CandidateIndex()
    incremental.store.flush_at = 500  # many small segments and merges
    keys = list(texts)
    for key in keys[:300]:
        incremental.add(key, texts[key])
    for key in keys[50:80]:
        incremental.remove(key)
    replaced = {key: corpus.query(int(key[1:])).text for key in keys[100:120]}
    for key, text in replaced.items():
        incremental.add(key, text)
    incremental.add_many((key, texts[key]) for key in keys[300:])

    final = {key: texts[key] for key in keys if key not in keys[50:80]}
    final.update(replaced)
    rebuilt = CandidateIndex()
    rebuilt.add_many(final.items())
    assert len(incremental) == len(rebuilt) == len(final)
    for j in range(25):
        q = corpus.query(j).text
        assert _all(incremental, q) == _all(rebuilt, q)
        assert dict(incremental.term_candidates(q, k=50)) == pytest.approx(dict(rebuilt.term_candidates(q, k=50)))
    for key in keys[50:80]:
        assert key not in _all(incremental, texts[key])


def test_removed_docs_vanish_from_lookups_and_from_merged_segments():
    store = MemoryBandStore()
    store.flush_at = 1
    keys = np.array([11, 12, 13], dtype=np.int64) << 32
    store.add(1, keys, np.array([0, 1, 2]))
    store.add(2, keys, np.array([5, 5, 5]))
    pos, docs, sents = store.lookup(keys)
    assert sorted(zip(docs.tolist(), sents.tolist(), strict=False)) == [(1, 0), (1, 1), (1, 2), (2, 5), (2, 5), (2, 5)]
    store.remove(1)
    assert set(store.lookup(keys)[1].tolist()) == {2}
    store.add(3, keys, np.array([7, 7, 7]))  # forces merges, which drop the dead postings
    assert set(store.lookup(keys)[1].tolist()) == {2, 3}
    assert store.postings() == 6
    with pytest.raises(ValueError):
        store.add(1, keys, np.array([0, 0, 0]))


def test_buckets_larger_than_the_cap_are_ignored():
    store = MemoryBandStore()
    common = np.array([99 << 32], dtype=np.int64)
    for doc in range(30):
        store.add(doc, common, np.array([0]))
    assert len(store.lookup(common, max_bucket=30)[0]) == 30
    assert len(store.lookup(common, max_bucket=29)[0]) == 0


def test_term_postings_do_not_vote_as_sentences(texts):
    index = CandidateIndex()
    index.add("x", texts["a1"])
    signed = sign(texts["a1"])
    [(key, cand)] = index.candidates(signed)
    assert key == "x"
    assert cand.votes == signed.signed_sentences
    assert all(d != TERM_SENTENCE for _, d in cand.pairs)


def test_aligning_against_candidate_sentences_keeps_the_verdicts(corpus, built):
    """A claim the index matched is aligned only against the origin sentences it matched and their neighbours; that
    must not cost accuracy, and may only differ where origin sentences tie."""
    compared = sentences = same_label = same_origin = 0
    right = {"restricted": 0, "full": 0}
    scored = 0
    for j in range(60):
        q = corpus.query(j)
        if q.origin_position is None:
            continue
        origin_key = f"a{q.origin_position}"
        cands = dict(built.candidates(q.text, k=10))
        if origin_key not in cands:
            continue
        o = corpus.article(q.origin_position)
        art, origin = ArticleInput(q.key, q.text, q.headline), ArticleInput(o.key, o.text, o.headline)
        restricted = trace_against(art, origin, pairs=cands[origin_key].pairs)
        full = trace_against(art, origin)
        for r, f in zip(restricted.sentences, full.sentences, strict=True):
            sentences += 1
            same_label += r.label == f.label
            same_origin += r.origin_indices == f.origin_indices
        for name, trace in (("restricted", restricted), ("full", full)):
            labels = {s.text: s.label for s in trace.sentences}
            for text, gold in zip(q.body_sentences, q.gold_labels, strict=True):
                if gold not in UNSCORED:
                    right[name] += labels.get(text) == gold
                    scored += name == "full"
        compared += 1
    assert compared >= 30
    assert same_label >= 0.99 * sentences
    assert same_origin >= 0.97 * sentences
    assert right["restricted"] >= right["full"]
    assert right["full"] >= 0.9 * scored


def test_tracing_the_seeds_one_by_one_groups_them_as_tracing_them_together(seed_paths):
    # As the pipeline hands them over: clean text (ArticleInput's contract), furniture removed.
    articles = [ArticleInput(p.stem, prepare(p.read_text(encoding="utf-8")).text) for p in seed_paths]
    together = {t.key: (t.role, t.origin_key) for t in trace_articles(articles)}
    origin = next(k for k, (role, _) in together.items() if role == "origin")
    by_key = {a.key: a for a in articles}
    tracer = IncrementalTracer(CandidateIndex(), by_key.__getitem__)
    first = tracer.trace(by_key[origin])
    assert first.trace.role == ROLE_ORIGIN  # alone so far: the origin of a story of its own
    for a in articles:
        if a.key == origin:
            continue
        out = tracer.trace(a)
        assert (out.trace.role, out.origin_key) == together[a.key]


def test_the_signature_scheme_is_pinned_to_its_version():
    """Stored postings are only as good as the keys a query computes: a change to the keys must come with a new
    SIGNATURE_VERSION (and ``candidates_rebuild``)."""
    from workbench.engine.index import SIGNATURE_VERSION

    signed = sign(
        "The Ministry of Defence said on Monday that 5,700 troops would leave Berfinrostan. Officials in "
        "Hadalbri disputed the figure and the plan."
    )
    assert SIGNATURE_VERSION == 2
    assert signed.keys[:3].tolist() == PINNED_KEYS
    assert signed.sentences[::BANDS].tolist() == [0, 1]
    assert signed.terms.tolist() == PINNED_TERMS


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789,. aZ", max_size=40))
def test_numbers_are_what_the_number_pattern_finds(text):
    """A number term runs from a digit to a digit through digits, commas and points (``\\d[\\d,.]*\\d``)."""
    import re

    from workbench.engine.index import _numbers

    data = text.encode()
    starts, ends = _numbers(np.frombuffer(data, dtype=np.uint8))
    assert [data[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)] == re.findall(rb"\d[\d,.]*\d", data)


def test_names_are_capitalised_words_of_letters_and_stopwords_are_not_names():
    base = sign("Zorvan Kelt met Anna at dawn on Tuesday in Ostrobia. They sign accords near Brekka today.")
    for variant, same in (
        ("zorvan kelt met anna at dawn on tuesday in ostrobia. They sign accords near brekka today.", False),
        ("Zorvan Kelt met Anna at dawn on Tuesday in Ostrobia. They sign accords near Brekka today.", True),
        ("Zorvan Kelt met Anna at dawn on Tuesday in Ostrobia. The sign accords near Brekka today.", True),
    ):
        assert np.array_equal(sign(variant).terms, base.terms) is same, variant
