"""Story link evidence: how strongly pairs of articles link, for generated pairs and for the hand-labelled news.

    .venv/bin/python -m benchmarks.story_link

The engine joins an article to an origin when the mean of its best three sentence matches (``origin.coverage``, the
larger of both directions) reaches ``STORY_LINK_MIN``. This prints that link for four kinds of pairs: a generated
derivative and its origin, a generated unrelated report and an earlier archive article, a development-set
derivative and its origin, and a development-set article and the origin of another story. It shows how far the
generator's unrelated reports sit from real unrelated news, which the scale benchmark's role column depends on.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from benchmarks.corpus import Corpus
from workbench.engine.align import idf_table
from workbench.engine.clean import is_boilerplate, prepare
from workbench.engine.origin import STORY_LINK_MIN, ArticleDoc, coverage
from workbench.engine.trace import _sentences_and_features

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT / "fixtures" / "news-dev"


def _doc(key: str, text: str) -> ArticleDoc:
    sentences, feats = _sentences_and_features(text)
    return ArticleDoc(key, [f for f, s in zip(feats, sentences, strict=True) if not is_boilerplate(s.text)], text)


def story_link(a: str, b: str) -> float:
    """The engine's story link between two texts, as ``group_stories`` computes it for a pair."""
    da, db = _doc("a", a), _doc("b", b)
    idf = idf_table([*da.sentences, *db.sentences])
    return max(coverage(da, db, idf)[1], coverage(db, da, idf)[1])


def generated_pairs(size: int, per_kind: int, seed: int) -> dict[str, list[tuple[str, str]]]:
    corpus, rng = Corpus(size, seed), random.Random(seed)
    out: dict[str, list[tuple[str, str]]] = {
        "generated derivative + its origin": [],
        "generated unrelated + earlier article": [],
    }
    for i in range(1, size):
        a = corpus.article(i)
        if a.origin_position is not None:
            kind, other = "generated derivative + its origin", a.origin_position
        else:
            kind, other = "generated unrelated + earlier article", rng.randrange(i)
        if len(out[kind]) < per_kind:
            out[kind].append((a.text, corpus.article(other).text))
    return out


def development_pairs(dev: Path) -> dict[str, list[tuple[str, str]]]:
    gold = json.loads((dev / "GOLD.json").read_text())
    path = {p.name: p for p in dev.glob("*/*.txt")}
    text = {name: prepare(p.read_text(encoding="utf-8")).text for name, p in path.items()}
    origins = {path[w["origin"]].parent: w["origin"] for w in gold["articles"].values() if w.get("origin")}
    same, cross = [], []
    for name, want in gold["articles"].items():
        if want.get("origin") and want["origin"] != name:
            same.append((text[name], text[want["origin"]]))
        for folder, origin in origins.items():
            if folder != path[name].parent:
                cross.append((text[name], text[origin]))
    return {"development derivative + its origin": same, "development article + another story's origin": cross}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--size", type=int, default=3000, help="generated archive to draw pairs from")
    p.add_argument("--pairs", type=int, default=80, help="generated pairs of each kind")
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args(argv)
    kinds = {**generated_pairs(args.size, args.pairs, args.seed), **development_pairs(DEV)}
    print(f"story link = mean of the best three sentence matches; linked at >= {STORY_LINK_MIN}")
    print("| pairs | n | min | p10 | median | p90 | max | linked |")
    print("|---|---|---|---|---|---|---|---|")
    for kind, pairs in kinds.items():
        xs = sorted(story_link(a, b) for a, b in pairs)
        n = len(xs)
        cells = [f"{xs[q]:.2f}" for q in (0, n // 10, n // 2, 9 * n // 10, n - 1)]
        print(f"| {kind} | {n} | " + " | ".join(cells) + f" | {sum(x >= STORY_LINK_MIN for x in xs)} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
