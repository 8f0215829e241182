from __future__ import annotations

import json
from pathlib import Path

from workbench.engine.embed import Embedder, cosine_matrix
from workbench.engine.trace import METHOD_LEXICAL, METHOD_SEMANTIC, NO_EMBEDDER_WARNING, trace_articles
from workbench.engine.types import ArticleInput
from workbench.provenance.evaluation import engine_story_report, score_story_report

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT / "fixtures" / "news-dev"

ORIGIN = "The council approved the budget on Monday, officials said. The mayor will probably sign it next week."
COPY = "The council approved the budget on Monday. The mayor will sign it next week."


class BagOfLetters:
    """A deterministic stand-in embedder: letter counts."""

    name = "letters"

    def encode(self, texts):
        return [[t.lower().count(c) + 0.01 for c in "abcdefghijklmnopqrstuvwxyz"] for t in texts]


def test_fake_embedder_satisfies_the_protocol_and_is_used():
    emb = BagOfLetters()
    assert isinstance(emb, Embedder)
    sims = cosine_matrix(emb, ["abc"], ["abc", "xyz"])
    assert sims[0][0] > sims[0][1]
    traces = trace_articles([ArticleInput("o", ORIGIN), ArticleInput("d", COPY)], origin_key="o", embedder=emb)
    assert {s.method for t in traces for s in t.sentences} == {METHOD_SEMANTIC}


def test_without_embedder_the_trace_says_it_is_lexical():
    traces = trace_articles([ArticleInput("o", ORIGIN), ArticleInput("d", COPY)], origin_key="o")
    derivative = traces[1]
    assert derivative.role == "derivative" and derivative.origin_key == "o"
    assert NO_EMBEDDER_WARNING in derivative.warnings
    assert all(s.method == METHOD_LEXICAL for s in derivative.sentences)
    mayor = derivative.sentences[1]
    assert mayor.label == "altered" and any(f.type == "hedge_dropped" for f in mayor.flags)


def test_development_set_meets_targets():
    """All 25 development files traced in one call, origins found by the engine."""
    paths = sorted(DEV.glob("*/*.txt"))
    assert len(paths) == 25
    score = score_story_report(json.loads((DEV / "GOLD.json").read_text()), engine_story_report(paths))
    assert score.origin == 1.0
    assert score.label >= 0.87, score
    assert score.align >= 0.90, score
    assert score.flags >= 0.63, score
