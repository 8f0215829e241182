"""The support check: does a page support a claim, which sentences show it, and which of the claim's words none of
them contains. Claims and pages are WiCE's (Wikipedia claims with the web pages they cite)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.engine.support import (
    FEATURES,
    MODEL_PATH,
    SupportModel,
    check_support,
    rank_evidence,
    support_features,
)
from workbench.provenance.evaluation import load_wice, support_model_fit

WICE = Path(__file__).resolve().parents[2] / "fixtures" / "public" / "wice" / "claims-dev.jsonl"


@pytest.fixture(scope="module")
def wice():
    return load_wice(WICE)


def test_a_supported_claim_is_supported_by_the_sentence_that_says_it(wice):
    row = wice[6]  # "A keen tennis player, he lives in Leicestershire with his wife and two children."
    assert row.label == "supported"
    check = check_support(row.claim, row.evidence)
    assert check.supported and check.evidence[0] in row.supporting
    assert "Leicestershire" in row.evidence[check.evidence[0]]


def test_an_unsupported_claim_is_not_and_its_missing_figures_are_named(wice):
    row = wice[15]  # "Gill has won 21 awards from 44 nominations."
    assert row.label == "not_supported"
    check = check_support(row.claim, row.evidence)
    assert not check.supported
    assert {"21", "44"} <= set(check.unsupported_words)
    assert len(check.evidence) == 3 and all(0 <= i < len(row.evidence) for i in check.evidence)


def test_evidence_is_ranked_by_how_much_of_the_claim_it_contains():
    ranking = rank_evidence(
        "The council approved the budget on Tuesday.",
        ["The weather was fine.", "On Tuesday the council approved the budget.", "The council met."],
    )
    assert ranking.order[0] == 1 and ranking.order[-1] == 0


def test_the_stored_model_is_what_the_training_command_builds(wice):
    stored = MODEL_PATH.read_text(encoding="utf-8")
    assert support_model_fit(wice).to_json() + "\n" == stored


def test_a_model_built_for_other_features_is_refused(tmp_path):
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    data["features"] = list(FEATURES[:-1])
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="make model-support"):
        SupportModel.load(path)


def test_a_figure_or_name_of_the_claim_missing_from_the_page_is_measured_as_whole_words():
    specific_missing = FEATURES.index("specific_missing")
    page = ["The council approved a budget of 2021 pages in Leicester.", "It met on Tuesday."]

    def missing(claim: str) -> float:
        return support_features(claim, page)[specific_missing]

    assert missing("The council approved the budget on Tuesday.") == 0.0
    assert missing("The council approved 2021 pages in Leicester.") == 0.0
    assert missing("The council approved 21 pages.") == 1.0  # "21" is not found inside "2021"
    assert missing("The council in Leices approved it.") == 1.0  # nor a name inside a longer word
    assert missing("The council in Paris approved it.") == 1.0
