"""Two reviewers saving the same verdict at the same moment, on PostgreSQL's real row locks."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from tests.factories import ClaimFactory, alice, erin
from workbench.review import services
from workbench.review.errors import VerdictConflict
from workbench.review.models import ReviewEvent, Verdict

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")


def test_concurrent_saves_of_one_revision_let_exactly_one_through():
    verdict = services.verdict_create(claim=ClaimFactory(label="altered"), label="altered", by=alice())
    writers = 6
    barrier = threading.Barrier(writers)
    outcomes: list[str] = []
    lock = threading.Lock()
    user = alice()

    def save(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            copy = Verdict.objects.get(pk=verdict.pk)
            services.verdict_update(verdict=copy, expected_revision=1, by=user, rationale=f"writer {i}")
            result = "saved"
        except VerdictConflict:
            result = "conflict"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=save, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["conflict"] * (writers - 1) + ["saved"]
    verdict.refresh_from_db()
    assert verdict.revision == 2
    assert ReviewEvent.objects.filter(verdict=verdict, kind="updated").count() == 1


def test_approval_racing_a_stale_marking_never_publishes_a_stale_verdict():
    verdict = services.verdict_create(claim=ClaimFactory(label="altered"), label="altered", by=alice())
    verdict = services.verdict_submit(verdict=verdict, expected_revision=1, by=alice())
    editor = erin()
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def approve():
        try:
            barrier.wait(timeout=10)
            services.verdict_approve(verdict=verdict, expected_revision=verdict.revision, by=editor)
        except Exception as exc:  # noqa: BLE001 - either order is legal; the assertion below decides
            errors.append(exc)
        finally:
            connections.close_all()

    def mark():
        try:
            barrier.wait(timeout=10)
            services.verdicts_mark_stale(verdicts=[verdict], reason="Origin corrected.")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve), threading.Thread(target=mark)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    verdict.refresh_from_db()
    assert verdict.is_stale and verdict.state == "draft" and verdict.approver is None
    assert all(isinstance(e, VerdictConflict) for e in errors)
