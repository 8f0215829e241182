"""The verdict state machine, roles, assignment, concurrency and history, through the services."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from tests.factories import ClaimFactory, UserFactory, alice, bob, editor, erin
from workbench.core.errors import WorkbenchError
from workbench.review import services
from workbench.review.errors import InvalidTransition, VerdictConflict, VerdictPermissionDenied
from workbench.review.models import ClaimAssignment, ReviewEvent, Verdict
from workbench.review.selectors import verdict_content_authors
from workbench.review.signals import verdict_changed

pytestmark = pytest.mark.django_db

S = Verdict.State


def _draft(by=None, **kwargs):
    by = by or alice()
    return services.verdict_create(
        claim=kwargs.pop("claim", None) or ClaimFactory(label="altered"),
        label=kwargs.pop("label", "altered"),
        rationale="Adds weapon types.",
        by=by,
        **kwargs,
    )


def _submitted(by=None):
    verdict = _draft(by)
    return services.verdict_submit(verdict=verdict, expected_revision=verdict.revision, by=verdict.reviewer)


def _approved():
    verdict = _submitted()
    return services.verdict_approve(verdict=verdict, expected_revision=verdict.revision, by=erin())


def _returned():
    verdict = _submitted()
    return services.verdict_return(verdict=verdict, expected_revision=verdict.revision, by=erin(), comment="Cite it.")


def _in_state(state):
    return {S.DRAFT: _draft, S.SUBMITTED: _submitted, S.APPROVED: _approved, S.RETURNED: _returned}[state]()


def test_errors_are_workbench_errors():
    for error in (VerdictConflict, VerdictPermissionDenied, InvalidTransition):
        assert issubclass(error, WorkbenchError)


def test_the_data_migration_creates_both_roles_with_their_permissions():
    checker = set(Group.objects.get(name="fact-checker").permissions.values_list("codename", flat=True))
    editor_perms = set(Group.objects.get(name="editor").permissions.values_list("codename", flat=True))
    assert {"add_verdict", "change_verdict", "view_reviewqueueitem", "view_claim"} <= checker
    assert "approve_verdict" not in checker and "assign_claim" not in checker
    assert {"approve_verdict", "assign_claim", "change_verdict"} <= editor_perms
    assert "delete_verdict" not in checker | editor_perms


def test_create_records_a_draft_with_a_created_event():
    verdict = _draft(evidence_links=["https://example.org/a", " https://example.org/a ", "https://example.org/b"])
    verdict.refresh_from_db()
    assert (verdict.state, verdict.revision, verdict.reviewer.username) == (S.DRAFT, 1, "alice")
    assert verdict.evidence_links == ["https://example.org/a", "https://example.org/b"]
    event = ReviewEvent.objects.get(verdict=verdict)
    assert (event.kind, event.actor.username, event.to_state, event.revision) == ("created", "alice", "draft", 1)
    assert event.changes["label"] == [None, "altered"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"label": "maybe"}, "Unknown label"),
        ({"evidence_links": ["javascript:alert(1)"]}, r"not an http\(s\) URL"),
        ({"evidence_links": ["not a url"]}, r"not an http\(s\) URL"),
    ],
)
def test_create_refuses_bad_input_and_stores_nothing(kwargs, message):
    claim = ClaimFactory(label="altered")
    with pytest.raises(InvalidTransition, match=message):
        services.verdict_create(claim=claim, **{"label": "altered", **kwargs}, by=alice())
    assert not Verdict.objects.exists() and not ReviewEvent.objects.exists()


def test_a_claim_gets_one_verdict():
    verdict = _draft()
    with pytest.raises(InvalidTransition, match="already has a verdict"):
        services.verdict_create(claim=verdict.claim, label="supported", by=bob())


def test_a_user_without_a_role_cannot_record_verdicts():
    with pytest.raises(VerdictPermissionDenied, match="review.add_verdict"):
        services.verdict_create(
            claim=ClaimFactory(), label="supported", by=UserFactory(username="mallory", is_staff=True)
        )
    assert not Verdict.objects.exists()


def test_update_bumps_the_revision_and_records_what_changed():
    verdict = _draft()
    updated = services.verdict_update(
        verdict=verdict,
        expected_revision=1,
        by=verdict.reviewer,
        rationale="Adds weapon types the origin never lists.",
        corrected_wording="NATO is redoubling efforts.",
    )
    assert updated.revision == 2
    event = ReviewEvent.objects.get(verdict=verdict, kind="updated")
    assert event.changes["rationale"] == ["Adds weapon types.", "Adds weapon types the origin never lists."]
    assert event.changes["corrected_wording"] == ["", "NATO is redoubling efforts."]
    assert "label" not in event.changes


def test_second_reviewer_gets_a_conflict_and_nothing_is_overwritten():
    verdict = _draft()
    alice_copy, bob_copy = Verdict.objects.get(pk=verdict.pk), Verdict.objects.get(pk=verdict.pk)
    services.verdict_update(
        verdict=alice_copy, expected_revision=bob_copy.revision, by=alice_copy.reviewer, label="contradicted"
    )
    with pytest.raises(VerdictConflict, match=r"changed by alice since you opened it.*revision 1.*revision 2"):
        services.verdict_update(
            verdict=bob_copy, expected_revision=bob_copy.revision, by=alice_copy.reviewer, label="supported"
        )
    verdict.refresh_from_db()
    assert (verdict.label, verdict.revision) == ("contradicted", 2)
    assert ReviewEvent.objects.filter(verdict=verdict, kind="updated").count() == 1
    refused = ReviewEvent.objects.get(verdict=verdict, kind="conflict")
    assert refused.changes == {"label": ["contradicted", "supported"]}
    assert refused.revision == 2 and refused.actor == alice_copy.reviewer
    assert refused.comment.startswith("Edit refused. Verdict") and "revision 1" in refused.comment


@pytest.mark.parametrize("step", ["submit", "approve", "return", "reopen"])
def test_every_step_refused_for_a_stale_revision_is_in_the_history(step):
    verdict = _draft()
    services.verdict_update(verdict=verdict, expected_revision=1, by=verdict.reviewer, rationale="Moved on.")
    call = {
        "submit": lambda: services.verdict_submit(verdict=verdict, expected_revision=1, by=verdict.reviewer),
        "approve": lambda: services.verdict_approve(verdict=verdict, expected_revision=1, by=erin()),
        "return": lambda: services.verdict_return(verdict=verdict, expected_revision=1, by=erin(), comment="Why?"),
        "reopen": lambda: services.verdict_reopen(verdict=verdict, expected_revision=1, by=erin(), reason="New."),
    }[step]
    with pytest.raises(VerdictConflict):
        call()
    kinds = list(ReviewEvent.objects.filter(verdict=verdict).order_by("id").values_list("kind", flat=True))
    assert kinds == ["created", "updated", "conflict"]
    assert ReviewEvent.objects.get(kind="conflict").comment.startswith(f"{step.capitalize()} refused.")


def test_a_step_refused_for_another_reason_writes_no_conflict_event():
    verdict = _draft()
    with pytest.raises(InvalidTransition):
        services.verdict_approve(verdict=verdict, expected_revision=1, by=erin())
    assert not ReviewEvent.objects.filter(kind="conflict").exists()


def test_an_update_that_changes_nothing_keeps_the_revision():
    verdict = _draft()
    same = services.verdict_update(verdict=verdict, expected_revision=1, by=verdict.reviewer, label="altered")
    assert same.revision == 1 and not ReviewEvent.objects.filter(kind="updated").exists()


def test_state_and_reviewer_cannot_be_changed_by_update():
    verdict = _draft()
    with pytest.raises(InvalidTransition, match="state"):
        services.verdict_update(verdict=verdict, expected_revision=1, by=verdict.reviewer, state="approved")
    verdict.refresh_from_db()
    assert verdict.state == S.DRAFT


# Every (state, step) pair: which succeed and which are refused.
ALLOWED = {
    (S.DRAFT, "update"),
    (S.DRAFT, "submit"),
    (S.RETURNED, "update"),
    (S.RETURNED, "submit"),
    (S.SUBMITTED, "approve"),
    (S.SUBMITTED, "return"),
    (S.APPROVED, "reopen"),
}
RESULT = {"update": None, "submit": S.SUBMITTED, "approve": S.APPROVED, "return": S.RETURNED, "reopen": S.DRAFT}


def _step(step, verdict):
    rev = verdict.revision
    if step == "update":
        return services.verdict_update(
            verdict=verdict, expected_revision=rev, by=verdict.reviewer, rationale="New reasons."
        )
    if step == "submit":
        return services.verdict_submit(verdict=verdict, expected_revision=rev, by=verdict.reviewer)
    if step == "approve":
        return services.verdict_approve(verdict=verdict, expected_revision=rev, by=editor("erin2"))
    if step == "return":
        return services.verdict_return(verdict=verdict, expected_revision=rev, by=editor("erin2"), comment="Why?")
    return services.verdict_reopen(
        verdict=verdict, expected_revision=rev, by=editor("erin2"), reason="Origin corrected."
    )


@pytest.mark.parametrize("state", [S.DRAFT, S.SUBMITTED, S.APPROVED, S.RETURNED])
@pytest.mark.parametrize("step", ["update", "submit", "approve", "return", "reopen"])
def test_every_transition_is_allowed_or_refused(state, step):
    verdict = _in_state(state)
    before = verdict.revision
    if (state, step) in ALLOWED:
        result = _step(step, verdict)
        result.refresh_from_db()
        assert result.state == (RESULT[step] or state)
        assert result.revision == before + 1
        assert ReviewEvent.objects.filter(verdict=verdict).latest("id").actor is not None
    else:
        with pytest.raises(InvalidTransition, match=f"it is {state}"):
            _step(step, verdict)
        verdict.refresh_from_db()
        assert (verdict.state, verdict.revision) == (state, before)


def test_a_fact_checker_cannot_approve_even_someone_elses_verdict():
    verdict = _submitted(by=bob())
    with pytest.raises(VerdictPermissionDenied, match="review.approve_verdict"):
        services.verdict_approve(verdict=verdict, expected_revision=verdict.revision, by=alice())
    verdict.refresh_from_db()
    assert verdict.state == S.SUBMITTED and verdict.approver is None


def test_an_editor_cannot_approve_their_own_verdict():
    verdict = _submitted(by=erin())
    with pytest.raises(VerdictPermissionDenied, match="may not approve it"):
        services.verdict_approve(verdict=verdict, expected_revision=verdict.revision, by=erin())
    with pytest.raises(VerdictPermissionDenied):
        services.verdict_return(verdict=verdict, expected_revision=verdict.revision, by=erin(), comment="Hmm")
    verdict.refresh_from_db()
    assert verdict.state == S.SUBMITTED


def test_approval_records_the_approver_and_announces_after_commit(django_capture_on_commit_callbacks):
    received = []
    verdict_changed.connect(
        lambda sender, verdict, event, **kw: received.append((verdict.pk, event.kind)),
        weak=False,
        dispatch_uid="test-approval",
    )
    try:
        verdict = _submitted()
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            approved = services.verdict_approve(verdict=verdict, expected_revision=verdict.revision, by=erin())
        assert received == []
        for callback in callbacks:
            callback()
        assert received == [(verdict.pk, "approved")]
    finally:
        verdict_changed.disconnect(dispatch_uid="test-approval")
    approved.refresh_from_db()
    assert approved.approver.username == "erin" and approved.approved_at is not None


def test_needs_more_work_cannot_be_published():
    verdict = _draft(label="needs_more_work")
    verdict = services.verdict_submit(verdict=verdict, expected_revision=1, by=verdict.reviewer)
    with pytest.raises(InvalidTransition, match="needs more work"):
        services.verdict_approve(verdict=verdict, expected_revision=verdict.revision, by=erin())


def test_return_needs_a_comment_and_keeps_it_in_the_history():
    verdict = _submitted()
    with pytest.raises(InvalidTransition, match="needs a comment"):
        services.verdict_return(verdict=verdict, expected_revision=verdict.revision, by=erin(), comment="  ")
    services.verdict_return(verdict=verdict, expected_revision=verdict.revision, by=erin(), comment="Cite the origin.")
    assert ReviewEvent.objects.get(verdict=verdict, kind="returned").comment == "Cite the origin."


def test_reopening_a_published_verdict_needs_a_reason():
    verdict = _approved()
    with pytest.raises(InvalidTransition, match="needs a reason"):
        services.verdict_reopen(verdict=verdict, expected_revision=verdict.revision, by=alice(), reason="")
    reopened = services.verdict_reopen(
        verdict=verdict, expected_revision=verdict.revision, by=alice(), reason="New evidence."
    )
    reopened.refresh_from_db()
    assert (reopened.state, reopened.approver, reopened.approved_at) == (S.DRAFT, None, None)
    assert ReviewEvent.objects.get(verdict=verdict, kind="reopened").comment == "New evidence."


def test_only_the_reviewer_submits_their_verdict():
    verdict = _draft()
    with pytest.raises(VerdictPermissionDenied, match="reviewer"):
        services.verdict_submit(verdict=verdict, expected_revision=1, by=bob())


def test_history_keeps_every_revision_with_who_made_it():
    verdict = _approved()
    history = list(verdict.history.order_by("history_date", "history_id"))
    assert [h.state for h in history] == ["draft", "submitted", "approved"]
    assert [h.history_user.username for h in history] == ["alice", "alice", "erin"]
    assert [h.revision for h in history] == [1, 2, 3]
    kinds = list(ReviewEvent.objects.filter(verdict=verdict).order_by("id").values_list("kind", "actor__username"))
    assert kinds == [("created", "alice"), ("submitted", "alice"), ("approved", "erin")]


# --- assignment -----------------------------------------------------------------------------------------------------


def test_self_assign_then_nobody_else_edits_the_claim():
    claim = ClaimFactory(label="altered")
    services.claim_self_assign(claim=claim, by=bob())
    with pytest.raises(VerdictPermissionDenied, match="assigned to bob"):
        services.verdict_create(claim=claim, label="altered", by=alice())
    verdict = services.verdict_create(claim=claim, label="altered", by=bob())
    services.claim_assign(claim=claim, assignee=alice(), by=erin())
    with pytest.raises(VerdictPermissionDenied, match="assigned to alice"):
        services.verdict_update(verdict=verdict, expected_revision=1, by=bob(), rationale="mine")
    assert list(ReviewEvent.objects.filter(claim=claim, kind="assigned").values_list("actor__username", flat=True)) == [
        "bob",
        "erin",
    ]


def test_a_fact_checker_cannot_take_a_claim_from_another_or_assign_to_others():
    claim = ClaimFactory(label="altered")
    services.claim_self_assign(claim=claim, by=bob())
    with pytest.raises(VerdictPermissionDenied, match="only an editor can reassign"):
        services.claim_self_assign(claim=claim, by=alice())
    with pytest.raises(VerdictPermissionDenied, match="only to themselves"):
        services.claim_assign(claim=ClaimFactory(label="altered"), assignee=bob(), by=alice())
    assert ClaimAssignment.objects.get(claim=claim).assignee.username == "bob"


def test_unassigning_frees_the_claim():
    claim = ClaimFactory(label="altered")
    services.claim_self_assign(claim=claim, by=bob())
    assert services.claim_assign(claim=claim, assignee=None, by=bob()) is None
    assert not ClaimAssignment.objects.exists()
    assert ReviewEvent.objects.filter(claim=claim, kind="unassigned").exists()


def test_claims_are_assigned_only_to_reviewers():
    with pytest.raises(VerdictPermissionDenied, match="cannot record verdicts"):
        services.claim_assign(claim=ClaimFactory(), assignee=UserFactory(username="visitor"), by=erin())


# --- stale marking --------------------------------------------------------------------------------------------------


def test_mark_stale_reopens_approved_and_pulls_back_submitted(django_capture_on_commit_callbacks):
    approved, submitted, draft = _approved(), _submitted(by=bob()), _draft(by=fact_checker_carol())
    with django_capture_on_commit_callbacks(execute=True):
        count = services.verdicts_mark_stale(verdicts=[approved, submitted, draft], reason="The origin was corrected.")
    assert count == 3
    for verdict, state in ((approved, S.DRAFT), (submitted, S.DRAFT), (draft, S.DRAFT)):
        verdict.refresh_from_db()
        assert (verdict.state, verdict.is_stale, verdict.stale_reason) == (state, True, "The origin was corrected.")
    assert approved.approver is None
    assert ReviewEvent.objects.filter(kind="marked_stale", actor__isnull=True).count() == 3
    assert ReviewEvent.objects.get(verdict=approved, kind="reopened").comment == "The origin was corrected."
    assert services.verdicts_mark_stale(verdicts=[approved], reason="again") == 0


def test_mark_stale_needs_a_reason():
    with pytest.raises(InvalidTransition, match="reason"):
        services.verdicts_mark_stale(verdicts=[_draft()], reason=" ")


def test_editing_a_stale_verdict_clears_the_flag():
    verdict = _draft()
    services.verdicts_mark_stale(verdicts=[verdict], reason="Republication changed.")
    verdict.refresh_from_db()
    updated = services.verdict_update(
        verdict=verdict, expected_revision=verdict.revision, by=verdict.reviewer, rationale="Checked the new text."
    )
    assert not updated.is_stale and updated.stale_reason == ""


def fact_checker_carol():
    from tests.factories import fact_checker

    return fact_checker("carol")


# --- bulk acceptance ------------------------------------------------------------------------------------------------


def test_accepting_the_engine_label_only_for_supported_claims():
    supported, altered = ClaimFactory(label="supported", label_score=0.97), ClaimFactory(label="altered")
    made, skipped = services.claims_accept_engine_label(claims=[supported, altered], by=alice())
    assert [v.claim_id for v in made] == [supported.pk]
    assert made[0].state == S.SUBMITTED and made[0].label == "supported" and "0.97" in made[0].rationale
    assert [(c.pk, "altered" in why) for c, why in skipped] == [(altered.pk, True)]
    assert not Verdict.objects.filter(claim=altered).exists()


def test_an_editor_who_rewrote_someone_elses_draft_cannot_approve_it():
    """Alice drafts; Erin takes the claim, rewrites label and rationale as its assignee, submits: she is a co-author
    of what would be published, so she cannot approve it, and nothing is published."""
    verdict = _draft()
    services.claim_assign(claim=verdict.claim, assignee=erin(), by=erin())
    verdict = services.verdict_update(
        verdict=verdict, expected_revision=verdict.revision, by=erin(), label="supported", rationale="Mine now."
    )
    verdict = services.verdict_submit(verdict=verdict, expected_revision=verdict.revision, by=erin())
    with pytest.raises(VerdictPermissionDenied, match="edited verdict .* since it was last approved"):
        services.verdict_approve(verdict=verdict, expected_revision=verdict.revision, by=erin())
    verdict.refresh_from_db()
    assert verdict.state == S.SUBMITTED and verdict.approver is None
    assert [a.username for a in verdict_content_authors(verdict_id=verdict.pk)] == ["alice", "erin"]
    # A second editor who wrote none of it may publish it.
    services.verdict_approve(verdict=verdict, expected_revision=verdict.revision, by=editor("ed"))
    verdict.refresh_from_db()
    assert verdict.state == S.APPROVED and verdict.approver.username == "ed"


def test_after_reopening_only_the_new_edits_bar_an_approver():
    verdict = _approved()  # written by alice, approved by erin
    verdict = services.verdict_reopen(verdict=verdict, expected_revision=verdict.revision, by=erin(), reason="New.")
    verdict = services.verdict_update(verdict=verdict, expected_revision=verdict.revision, by=bob(), rationale="B.")
    verdict = services.verdict_submit(verdict=verdict, expected_revision=verdict.revision, by=alice())
    assert [a.username for a in verdict_content_authors(verdict_id=verdict.pk)] == ["bob"]
    services.verdict_approve(verdict=verdict, expected_revision=verdict.revision, by=erin())
    verdict.refresh_from_db()
    assert verdict.state == S.APPROVED
