"""Stories by event, the origin chosen from evidence, and lineage: who copied whom."""

from __future__ import annotations

import itertools
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.engine.report import files_report
from workbench.engine.trace import trace_articles
from workbench.engine.types import ArticleInput

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT / "fixtures" / "news-dev"

WIRE = """SEOUL, March 3 (Reuters) - South Korea's central bank held its benchmark interest rate at 2.75% on Monday, \
as policymakers weighed a weakening won against signs that exports were losing momentum.
The Bank of Korea's monetary policy board voted 6-1 to keep the rate unchanged, Governor Rhee Chang-yong told a news \
conference in Seoul.
"We will keep watching the currency market closely," Rhee said, adding that the board saw room for one more cut later \
this year.
Exports fell 4.1% in February from a year earlier, the first decline in 16 months, trade ministry data showed.
Economists polled by Reuters had expected the bank to hold the rate, with 18 of 22 forecasting no change.
"""

AGGREGATOR = """The Bank of Korea kept its key interest rate steady at 2.75% on Monday, weighing a weaker won against \
slowing exports.
The bank's monetary policy board voted 6-1 for no change, Governor Rhee Chang-yong told a news conference in Seoul.
Rhee said the board would keep watching the currency market closely and saw room for one more cut later this year.
Exports fell 4.1% in February from a year earlier, the first decline in 16 months, trade data showed.
Analysts at Nomura Securities said the won's slide to 1,460 per dollar had tied the central bank's hands.
The Kospi index closed 1.2% lower after the announcement, led by Samsung Electronics and SK Hynix.
"""

# A site's copy of the aggregator: its text, minus one sentence, with its own furniture.
COPY = """The Bank of Korea kept its key interest rate steady at 2.75% on Monday, weighing a weaker won against \
slowing exports.
The bank's monetary policy board voted 6-1 for no change, Governor Rhee Chang-yong told a news conference in Seoul.
Exports fell 4.1% in February from a year earlier, the first decline in 16 months, trade data showed.
Analysts at Nomura Securities said the won's slide to 1,460 per dollar had tied the central bank's hands.
The Kospi index closed 1.2% lower after the announcement, led by Samsung Electronics and SK Hynix.
Share this article
"""

ADDED = ("Analysts at Nomura Securities", "The Kospi index closed")


def _chain():
    return {
        "wire": ArticleInput("wire", WIRE, "South Korea holds rates"),
        "aggregator": ArticleInput("aggregator", AGGREGATOR, "Bank of Korea holds rate as won weakens"),
        "copy": ArticleInput("copy", COPY, "Bank of Korea holds rate as won weakens"),
    }


@pytest.mark.parametrize("order", list(itertools.permutations(["wire", "aggregator", "copy"])))
def test_a_copy_of_a_rewrite_is_traced_to_the_wire_report_through_the_rewrite(order):
    chain = _chain()
    traces = {t.key: t for t in trace_articles([chain[k] for k in order])}
    assert traces["wire"].role == "origin" and traces["wire"].parent_key is None
    assert "Reuters dateline" in traces["wire"].origin_reasons
    assert traces["aggregator"].origin_key == "wire" and traces["aggregator"].parent_key == "wire"
    assert traces["copy"].origin_key == "wire" and traces["copy"].parent_key == "aggregator"
    inherited = [s for s in traces["copy"].sentences if s.text.startswith(ADDED)]
    assert len(inherited) == 2
    for s in inherited:
        # Not from the origin (the analysts' words credit a party the origin never names: other_source).
        assert s.label in ("unsourced", "other_source") and s.first_appeared_in == "aggregator"
    # In the aggregator the same sentences are its own additions: nothing earlier holds them.
    own = [s for s in traces["aggregator"].sentences if s.text.startswith(ADDED)]
    assert [s.first_appeared_in for s in own] == [None, None]


def test_the_trace_report_gives_every_article_its_parent_path(tmp_path):
    for name, article in _chain().items():
        (tmp_path / f"{name}.txt").write_text(article.text, encoding="utf-8")
    report = files_report([str(tmp_path / f"{n}.txt") for n in ("copy", "wire", "aggregator")])
    by_name = {Path(a["path"]).stem: a for a in report["articles"]}
    assert by_name["wire"]["parent_path"] is None
    assert Path(by_name["aggregator"]["parent_path"]).stem == "wire"
    assert Path(by_name["copy"]["parent_path"]).stem == "aggregator"
    assert by_name["wire"]["origin_reasons"]
    inherited = [s for s in by_name["copy"]["sentences"] if s["text"].startswith(ADDED)]
    assert {Path(s["first_appeared_in"]).stem for s in inherited} == {"aggregator"}


def test_a_lone_article_is_the_origin_of_its_own_story_and_its_sentences_are_origin():
    (trace,) = trace_articles([ArticleInput("wire", WIRE)])
    assert trace.role == "origin" and trace.origin_key is None
    assert {s.label for s in trace.sentences} == {"origin"}
    assert trace.origin_reasons == ["the only article of its story"]


