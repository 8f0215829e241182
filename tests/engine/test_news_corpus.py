"""The labelled news corpus is well formed: every gold row finds its sentence, every origin excerpt is verbatim in its
origin, and every label is one the engine knows, so a score measures the engine and not the labels' typos."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from workbench.engine.types import Label

NEWS = Path(__file__).resolve().parents[2] / "fixtures" / "news"
PARTS = ("tune", "fresh")
_FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.translate(_FOLD).replace("\u00a0", " ")).strip().lower()


def _files(part: str) -> dict[str, str]:
    return {path.name: _norm(path.read_text(encoding="utf-8")) for path in (NEWS / part).glob("*/*.txt")}


@pytest.mark.parametrize("part", PARTS)
def test_every_gold_row_points_at_text_that_is_there(part):
    gold = json.loads((NEWS / part / "GOLD.json").read_text(encoding="utf-8"))
    texts = _files(part)
    problems = []
    for name, want in gold["articles"].items():
        if name not in texts or want["origin"] not in texts:
            problems.append(f"{name}: file or origin {want['origin']} missing")
    for row in gold["sentences"]:
        text = texts.get(row["file"], "")
        if text.count(_norm(row["find"])) != 1:
            problems.append(f"{row['file']}: find {row['find']!r} is not found exactly once")
        if not set(row["accept"]) <= set(Label) or row["ideal"] not in row["accept"]:
            problems.append(f"{row['file']}: labels {row['accept']} / {row['ideal']}")
        origin = texts.get(gold["articles"][row["file"]]["origin"], "")
        for excerpt in [row.get("origin_find", ""), *row.get("origin_full", [])]:
            if _norm(excerpt) not in origin:
                problems.append(f"{row['file']}: origin excerpt {excerpt[:40]!r} is not in the origin")
    assert problems == []
    assert len(gold["sentences"]) >= 300


def test_the_parts_share_no_story_and_no_file_name():
    stories = {part: {path.name for path in (NEWS / part).iterdir() if path.is_dir()} for part in PARTS}
    assert stories["tune"] and stories["fresh"] and not stories["tune"] & stories["fresh"]
    names = [path.name for part in PARTS for path in (NEWS / part).glob("*/*.txt")]
    assert len(names) == len(set(names))
