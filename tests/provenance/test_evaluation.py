"""Evaluation: the scorer, the fitted cut points, and that the engine's choices never rest on file names."""

from __future__ import annotations

import io
import json
import random
import shutil

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import REPO_DIR
from tests.pseudo_terminal import PseudoTerminal, bar_counts
from workbench.provenance import evaluation as ev

DEV_DIR = REPO_DIR / "fixtures" / "news-dev"


def test_bag_of_words_cosine_counts_words():
    assert ev.bow_cosine("the cat sat", "the cat sat") == pytest.approx(1.0)
    assert ev.bow_cosine("the cat", "a dog") == 0.0
    assert ev.bow_cosine("a a b", "a b b") == pytest.approx(4 / 5)
    assert ev.bow_cosine("", "anything") == 0.0


def test_the_story_scorer_accepts_any_accepted_label_and_counts_alignment_and_flags():
    gold = {
        "articles": {"d.txt": {"origin": "o.txt"}, "u.txt": {"origin_not": "o.txt"}},
        "sentences": [
            {
                "file": "d.txt",
                "find": "Alpha said",
                "accept": ["supported"],
                "ideal": "supported",
                "origin_find": "Alpha told",
                "origin_full": ["Alpha told reporters."],
            },
            {
                "file": "d.txt",
                "find": "Beta will",
                "accept": ["altered"],
                "ideal": "altered",
                "origin_find": "Beta could",
                "origin_full": ["Beta could win."],
                "flag_any": ["hedge_dropped"],
            },
            {"file": "d.txt", "find": "Gamma", "accept": ["unsourced", "other_source"], "ideal": "unsourced"},
            {"file": "d.txt", "find": "Subscribe now", "accept": ["boilerplate"], "ideal": "boilerplate"},
        ],
    }
    report = {
        "articles": [
            {
                "path": "/x/d.txt",
                "origin_path": "/x/o.txt",
                "sentences": [
                    {
                        "text": "Alpha said so.",
                        "label": "supported",
                        "origin_text": "Alpha told reporters.",
                        "flags": [],
                    },
                    {
                        "text": "Beta will win.",
                        "label": "altered",
                        "origin_text": "Something else.",
                        "flags": [{"type": "hedge_dropped"}],
                    },
                    {"text": "Gamma happened.", "label": "other_source", "origin_text": None, "flags": []},
                ],
            },
            {"path": "/x/u.txt", "origin_path": None, "sentences": []},
        ]
    }
    score = ev.score_story_report(gold, report)
    assert score.label == 1.0
    assert score.align == 0.5
    assert score.flags == 1.0
    assert score.origin == 1.0
    assert "unsourced" not in score.per_label and score.per_label["other_source"].tp == 1


def test_a_wrong_label_counts_against_both_labels():
    gold = {"articles": {}, "sentences": [{"file": "d.txt", "find": "Beta", "accept": ["altered"], "ideal": "altered"}]}
    report = {"articles": [{"path": "d.txt", "sentences": [{"text": "Beta.", "label": "supported", "flags": []}]}]}
    score = ev.score_story_report(gold, report)
    assert score.label == 0.0
    assert score.per_label["altered"].fn == 1 and score.per_label["supported"].fp == 1


def test_paraphrase_evidence_sees_changed_figures_and_names():
    same = ev.engine_paraphrase_evidence(
        "Shares fell 9 percent on Monday in New York.", "On Monday in New York, shares fell 9 percent."
    )
    changed = ev.engine_paraphrase_evidence(
        "Shares fell 9 percent on Monday in New York.", "Shares fell 7 percent on Monday in Tokyo."
    )
    assert len(same) == len(changed)
    figures_equal, figures_differ, names = 7, 8, 9
    assert (same[figures_equal], same[figures_differ], same[names]) == (1.0, 0.0, 1.0)
    assert changed[figures_equal] == 0.0 and changed[figures_differ] == 1.0 and changed[names] < 1.0


def test_fitted_threshold_and_cut_points_separate_what_they_can():
    assert ev.fit_threshold([0.1, 0.2, 0.8, 0.9], [False, False, True, True]) == 0.8
    cuts = ev.fit_ordinal_cuts([0.95, 0.9, 0.7, 0.6, 0.4, 0.35, 0.1, 0.05], list("aabbccdd"), ("a", "b", "c", "d"))
    assert [ev.ordinal_class(s, cuts, "abcd") for s in (0.95, 0.6, 0.35, 0.05)] == ["a", "b", "c", "d"]


