"""The `trace` command: its JSON contract, idempotence, and that what it prints is what it stored."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import REPO_DIR, SEEDS_DIR
from tests.pseudo_terminal import PseudoTerminal, bar_counts
from workbench.claims.models import Claim
from workbench.engine.types import FlagType, Label
from workbench.provenance.models import Divergence, ProvenanceLink, Story, StoryMembership
from workbench.sources.models import Article, ArticleVersion

pytestmark = pytest.mark.django_db

ORIGIN = "001_42d4d9456398e21d.txt"
ZELENSKIY_INTERVIEW = "003_9739a216e7ca54b8.txt"
LABELS = set(Label)
FLAG_TYPES = set(FlagType)


def seed_args() -> list[str]:
    return [str(SEEDS_DIR.relative_to(REPO_DIR) / p.name) for p in sorted(SEEDS_DIR.glob("*.txt"))]


def trace_json(*args: str) -> dict:
    out = io.StringIO()
    call_command("trace", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def in_repo(monkeypatch):
    monkeypatch.chdir(REPO_DIR)


def test_the_json_report_follows_the_contract_for_every_sentence_in_order(in_repo):
    paths = seed_args()
    report = trace_json(*paths)
    assert set(report) == {"articles"}
    assert [a["path"] for a in report["articles"]] == paths
    for entry in report["articles"]:
        assert set(entry) == {"path", "headline", "role", "origin_path", "parent_path", "origin_reasons", "sentences"}
        assert entry["role"] in {"origin", "derivative", "unrelated"}
        assert isinstance(entry["headline"], str)
        assert entry["origin_path"] is None or entry["origin_path"] in paths
        # The origin has no parent and says why it is the origin; every derivative names its parent.
        assert (entry["parent_path"] is None) == (entry["role"] == "origin")
        assert entry["parent_path"] is None or entry["parent_path"] in paths
        assert bool(entry["origin_reasons"]) == (entry["role"] == "origin")
        version = Article.objects.get(ingest_key=f"file:{Path(entry['path']).resolve()}").versions.latest()
        assert [s["text"] for s in entry["sentences"]] == list(version.claims.values_list("text", flat=True))
        for sentence in entry["sentences"]:
            keys = {"text", "label", "origin_text", "score", "attribution", "first_appeared_in", "flags"}
            assert set(sentence) == keys
            assert sentence["first_appeared_in"] is None or sentence["first_appeared_in"] in paths
            assert sentence["label"] in LABELS
            assert isinstance(sentence["score"], float)
            assert sentence["origin_text"] is None or isinstance(sentence["origin_text"], str)
            assert sentence["attribution"] is None or isinstance(sentence["attribution"], str)
            for flag in sentence["flags"]:
                assert set(flag) == {"type", "span", "origin_span", "explanation"}
                assert flag["type"] in FLAG_TYPES
                assert flag["span"] and flag["span"] in sentence["text"]
                assert flag["origin_span"] is None or flag["origin_span"] in (sentence["origin_text"] or "")
                assert flag["explanation"]


def test_the_seeds_trace_to_the_origin_and_the_interview_story_stays_apart(in_repo):
    report = {Path(a["path"]).name: a for a in trace_json(*seed_args())["articles"]}
    assert report[ORIGIN]["role"] == "origin"
    for name in ("000_ad739f1e30456db6.txt", "002_95b67b79871b7dc7.txt", "004_db10e6a5b76e31e7.txt"):
        assert report[name]["role"] == "derivative"
        assert Path(report[name]["origin_path"]).name == ORIGIN
    assert (
        report[ZELENSKIY_INTERVIEW]["origin_path"] is None
        or Path(report[ZELENSKIY_INTERVIEW]["origin_path"]).name != ORIGIN
    )


def test_the_trace_is_stored_in_the_models(in_repo):
    report = trace_json(*seed_args())
    origin_article = Article.objects.get(ingest_key=f"file:{(SEEDS_DIR / ORIGIN).resolve()}")
    story = Story.objects.get(origin=origin_article)
    assert StoryMembership.objects.filter(story=story, role="derivative").count() == 3
    assert ProvenanceLink.objects.filter(origin_claim__version__article=origin_article).exists()
    stored_flags = sum(len(s["flags"]) for a in report["articles"] for s in a["sentences"])
    assert Divergence.objects.count() == stored_flags > 0
    assert not Claim.objects.filter(version__article__story_membership__role="derivative", label="").exists()
    for divergence in Divergence.objects.select_related("claim", "origin_claim"):
        assert divergence.claim.text[divergence.span_start : divergence.span_end] == divergence.span
        if divergence.origin_claim is not None:
            assert (
                divergence.origin_claim.text[divergence.origin_start : divergence.origin_end] == divergence.origin_span
            )


def test_re_running_the_trace_prints_the_same_report_and_stores_nothing_twice(in_repo):
    first = trace_json(*seed_args())
    counts = [m.objects.count() for m in (Article, ArticleVersion, Claim, ProvenanceLink, Divergence, Story)]
    second = trace_json(*seed_args())
    assert second == first
    assert [m.objects.count() for m in (Article, ArticleVersion, Claim, ProvenanceLink, Divergence, Story)] == counts


def test_the_stored_report_equals_the_engine_run_alone(in_repo):
    """What the workbench stores and reads back is exactly what the engine computed."""
    paths = seed_args()
    stored = trace_json(*paths)
    alone = subprocess.run(
        [sys.executable, "-m", "workbench.engine", *paths], cwd=REPO_DIR, capture_output=True, text=True, timeout=120
    )
    assert alone.returncode == 0, alone.stderr
    engine = json.loads(alone.stdout)
    for ours, theirs in zip(stored["articles"], engine["articles"], strict=True):
        assert {k: ours[k] for k in ("path", "role", "origin_path")} == {
            k: theirs[k] for k in ("path", "role", "origin_path")
        }
        for a, b in zip(ours["sentences"], theirs["sentences"], strict=True):
            assert {**a, "score": round(a["score"], 4)} == {**b, "score": round(b["score"], 4)}


def test_on_a_terminal_trace_shows_its_bars_on_stderr_and_the_json_is_unchanged(in_repo):
    """Ingest counts files, the synchronous trace counts articles as the engine finishes each; on a string stderr
    stays empty, and stdout is the same bytes either way."""
    paths = seed_args()
    out_piped, err_piped, out_on_terminal = io.StringIO(), io.StringIO(), io.StringIO()
    call_command("trace", "--json", *paths, stdout=out_piped, stderr=err_piped)
    with PseudoTerminal() as terminal:
        call_command("trace", "--json", *paths, stdout=out_on_terminal, stderr=terminal.stream)
    assert err_piped.getvalue() == ""
    assert out_on_terminal.getvalue() == out_piped.getvalue()
    assert bar_counts(terminal.text, "ingest")[-1] == "5/5"
    counts = bar_counts(terminal.text, "trace")
    assert counts[0] == "0/5" and counts[-1] == "5/5"


def test_an_explicit_origin_is_respected(in_repo):
    paths = seed_args()
    report = trace_json("--origin", paths[1], *paths)
    by_name = {Path(a["path"]).name: a for a in report["articles"]}
    assert by_name[ORIGIN]["role"] == "origin"


def test_the_readable_report_shows_labels_origins_and_flags(in_repo):
    out = io.StringIO()
    call_command("trace", *seed_args(), stdout=out)
    text = out.getvalue()
    assert "ALTERED" in text and "SUPPORTED" in text
    assert "origin (" in text
    assert "quote_altered" in text
    assert "\033[" not in text, "no colour codes when the output is not a terminal"


def test_a_missing_origin_file_is_a_clear_error(in_repo):
    with pytest.raises(CommandError, match="--origin nowhere.txt: no such file"):
        call_command("trace", "--origin", "nowhere.txt", *seed_args())


def test_bad_files_are_named_and_the_good_ones_still_traced(in_repo, tmp_path, capsys):
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 of 6 files could not be ingested"):
        call_command("trace", "--json", *seed_args(), str(bad), stdout=out)
    assert f"error: {bad}: empty" in capsys.readouterr().err
    assert len(json.loads(out.getvalue())["articles"]) == 5
