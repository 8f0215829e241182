from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from workbench.engine.embed import Embedder, cosine_matrix
from workbench.engine.trace import METHOD_LEXICAL, METHOD_SEMANTIC, NO_EMBEDDER_WARNING, trace_articles
from workbench.engine.types import ArticleInput

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT.parent / "shared" / "news-dev"
SCORER = ROOT.parent / "shared" / "eval" / "score_trace.py"

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


def test_development_set_meets_targets(tmp_path):
    paths = sorted(DEV.glob("*/*.txt"))
    if not paths or not SCORER.exists():
        pytest.skip("development set not available")
    out = subprocess.run([sys.executable, "-m", "workbench.engine", *map(str, paths)], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    report = tmp_path / "dev.json"
    report.write_text(out)
    res = subprocess.run([sys.executable, str(SCORER), str(DEV / "GOLD.json"), str(report), "--min-label", "0.85",
                          "--min-align", "0.9", "--min-flags", "0.6", "--min-origin", "1.0"], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout[-1500:]