def _gold_origins() -> dict[str, str]:
    gold = json.loads((DEV / "GOLD.json").read_text())["articles"]
    gold.update(json.loads((ROOT / "fixtures" / "gold" / "seeds.json").read_text())["articles"])
    return gold


def _stories(report) -> dict[str, set[str]]:
    """Engine story (named by its origin's file) -> the file names in it."""
    out: dict[str, set[str]] = {}
    for a in report["articles"]:
        name = Path(a["path"]).name
        out.setdefault(Path(a["origin_path"]).name if a["origin_path"] else name, set()).add(name)
    return out


@pytest.mark.parametrize("seed", [0, 1])
def test_the_development_set_and_the_seeds_traced_together_in_any_order_keep_every_origin(seed):
    paths = [str(p) for p in sorted(DEV.glob("*/*.txt"))] + [
        str(p) for p in sorted((ROOT / "fixtures/seeds").glob("*.txt"))
    ]
    random.Random(seed).shuffle(paths)
    report = files_report(paths)
    by_name = {Path(a["path"]).name: a for a in report["articles"]}
    gold = _gold_origins()
    right = 0
    for name, want in gold.items():
        got = by_name[name]["origin_path"]
        got = Path(got).name if got else None
        right += got == want["origin"] if "origin" in want else got != want["origin_not"]
    assert right / len(gold) >= 0.95
    origins = {want["origin"] for want in gold.values() if "origin" in want}
    assert all(by_name[o]["role"] == "origin" for o in origins)
    story_of = {name: want.get("origin", name) for name, want in gold.items()} | {o: o for o in origins}
    merged = [names for names in _stories(report).values() if len({story_of[n] for n in names}) > 1]
    assert merged == []


def test_a_wire_s_reports_of_two_events_in_one_week_are_two_stories():
    """The seeds hold two Bloomberg stories on Ukraine's truce talks a week apart (NATO's arms plan, 4 Dec 2024;
    Zelenskiy's Sky News interview, 29 Nov 2024): same wire, subject, people and places, different events."""
    seeds = sorted((ROOT / "fixtures/seeds").glob("*.txt"))
    nato = next(p for p in seeds if p.name.startswith("001_"))
    interview = next(p for p in seeds if p.name.startswith("003_"))
    for pair in ([nato, interview], [interview, nato]):
        report = files_report([str(p) for p in pair])
        assert [a["role"] for a in report["articles"]] == ["origin", "origin"]


def test_the_engine_module_traces_a_folder_and_skips_what_is_not_an_article(tmp_path):
    for name, article in _chain().items():
        (tmp_path / f"{name}.txt").write_text(article.text, encoding="utf-8")
    (tmp_path / "README.md").write_text("# Notes\nThese files are a test chain.\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "workbench.engine", str(tmp_path)], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert sorted(Path(a["path"]).stem for a in report["articles"]) == ["aggregator", "copy", "wire"]
    assert done.stderr.strip().splitlines() == [f"skipped {tmp_path / 'README.md'}: not an article (a project file)"]


def _news_gold(part: str) -> dict[str, dict]:
    return json.loads((ROOT / "fixtures" / "news" / part / "GOLD.json").read_text())["articles"]


@pytest.mark.xfail(
    strict=True,
    reason="origin choice is right for about two thirds of the news corpus's articles (docs/stories.md); the target "
    "is 0.95",
)
def test_every_labelled_story_traced_together_in_shuffled_order_keeps_its_origin_and_stays_apart():
    """The development set, the seeds and both parts of the news corpus in one call. Only aggregate figures are
    compared: the fresh part measures generalisation and is never looked at article by article."""
    paths = [str(p) for p in sorted(DEV.glob("*/*.txt"))]
    paths += [str(p) for p in sorted((ROOT / "fixtures/seeds").glob("*.txt"))]
    gold = _gold_origins()
    for part in ("tune", "fresh"):
        paths += [str(p) for p in sorted((ROOT / "fixtures/news" / part).glob("*/*.txt"))]
        gold.update(_news_gold(part))
    random.Random(3).shuffle(paths)
    report = files_report(paths)
    by_name = {Path(a["path"]).name: a for a in report["articles"]}
    origins = {want["origin"] for want in gold.values() if "origin" in want}
    right = sum(
        (Path(by_name[n]["origin_path"]).name if by_name[n]["origin_path"] else None) == want["origin"]
        if "origin" in want
        else by_name[n]["origin_path"] is None or Path(by_name[n]["origin_path"]).name != want["origin_not"]
        for n, want in gold.items()
    ) + sum(by_name[o]["role"] == "origin" for o in origins)
    story_of = {name: want.get("origin", name) for name, want in gold.items()} | {o: o for o in origins}
    merged = sum(len({story_of.get(n, n) for n in names}) > 1 for names in _stories(report).values())
    share = right / (len(gold) + len(origins))
    assert share >= 0.95 and merged == 0, f"origin right for {share:.3f} of articles, {merged} merged stories"