def test_classification_scores_average_f1_over_true_classes():
    result = ev.classification_scores(["x", "x", "y", "y"], ["x", "y", "y", "y"])
    assert result["accuracy"] == 0.75
    assert result["macro_f1"] == pytest.approx((2 / 3 + 0.8) / 2)


def test_origins_found_do_not_depend_on_file_names(tmp_path):
    """The engine must judge by content: shuffled, renamed copies get the same origins."""
    originals = sorted(DEV_DIR.glob("*/*.txt"))
    names = [f"article-{i:03d}.txt" for i in random.Random(7).sample(range(1000), len(originals))]
    renamed = {}
    for path, name in zip(originals, names, strict=True):
        shutil.copy(path, tmp_path / name)
        renamed[tmp_path / name] = path
    shuffled = list(renamed)
    random.Random(3).shuffle(shuffled)
    report = ev.engine_story_report(shuffled)
    expected = ev.engine_story_report(originals)
    origin_of = {a["path"]: a["origin_path"] for a in expected["articles"]}
    for article in report["articles"]:
        original = str(renamed[type(tmp_path)(article["path"])])
        want = origin_of[original]
        got = article["origin_path"]
        assert (str(renamed[type(tmp_path)(got)]) if got else None) == want, article["path"]


@pytest.mark.django_db
def test_the_evaluate_command_prints_engine_and_baseline_side_by_side():
    out = io.StringIO()
    call_command("evaluate", "--only", "seeds", stdout=out)
    text = out.getvalue()
    assert "Seeds (engine)" in text and "Seeds (baseline)" in text
    out = io.StringIO()
    call_command("evaluate", "--only", "seeds", "--json", stdout=out)
    figures = json.loads(out.getvalue())
    assert figures["seeds"]["engine"]["label"] > figures["seeds"]["baseline"]["label"]


def test_wice_reports_each_claim_through_its_three_passes():
    rows = ev.load_wice(REPO_DIR / "fixtures" / "public" / "wice" / "claims-dev.jsonl")[:3]
    calls = []
    ev.evaluate_wice(rows, on_progress=lambda done, total: calls.append((done, total)))
    assert calls == [(done, 9) for done in range(10)]


@pytest.mark.django_db
def test_on_a_terminal_evaluate_shows_a_bar_per_set_and_on_a_string_none():
    answers, _, _ = ev.load_clough_stevenson(REPO_DIR / "fixtures" / "public" / "clough-stevenson")
    on_terminal, piped, err = io.StringIO(), io.StringIO(), io.StringIO()
    with PseudoTerminal() as terminal:
        call_command("evaluate", "--only", "seeds,clough", "--json", stdout=on_terminal, stderr=terminal.stream)
    assert bar_counts(terminal.text, "seeds")[-1] == "3/3"  # the engine, the engine given origins, the baseline
    assert bar_counts(terminal.text, "clough")[-1] == f"{len(answers)}/{len(answers)}"
    call_command("evaluate", "--only", "seeds,clough", "--json", stdout=piped, stderr=err)
    assert err.getvalue() == ""

    def figures(out):
        results = json.loads(out.getvalue())
        return {name: {**r, "seconds": None} if isinstance(r, dict) else r for name, r in results.items()}

    assert figures(on_terminal) == figures(piped)


def _story_part(folder, seeds_gold):
    """A corpus part in the news corpus's layout, made of the seed articles and their gold."""
    story = folder / "seed-story"
    story.mkdir(parents=True)
    for path in (REPO_DIR / "fixtures" / "seeds").glob("*.txt"):
        shutil.copy(path, story / path.name)
    shutil.copy(seeds_gold, folder / "GOLD.json")
    return folder


@pytest.mark.django_db
def test_the_evaluate_command_shows_the_tuning_and_fresh_parts_side_by_side_and_only_score_lines_for_fresh(tmp_path):
    gold = REPO_DIR / "fixtures" / "gold" / "seeds.json"
    tune, fresh = _story_part(tmp_path / "tune", gold), _story_part(tmp_path / "fresh", gold)
    out = io.StringIO()
    call_command("evaluate", "--only", "tune,fresh", "--tune", str(tune), "--fresh", str(fresh), stdout=out)
    text = out.getvalue()
    for part in ("tuning part", "fresh part"):
        for system in ("engine", "engine, origins given", "baseline"):
            assert f"News corpus, {part} ({system})" in text
    assert "News corpus, tuning part, engine, per label" in text
    assert "fresh part, engine, per label" not in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--only", "seeds,nonsense"], "unknown set"),
        (["--only", "mrpc", "--mrpc", "/nowhere/mrpc.txt"], "no such file"),
    ],
)
def test_the_evaluate_command_refuses_bad_arguments_clearly(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("evaluate", *args)
