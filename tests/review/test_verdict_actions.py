"""What a user may do with a claim and its verdict (review.selectors.verdict_actions): the admin shows these controls
and the API lists them; the services enforce the same rules."""

from __future__ import annotations

import pytest

from tests.factories import ClaimFactory, alice, bob, erin
from workbench.review import services
from workbench.review.models import Verdict
from workbench.review.selectors import verdict_actions

pytestmark = pytest.mark.django_db


def actions(user, verdict=None, assignment=None) -> set[str]:
    may = verdict_actions(user=user, verdict=verdict, assignment=assignment)
    return {name for name, allowed in vars(may).items() if allowed}


def test_a_fact_checker_may_take_and_judge_an_unassigned_claim():
    assert actions(alice()) == {"edit", "take"}


def test_only_the_assignee_writes_an_assigned_claim_and_an_editor_may_release_it():
    claim = ClaimFactory()
    assignment = services.claim_self_assign(claim=claim, by=alice())
    assert actions(alice(), assignment=assignment) == {"edit", "release"}
    assert actions(bob(), assignment=assignment) == set()
    assert actions(erin(), assignment=assignment) == {"release", "assign"}


def test_a_submitted_verdict_is_decided_by_an_editor_but_never_by_its_author():
    verdict = services.verdict_create(claim=ClaimFactory(), label="altered", by=erin())
    verdict = services.verdict_submit(verdict=verdict, expected_revision=verdict.revision, by=erin())
    assert verdict.state == Verdict.State.SUBMITTED
    assert "decide" not in actions(erin(), verdict)
    other_editor_verdict = services.verdict_create(claim=ClaimFactory(), label="altered", by=alice())
    submitted = services.verdict_submit(verdict=other_editor_verdict, expected_revision=1, by=alice())
    assert actions(erin(), submitted) == {"decide", "take", "assign"}
    assert actions(alice(), submitted) == {"take"}


def test_an_approved_verdict_may_only_be_reopened():
    verdict = services.verdict_create(claim=ClaimFactory(), label="supported", by=alice())
    verdict = services.verdict_submit(verdict=verdict, expected_revision=1, by=alice())
    verdict = services.verdict_approve(verdict=verdict, expected_revision=verdict.revision, by=erin())
    assert actions(alice(), verdict) == {"reopen", "take"}
    assert actions(erin(), verdict) == {"reopen", "take", "assign"}
