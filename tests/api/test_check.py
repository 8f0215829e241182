"""The pre-publication check: a draft is traced against the archive and answered with every flag, and no table
changes; the engine's command line exits 1 on a high-severity flag so a CMS hook can hold a draft back."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from django.apps import apps

from tests import factories
from workbench.provenance.services import articles_trace
from workbench.sources.services import article_ingest_file

pytestmark = pytest.mark.django_db

FAITHFUL = (
    "Ukraine's allies have shifted their focus from seeking a victory to trying to put President Volodymyr "
    "Zelenskyy in the best position to counter Russian advances or negotiate a possible ceasefire, people familiar "
    "with the matter said. Putin has shown no willingness to discuss a ceasefire, but the return of Donald Trump to "
    "the White House has focused NATO allies on how to shore up the political will to sustain the nearly three-year "
    "war as morale starts to fade."
)
ALTERED = FAITHFUL.replace("nearly three-year war", "nearly seven-year war")


@pytest.fixture
def archived_story(db, seed_paths) -> dict:
    """Bloomberg's NATO story (seed 001) traced with one republication (seed 002): an origin in the archive."""
    origin_path = next(p for p in seed_paths if p.name.startswith("001_"))
    copy_path = next(p for p in seed_paths if p.name.startswith("002_"))
    origin = article_ingest_file(path=origin_path).article
    copy = article_ingest_file(path=copy_path).article
    articles_trace(articles=[origin, copy], origin=origin)
    return {"origin": origin, "copy": copy, "origin_text": origin_path.read_text(encoding="utf-8")}


def stored_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


@pytest.fixture
def tom_client(client_for):
    return client_for(factories.UserFactory(username="tom"), "read")


def test_a_draft_that_changes_a_number_is_flagged_and_nothing_is_stored(tom_client, archived_story):
    before = stored_counts()
    response = tom_client.post("/api/v1/check/", {"content": ALTERED}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["origin"]["id"] == archived_story["origin"].pk
    assert body["role"] == "derivative"
    assert body["flag_counts"].get("number_changed") == 1
    flagged = [f for s in body["sentences"] for f in s["flags"] if f["type"] == "number_changed"]
    assert flagged[0]["severity"] == 3 and "seven" in flagged[0]["span"]
    assert body["blocking"] is True and body["high_severity_flags"] >= 1
    assert stored_counts() == before


def test_a_faithful_draft_is_not_blocking(tom_client, archived_story):
    before = stored_counts()
    response = tom_client.post(
        "/api/v1/check/", {"content": FAITHFUL, "origin": archived_story["origin"].pk}, format="json"
    )
    body = response.json()
    assert response.status_code == 200
    assert body["blocking"] is False and body["high_severity_flags"] == 0
    assert {s["label"] for s in body["sentences"]} == {"supported"}
    assert stored_counts() == before


def test_the_origin_can_be_named_by_its_stored_url(tom_client, archived_story):
    origin = archived_story["origin"]
    origin.canonical_url = "https://bloomberg.example/nato"
    origin.save(update_fields=["canonical_url"])
    body = tom_client.post(
        "/api/v1/check/", {"content": ALTERED, "origin_url": "https://bloomberg.example/nato"}, format="json"
    ).json()
    assert body["origin"] == {"id": origin.pk, "headline": origin.headline, "url": "https://bloomberg.example/nato"}
    assert body["blocking"] is True


def test_an_html_draft_is_read_like_a_submitted_page(tom_client, archived_story):
    html = "<html><body><article>" + "".join(f"<p>{s}.</p>" for s in ALTERED.split(". ")) + "</article></body></html>"
    body = tom_client.post("/api/v1/check/", {"content": html}, format="json").json()
    assert body["origin"]["id"] == archived_story["origin"].pk
    assert body["flag_counts"].get("number_changed") == 1


def test_a_draft_of_no_archived_story_is_unrelated(tom_client, archived_story):
    text = "The village fete raised money for a new roof on the church hall, the organisers said on Sunday evening."
    body = tom_client.post("/api/v1/check/", {"content": text}, format="json").json()
    assert body["origin"] is None and body["role"] == "unrelated"
    assert body["blocking"] is False


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"content": "   "}, "content"),
        ({}, "content"),
        ({"content": FAITHFUL, "origin_url": "https://nowhere.example/x"}, "origin_url"),
        ({"content": FAITHFUL, "origin": 999999}, "origin"),
        ({"content": "Menu | Home | Contact"}, "content"),
    ],
)
def test_bad_drafts_get_a_clear_error_and_store_nothing(tom_client, archived_story, payload, field):
    before = stored_counts()
    response = tom_client.post("/api/v1/check/", payload, format="json")
    assert response.status_code == 400
    assert field in json.dumps(response.json())
    assert stored_counts() == before


def test_checking_needs_a_token(archived_story):
    from rest_framework.test import APIClient

    assert APIClient().post("/api/v1/check/", {"content": FAITHFUL}, format="json").status_code in (401, 403)


def run_check(tmp_path, draft: str, origin_text: str) -> subprocess.CompletedProcess:
    origin_file, draft_file = tmp_path / "origin.txt", tmp_path / "draft.txt"
    origin_file.write_text(origin_text, encoding="utf-8")
    draft_file.write_text(draft, encoding="utf-8")
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "workbench.engine",
            "--check",
            "--origin",
            str(origin_file),
            str(origin_file),
            str(draft_file),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def origin_text(seed_paths) -> str:
    return next(p for p in seed_paths if p.name.startswith("001_")).read_text(encoding="utf-8")


def test_the_command_line_check_exits_1_on_a_high_severity_flag(tmp_path, origin_text):
    done = run_check(tmp_path, ALTERED, origin_text)
    assert done.returncode == 1, done.stderr
    assert "number_changed" in done.stderr
    report = json.loads(done.stdout)
    assert any(f["type"] == "number_changed" for a in report["articles"] for s in a["sentences"] for f in s["flags"])


def test_the_command_line_check_exits_0_for_a_faithful_draft(tmp_path, origin_text):
    done = run_check(tmp_path, FAITHFUL, origin_text)
    assert done.returncode == 0, done.stderr


def test_a_draft_repeating_wording_the_origin_has_since_corrected_is_blocked(tom_client, archived_story):
    origin = archived_story["origin"]
    newest = origin.versions.order_by("-number").first()
    corrected = newest.clean_text.replace("nearly three-year war", "nearly four-year war")
    factories.ArticleVersionFactory(article=origin, number=newest.number + 1, clean_text=corrected)
    before = stored_counts()
    body = tom_client.post("/api/v1/check/", {"content": FAITHFUL, "origin": origin.pk}, format="json").json()
    flagged = [f for s in body["sentences"] for f in s["flags"] if f["type"] == "correction_not_carried"]
    assert len(flagged) == 1 and flagged[0]["span"] == "three-year"
    assert "four-year" in flagged[0]["explanation"]
    assert body["blocking"] is True
    assert stored_counts() == before
