"""Verdicts through the API: the review services' state machine and rules, If-Match / ETag, 412 on conflicts."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from tests import factories
from tests.api.test_auth import assert_error
from workbench.api.services import api_token_create
from workbench.review.models import ReviewEvent, Verdict
from workbench.review.services import claim_self_assign

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_api(alice, client_for):
    return client_for(alice, "read", "review")


@pytest.fixture
def erin_api(erin, client_for):
    return client_for(erin, "read", "review")


def create(client, claim, **fields):
    return client.post("/api/v1/verdicts/", {"claim": claim.pk, "label": "altered", **fields}, format="json")


def patch(client, verdict_id, body, etag=None):
    headers = {"HTTP_IF_MATCH": etag} if etag is not None else {}
    return client.patch(f"/api/v1/verdicts/{verdict_id}/", body, format="json", **headers)


def step(client, verdict_id, name, etag, **body):
    return client.post(f"/api/v1/verdicts/{verdict_id}/{name}/", body, format="json", HTTP_IF_MATCH=etag)


def test_a_reviewer_records_a_verdict(alice_api, alice, story_graph):
    response = create(
        alice_api, story_graph["c1"], rationale="Adds a figure.", evidence_links=["https://wire.example/original"]
    )
    assert response.status_code == 201, response.content
    body = response.json()
    verdict = Verdict.objects.get()
    assert (verdict.reviewer, verdict.state, verdict.revision) == (alice, "draft", 1)
    assert verdict.evidence_links == ["https://wire.example/original"]
    assert response["ETag"] == '"r1"' == body["etag"] and body["reviewer"] == "alice"
    assert response["Location"].endswith(f"/api/v1/verdicts/{verdict.pk}/")
    assert ReviewEvent.objects.filter(verdict=verdict, kind="created", actor=alice).exists()


def test_the_full_workflow_with_etags(alice_api, erin_api, story_graph):
    verdict_id = create(alice_api, story_graph["c1"]).json()["id"]
    etag = alice_api.get(f"/api/v1/verdicts/{verdict_id}/")["ETag"]
    updated = patch(alice_api, verdict_id, {"rationale": "The origin hedges."}, etag)
    assert updated.status_code == 200 and updated["ETag"] == '"r2"'
    submitted = step(alice_api, verdict_id, "submit", updated["ETag"])
    assert submitted.json()["state"] == "submitted"
    approved = step(erin_api, verdict_id, "approve", submitted["ETag"])
    assert approved.status_code == 200, approved.content
    assert approved.json()["state"] == "approved" and approved.json()["approver"] == "erin"
    reopened = step(erin_api, verdict_id, "reopen", approved["ETag"], note="New evidence.")
    assert reopened.json()["state"] == "draft"
    history = alice_api.get(f"/api/v1/verdicts/{verdict_id}/history/").json()
    assert [h["state"] for h in history] == ["draft", "approved", "submitted", "draft", "draft"]
    assert [h["revision"] for h in history] == [5, 4, 3, 2, 1]
    assert history[0]["history_user"] == "erin"


def test_each_reader_is_told_what_they_may_do_with_the_verdict_now(alice_api, erin_api, erin, client_for, story_graph):
    verdict_id = create(alice_api, story_graph["c1"]).json()["id"]
    assert alice_api.get(f"/api/v1/verdicts/{verdict_id}/").json()["allowed_actions"] == ["update", "submit"]
    assert erin_api.get(f"/api/v1/verdicts/{verdict_id}/").json()["allowed_actions"] == ["update"]  # not hers to submit
    etag = alice_api.get(f"/api/v1/verdicts/{verdict_id}/")["ETag"]
    assert step(alice_api, verdict_id, "submit", etag).json()["allowed_actions"] == []
    assert erin_api.get(f"/api/v1/verdicts/{verdict_id}/").json()["allowed_actions"] == ["approve", "send_back"]
    listed = erin_api.get("/api/v1/verdicts/").json()["results"]
    assert [v["allowed_actions"] for v in listed if v["id"] == verdict_id] == [["approve", "send_back"]]
    assert client_for(erin, "read").get(f"/api/v1/verdicts/{verdict_id}/").status_code == 404  # drafts need review


def test_a_stale_if_match_is_a_412_and_nothing_changes(alice_api, story_graph):
    verdict_id = create(alice_api, story_graph["c1"], rationale="First.").json()["id"]
    assert patch(alice_api, verdict_id, {"rationale": "Second."}, '"r1"').status_code == 200
    error = assert_error(patch(alice_api, verdict_id, {"rationale": "Third."}, '"r1"'), 412, "precondition_failed")
    assert "revision 1" in error["message"]
    verdict = Verdict.objects.get()
    assert (verdict.rationale, verdict.revision) == ("Second.", 2)


def test_the_revision_can_come_in_the_body_instead(alice_api, story_graph):
    verdict_id = create(alice_api, story_graph["c1"]).json()["id"]
    assert patch(alice_api, verdict_id, {"label": "unsourced", "revision": 1}).status_code == 200
    assert_error(patch(alice_api, verdict_id, {"label": "supported", "revision": 1}), 412)
    assert Verdict.objects.get().label == "unsourced"


def test_an_update_without_if_match_is_a_428(alice_api, story_graph):
    verdict_id = create(alice_api, story_graph["c1"]).json()["id"]
    assert_error(patch(alice_api, verdict_id, {"label": "unsourced"}), 428, "precondition_required")
    assert_error(step(alice_api, verdict_id, "submit", "yesterday"), 400)
    assert Verdict.objects.get().revision == 1


class TestRulesComeFromTheReviewServices:
    def test_a_user_without_the_reviewer_role_is_refused_even_with_the_scope(self, tom, client_for, story_graph):
        client = client_for(factories.alice(), "read", "review")
        factories.alice().groups.clear()  # the scope was granted while she was a fact-checker
        error = assert_error(create(client, story_graph["c1"]), 403, "permission_denied")
        assert "scope" in error["message"]
        assert not Verdict.objects.exists()

    def test_nobody_approves_their_own_verdict(self, erin_api, story_graph):
        verdict_id = create(erin_api, story_graph["c1"]).json()["id"]
        step(erin_api, verdict_id, "submit", '"r1"')
        assert_error(step(erin_api, verdict_id, "approve", '"r2"'), 403)
        assert Verdict.objects.get().state == "submitted"

    def test_a_fact_checker_cannot_approve(self, alice_api, client_for, story_graph):
        bob_api = client_for(factories.bob(), "read", "review")
        verdict_id = create(bob_api, story_graph["c1"]).json()["id"]
        step(bob_api, verdict_id, "submit", '"r1"')
        assert_error(step(alice_api, verdict_id, "approve", '"r2"'), 403)

    def test_another_reviewer_cannot_submit_someone_elses_verdict(self, alice_api, client_for, story_graph):
        verdict_id = create(alice_api, story_graph["c1"]).json()["id"]
        bob_api = client_for(factories.bob(), "read", "review")
        assert_error(step(bob_api, verdict_id, "submit", '"r1"'), 403)
        assert Verdict.objects.get().state == "draft"

    def test_a_step_the_state_does_not_allow_is_a_409(self, alice_api, erin_api, story_graph):
        verdict_id = create(alice_api, story_graph["c1"]).json()["id"]
        error = assert_error(step(erin_api, verdict_id, "approve", '"r1"'), 409, "conflict")
        assert "draft" in error["message"]

    def test_a_second_verdict_on_a_claim_is_a_409(self, alice_api, story_graph):
        create(alice_api, story_graph["c1"])
        assert_error(create(alice_api, story_graph["c1"]), 409)
        assert Verdict.objects.count() == 1

    def test_return_and_reopen_need_a_note(self, alice_api, erin_api, story_graph):
        verdict_id = create(alice_api, story_graph["c1"]).json()["id"]
        step(alice_api, verdict_id, "submit", '"r1"')
        error = assert_error(step(erin_api, verdict_id, "return", '"r2"'), 400)
        assert "note" in error["fields"]
        returned = step(erin_api, verdict_id, "return", '"r2"', note="Cite the wire copy.")
        assert returned.json()["state"] == "returned"
        assert ReviewEvent.objects.get(kind="returned").comment == "Cite the wire copy."


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"label": "maybe"}, "label"),
        ({"claim": 99999999}, "claim"),
        ({"evidence_links": ["not-a-url"]}, "evidence_links"),
        ({"evidence_links": "https://a.example"}, "evidence_links"),
        ({"rationale": 5 * ["x"]}, "rationale"),
    ],
)
def test_bad_verdict_fields_are_400s(alice_api, story_graph, body, field):
    payload = {"claim": story_graph["c1"].pk, "label": "altered", **body}
    error = assert_error(alice_api.post("/api/v1/verdicts/", payload, format="json"), 400)
    assert field in error["fields"]
    assert not Verdict.objects.exists()


def test_an_empty_update_is_a_400(alice_api, story_graph):
    verdict_id = create(alice_api, story_graph["c1"]).json()["id"]
    assert_error(patch(alice_api, verdict_id, {}, '"r1"'), 400)


def test_put_is_not_offered(alice_api, story_graph):
    verdict_id = create(alice_api, story_graph["c1"]).json()["id"]
    assert_error(alice_api.put(f"/api/v1/verdicts/{verdict_id}/", {"label": "altered"}, format="json"), 405)


class TestClaimReviewExport:
    def approve(self, alice_api, erin_api, claim) -> int:
        verdict_id = create(alice_api, claim, rationale="Adds a figure.").json()["id"]
        step(alice_api, verdict_id, "submit", '"r1"')
        assert step(erin_api, verdict_id, "approve", '"r2"').status_code == 200
        return verdict_id

    def test_an_approved_verdict_exports_as_claimreview_json_ld(self, alice_api, erin_api, reader_api, story_graph):
        verdict_id = self.approve(alice_api, erin_api, story_graph["c1"])
        response = reader_api.get(f"/api/v1/verdicts/{verdict_id}/claimreview/", HTTP_ACCEPT="application/ld+json")
        assert response.status_code == 200 and response["Content-Type"].startswith("application/ld+json")
        review = response.json()
        assert review["@type"] == "ClaimReview" and review["claimReviewed"] == story_graph["c1"].text
        assert review["reviewRating"]["alternateName"] == "Altered" and review["reviewBody"] == "Adds a figure."
        story = reader_api.get(f"/api/v1/stories/{story_graph['story'].pk}/claimreview/").json()
        assert story["@context"] == "https://schema.org" and [r["claimReviewed"] for r in story["@graph"]] == [
            story_graph["c1"].text
        ]

    def test_a_draft_is_not_exported(self, alice_api, story_graph):
        verdict_id = create(alice_api, story_graph["c1"]).json()["id"]
        assert_error(alice_api.get(f"/api/v1/verdicts/{verdict_id}/claimreview/"), 409)


@pytest.fixture
def reader_api(tom, client_for):
    return client_for(tom, "read")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_updates_of_one_revision_give_one_200_and_one_412(story_graph):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    alice = factories.alice()
    verdict = Verdict.objects.create(claim=story_graph["c1"], label="altered", reviewer=alice)
    keys = [api_token_create(user=user, name="t", scopes=["read", "review"]).key for user in (alice, alice)]
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def edit(key: str, rationale: str) -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        barrier.wait()
        try:
            statuses.append(patch(client, verdict.pk, {"rationale": rationale}, '"r1"').status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(key, f"Edit {i}")) for i, key in enumerate(keys)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses) == [200, 412]
    verdict.refresh_from_db()
    assert verdict.revision == 2 and verdict.rationale in {"Edit 0", "Edit 1"}


def test_a_step_can_be_posted_without_a_body(alice_api, story_graph):
    verdict_id = create(alice_api, story_graph["c1"]).json()["id"]
    response = alice_api.generic("POST", f"/api/v1/verdicts/{verdict_id}/submit/", HTTP_IF_MATCH='"r1"')
    assert response.status_code == 200, response.content
    assert Verdict.objects.get().state == "submitted"


def test_an_editor_cannot_publish_her_own_rewrite_of_a_fact_checkers_draft(alice_api, erin_api, erin, story_graph):
    verdict_id = create(alice_api, story_graph["c1"], rationale="Alice's reading.").json()["id"]
    claim_self_assign(claim=story_graph["c1"], by=erin)
    rewritten = patch(erin_api, verdict_id, {"label": "supported", "rationale": "Erin's reading."}, '"r1"')
    assert rewritten.status_code == 200, rewritten.content
    submitted = step(erin_api, verdict_id, "submit", rewritten["ETag"])
    assert submitted.status_code == 200, submitted.content
    refused = step(erin_api, verdict_id, "approve", submitted["ETag"])
    error = assert_error(refused, 403)
    assert "may not approve it" in error["message"]
    verdict = Verdict.objects.get(pk=verdict_id)
    assert (verdict.state, verdict.approver, verdict.rationale) == ("submitted", None, "Erin's reading.")
    assert not ReviewEvent.objects.filter(verdict=verdict, kind="approved").exists()
