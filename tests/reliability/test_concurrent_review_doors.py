"""Two reviewers save the same verdict revision at the same moment, one in the admin and one through the API (and
both in the admin): exactly one save goes through, the other gets a clear conflict, and the history shows both
attempts: the change that went through and the refused one, with who tried what.

The services' own race (many writers) is tested in tests/review/test_concurrency.py and the API's in
tests/api/test_verdicts.py; this adds the admin form and the admin racing the API."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import ClaimFactory, alice, bob
from workbench.api.services import api_token_create
from workbench.review import services
from workbench.review.models import ReviewEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CONFLICT_TEXT = "was changed"


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")


def _admin_save(user, claim_id: int, rationale: str):
    client = Client()
    client.force_login(user)

    def send():
        return client.post(
            f"/admin/review/reviewqueueitem/{claim_id}/change/",
            {"action": "save", "label": "altered", "rationale": rationale, "revision": 1},
        )

    def outcome(response) -> str:
        if response.status_code == 302:
            return "saved"
        assert response.status_code == 200
        assert CONFLICT_TEXT in response.content.decode(), response.content.decode()[:2000]
        return "conflict"

    return send, outcome


def _api_save(user, verdict_id: int, rationale: str):
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Token {api_token_create(user=user, name='t', scopes=['read', 'review']).key}"
    )

    def send():
        return client.patch(f"/api/v1/verdicts/{verdict_id}/", {"rationale": rationale, "revision": 1}, format="json")

    def outcome(response) -> str:
        if response.status_code == 200:
            return "saved"
        assert response.status_code == 412, response.content
        assert CONFLICT_TEXT in response.json()["error"]["message"]
        return "conflict"

    return send, outcome


def _race(doors) -> list[str]:
    barrier = threading.Barrier(len(doors))
    outcomes: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(send, outcome) -> None:
        try:
            barrier.wait(timeout=10)
            result = outcome(send())
            with lock:
                outcomes.append(result)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test thread below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=door) for door in doors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    if errors:
        raise errors[0]
    return sorted(outcomes)


@pytest.mark.parametrize("second_door", ["admin", "api"])
def test_two_reviewers_saving_one_revision_at_once_get_one_save_and_one_conflict(second_door):
    first, second = alice(), bob()
    claim = ClaimFactory(label="altered")
    verdict = services.verdict_create(claim=claim, label="altered", by=first)
    doors = [_admin_save(first, claim.pk, "from the admin")]
    doors.append(
        _admin_save(second, claim.pk, "second") if second_door == "admin" else _api_save(second, verdict.pk, "second")
    )

    assert _race(doors) == ["conflict", "saved"]
    verdict.refresh_from_db()
    assert verdict.revision == 2
    assert verdict.rationale in {"from the admin", "second"}
    saved = ReviewEvent.objects.get(verdict=verdict, kind="updated")
    refused = ReviewEvent.objects.get(verdict=verdict, kind="conflict")
    assert {saved.actor, refused.actor} == {first, second}
    winner, loser = ("from the admin", "second") if saved.actor == first else ("second", "from the admin")
    assert verdict.rationale == winner
    assert saved.changes["rationale"] == ["", winner]
    assert refused.changes["rationale"] == [winner, loser] and refused.revision == 2
    assert verdict.history.count() == 2  # created, then the one save that went through

    page = Client()
    page.force_login(first)
    history = page.get(f"/admin/review/reviewqueueitem/{claim.pk}/change/").content.decode()
    assert "Refused: changed meanwhile" in history and loser in history
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=first, name='r', scopes=['read', 'review']).key}")
    events = api.get(f"/api/v1/verdicts/{verdict.pk}/events/").json()
    assert [e["kind"] for e in events] == ["conflict", "updated", "created"] or [e["kind"] for e in events] == [
        "updated",
        "conflict",
        "created",
    ]
    assert {e["actor"] for e in events if e["kind"] in {"updated", "conflict"}} == {first.username, second.username}
