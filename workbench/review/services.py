"""The review workflow: verdicts through their states, claim assignment, and stale marking.

Every service that changes state locks the rows it changes (claim first, then verdict), checks the caller's role,
assignment and the verdict's revision, and writes a ReviewEvent in the same transaction. The admin and the API call
these functions, so both get the same rules.

A verdict follows its sentence to a newer version of the article (verdicts_follow_sentences) or is marked stale.

States: draft → submitted → approved, or submitted → returned (with a comment) → submitted again; approved → draft
by reopening with a reason. Only draft and returned verdicts can be edited.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from workbench.claims.models import Claim
from workbench.engine.types import Label
from workbench.review.errors import InvalidTransition, VerdictConflict, VerdictPermissionDenied
from workbench.review.models import ClaimAssignment, ReviewEvent, Verdict
from workbench.review.selectors import verdict_content_authors
from workbench.review.signals import verdict_changed
from workbench.sources.models import ArticleVersion

EDITABLE_FIELDS = ("label", "rationale", "corrected_wording", "evidence_links")
EDITABLE_STATES = (Verdict.State.DRAFT, Verdict.State.RETURNED)
MAX_EVIDENCE_LINKS = 50
MAX_URL_CHARS = 2000
STALE_REASON_MAX_CHARS = 500

_url_validator = URLValidator(schemes=["http", "https"])

_Step = TypeVar("_Step", bound=Callable[..., Verdict])


# ---------------------------------------------------------------------------------------------------------- checks


def _require_perm(user, perm: str, doing: str) -> None:
    if not (user and user.is_active and user.has_perm(perm)):
        raise VerdictPermissionDenied(f"{user} may not {doing}: that needs the permission {perm}.")


def _require_assignee(claim_id: int, user, doing: str) -> None:
    """A claim assigned to someone else is theirs: nobody else writes its verdict."""
    assignment = ClaimAssignment.objects.filter(claim_id=claim_id).select_related("assignee").first()
    if assignment is not None and assignment.assignee_id != user.pk:
        raise VerdictPermissionDenied(
            f"Claim {claim_id} is assigned to {assignment.assignee}; {user} may not {doing}. "
            f"Ask an editor to reassign it."
        )


def _require_state(verdict: Verdict, allowed: Sequence[str], doing: str) -> None:
    if verdict.state not in allowed:
        names = ", ".join(Verdict.State(s).label.lower() for s in allowed)
        raise InvalidTransition(
            f"Cannot {doing} verdict {verdict.pk}: it is {verdict.get_state_display().lower()}, "
            f"and only {names} verdicts can be."
        )


def _lock(verdict: Verdict, expected_revision: int) -> Verdict:
    """Lock the claim, then the verdict, and refuse when the stored revision is not the one the caller read."""
    list(Claim.objects.select_for_update().filter(pk=verdict.claim_id))
    locked = Verdict.objects.select_for_update().get(pk=verdict.pk)
    if locked.revision != expected_revision:
        last = locked.events.order_by("-created_at", "-id").select_related("actor").first()
        raise VerdictConflict(
            verdict_id=locked.pk,
            expected_revision=expected_revision,
            stored_revision=locked.revision,
            changed_by=str(last.actor) if last and last.actor else "",
        )
    return locked


def _clean_changes(changes: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise InvalidTransition(
            f"Cannot change {', '.join(unknown)}: only {', '.join(EDITABLE_FIELDS)} are edited directly; "
            f"state, reviewer and staleness change through the workflow."
        )
    cleaned = dict(changes)
    if "label" in cleaned:
        if cleaned["label"] not in Verdict.Label.values:
            raise InvalidTransition(
                f"Unknown label {cleaned['label']!r}; use one of {', '.join(Verdict.Label.values)}."
            )
    for text_field in ("rationale", "corrected_wording"):
        if text_field in cleaned:
            if not isinstance(cleaned[text_field], str):
                raise InvalidTransition(f"{text_field} must be text.")
            cleaned[text_field] = cleaned[text_field].strip()
    if "evidence_links" in cleaned:
        cleaned["evidence_links"] = evidence_links_clean(cleaned["evidence_links"])
    return cleaned


def evidence_links_clean(links: Iterable[str] | str) -> list[str]:
    """Evidence URLs, stripped and de-duplicated in order. Raises InvalidTransition naming the first bad one."""
    if isinstance(links, str):
        links = links.split()
    cleaned: list[str] = []
    for raw in links:
        if not isinstance(raw, str):
            raise InvalidTransition(f"Evidence link {raw!r} is not a URL.")
        url = raw.strip()
        if not url:
            continue
        if len(url) > MAX_URL_CHARS:
            raise InvalidTransition(f"Evidence link is longer than {MAX_URL_CHARS} characters: {url[:60]}…")
        try:
            _url_validator(url)
        except ValidationError:
            raise InvalidTransition(f"Evidence link {url!r} is not an http(s) URL.") from None
        if url not in cleaned:
            cleaned.append(url)
    if len(cleaned) > MAX_EVIDENCE_LINKS:
        raise InvalidTransition(f"At most {MAX_EVIDENCE_LINKS} evidence links, got {len(cleaned)}.")
    return cleaned


def _event(
    verdict: Verdict | None,
    *,
    claim_id: int,
    kind: str,
    by,
    from_state: str = "",
    comment: str = "",
    changes: dict | None = None,
) -> ReviewEvent:
    return ReviewEvent.objects.create(
        claim_id=claim_id,
        verdict=verdict,
        kind=kind,
        actor=by,
        from_state=from_state,
        to_state=verdict.state if verdict else "",
        revision=verdict.revision if verdict else None,
        changes=changes or {},
        comment=comment,
    )


def _save(verdict: Verdict, fields: list[str], *, reason: str, by) -> None:
    verdict.revision += 1
    verdict._change_reason = reason[:100]
    verdict._history_user = by
    verdict.save(update_fields=[*fields, "revision", "updated_at"])


def _announce(verdict: Verdict, event: ReviewEvent) -> None:
    transaction.on_commit(lambda: verdict_changed.send(sender=Verdict, verdict=verdict, event=event))


def _records_refusal(step: str) -> Callable[[_Step], _Step]:
    """Log a save refused for a stale revision as a `conflict` event, so the history shows both attempts.

    The refused step's own transaction is rolled back whole; the event is written after it, in a transaction of
    its own, naming who tried what against which revision. Then the conflict is raised again for the caller."""

    def wrap(service: _Step) -> _Step:
        @functools.wraps(service)
        def run(*, verdict: Verdict, expected_revision: int, by, **kwargs: Any) -> Verdict:
            try:
                return service(verdict=verdict, expected_revision=expected_revision, by=by, **kwargs)
            except VerdictConflict as conflict:
                with transaction.atomic():
                    stored = Verdict.objects.filter(pk=verdict.pk).first()
                    if stored is not None:
                        attempted = {
                            key: [getattr(stored, key, None), value]
                            for key, value in kwargs.items()
                            if isinstance(value, (str, int, float, bool, list, type(None)))
                        }
                        ReviewEvent.objects.create(
                            claim_id=stored.claim_id,
                            verdict=stored,
                            kind=ReviewEvent.Kind.CONFLICT,
                            actor=by if getattr(by, "pk", None) else None,
                            from_state=stored.state,
                            to_state=stored.state,
                            revision=stored.revision,
                            comment=f"{step.capitalize()} refused. {conflict}",
                            changes=attempted,
                        )
                raise

        return run  # type: ignore[return-value]

    return wrap


# ------------------------------------------------------------------------------------------------------- verdicts


def verdict_create(
    *,
    claim: Claim,
    label: str,
    rationale: str = "",
    corrected_wording: str = "",
    evidence_links: Iterable[str] = (),
    by,
) -> Verdict:
    """Record a draft verdict on a claim for `by`. Raises VerdictPermissionDenied (role, assignment) or
    InvalidTransition (bad label or link, or the claim already has a verdict). Atomic; writes a `created` event."""
    _require_perm(by, "review.add_verdict", "record verdicts")
    fields = _clean_changes(
        {
            "label": label,
            "rationale": rationale,
            "corrected_wording": corrected_wording,
            "evidence_links": evidence_links,
        }
    )
    with transaction.atomic():
        list(Claim.objects.select_for_update().filter(pk=claim.pk))
        _require_assignee(claim.pk, by, "record its verdict")
        existing = Verdict.objects.filter(claim_id=claim.pk).first()
        if existing is not None:
            raise InvalidTransition(
                f"Claim {claim.pk} already has a verdict ({existing.pk}, revision {existing.revision}); edit that one."
            )
        verdict = Verdict(claim=claim, reviewer=by, **fields)
        verdict._change_reason = "created"
        verdict._history_user = by
        verdict.save()
        _event(
            verdict,
            claim_id=claim.pk,
            kind=ReviewEvent.Kind.CREATED,
            by=by,
            changes={k: [None, v] for k, v in fields.items()},
        )
    return verdict


@_records_refusal("edit")
def verdict_update(*, verdict: Verdict, expected_revision: int, by, **changes: Any) -> Verdict:
    """Edit a draft or returned verdict's label, rationale, corrected wording or evidence links.

    Raises VerdictConflict when the stored revision is not `expected_revision` (nothing is saved),
    VerdictPermissionDenied
    (role or assignment), InvalidTransition (state or bad value). Bumps the revision and clears a stale flag (a human
    has looked again). A call that changes nothing is a no-op returning the stored verdict. Atomic; writes an event.
    """
    _require_perm(by, "review.change_verdict", "edit verdicts")
    cleaned = _clean_changes(changes)
    with transaction.atomic():
        locked = _lock(verdict, expected_revision)
        _require_assignee(locked.claim_id, by, "edit its verdict")
        _require_state(locked, EDITABLE_STATES, "edit")
        diff = {k: [getattr(locked, k), v] for k, v in cleaned.items() if getattr(locked, k) != v}
        if not diff:
            return locked
        for key, (_, new) in diff.items():
            setattr(locked, key, new)
        fields = list(diff)
        if locked.is_stale:
            diff["is_stale"] = [True, False]
            locked.is_stale, locked.stale_reason = False, ""
            fields += ["is_stale", "stale_reason"]
        _save(locked, fields, reason="updated", by=by)
        _event(
            locked,
            claim_id=locked.claim_id,
            kind=ReviewEvent.Kind.UPDATED,
            by=by,
            from_state=locked.state,
            changes=diff,
        )
    return locked


@_records_refusal("submit")
def verdict_submit(*, verdict: Verdict, expected_revision: int, by) -> Verdict:
    """Put a draft or returned verdict forward for approval. Only its reviewer (or the claim's assignee) may.
    Raises VerdictConflict, VerdictPermissionDenied, InvalidTransition. Atomic; writes a `submitted` event."""
    _require_perm(by, "review.change_verdict", "submit verdicts")
    with transaction.atomic():
        locked = _lock(verdict, expected_revision)
        _require_assignee(locked.claim_id, by, "submit its verdict")
        if (
            locked.reviewer_id != by.pk
            and not ClaimAssignment.objects.filter(claim_id=locked.claim_id, assignee=by).exists()
        ):
            raise VerdictPermissionDenied(
                f"Only the verdict's reviewer ({locked.reviewer}) or the claim's assignee may submit it."
            )
        _require_state(locked, EDITABLE_STATES, "submit")
        from_state = locked.state
        locked.state = Verdict.State.SUBMITTED
        fields = ["state"]
        if locked.is_stale:
            locked.is_stale, locked.stale_reason = False, ""
            fields += ["is_stale", "stale_reason"]
        _save(locked, fields, reason="submitted", by=by)
        _event(locked, claim_id=locked.claim_id, kind=ReviewEvent.Kind.SUBMITTED, by=by, from_state=from_state)
    return locked


@_records_refusal("approve")
def verdict_approve(*, verdict: Verdict, expected_revision: int, by) -> Verdict:
    """Approve (publish) a submitted verdict. Editors only, never their own verdict; a `needs more work` label is not
    publishable. Raises VerdictConflict, VerdictPermissionDenied, InvalidTransition. Atomic; writes an `approved` event
    and sends verdict_changed after commit."""
    _require_perm(by, "review.approve_verdict", "approve verdicts")
    with transaction.atomic():
        locked = _lock(verdict, expected_revision)
        if locked.reviewer_id == by.pk:
            raise VerdictPermissionDenied(
                f"{by} wrote verdict {locked.pk} and may not approve it: a second reviewer must."
            )
        # Four eyes on what is published: whoever wrote any of its content since the last approval (a co-author who
        # edited someone else's draft included) may not approve it.
        if any(author.pk == by.pk for author in verdict_content_authors(verdict_id=locked.pk)):
            raise VerdictPermissionDenied(
                f"{by} edited verdict {locked.pk} since it was last approved and may not approve it: "
                "a reviewer who wrote none of its content must."
            )
        _require_state(locked, [Verdict.State.SUBMITTED], "approve")
        if locked.label == Verdict.Label.NEEDS_MORE_WORK:
            raise InvalidTransition(
                f"Verdict {locked.pk} is labelled 'needs more work', which cannot be published: return it instead."
            )
        locked.state, locked.approver, locked.approved_at = Verdict.State.APPROVED, by, timezone.now()
        _save(locked, ["state", "approver", "approved_at"], reason="approved", by=by)
        event = _event(
            locked, claim_id=locked.claim_id, kind=ReviewEvent.Kind.APPROVED, by=by, from_state=Verdict.State.SUBMITTED
        )
        _announce(locked, event)
    return locked


@_records_refusal("return")
def verdict_return(*, verdict: Verdict, expected_revision: int, by, comment: str) -> Verdict:
    """Send a submitted verdict back to its reviewer with a comment. Editors only, and not on their own verdict.
    Raises VerdictConflict, VerdictPermissionDenied, InvalidTransition (state, empty comment).
    Atomic; writes an event."""
    _require_perm(by, "review.approve_verdict", "return verdicts")
    comment = (comment or "").strip()
    if not comment:
        raise InvalidTransition("Returning a verdict needs a comment telling the reviewer what to change.")
    with transaction.atomic():
        locked = _lock(verdict, expected_revision)
        if locked.reviewer_id == by.pk:
            raise VerdictPermissionDenied(
                f"{by} wrote verdict {locked.pk} and may not review it: a second reviewer must."
            )
        _require_state(locked, [Verdict.State.SUBMITTED], "return")
        locked.state = Verdict.State.RETURNED
        _save(locked, ["state"], reason="returned", by=by)
        _event(
            locked,
            claim_id=locked.claim_id,
            kind=ReviewEvent.Kind.RETURNED,
            by=by,
            from_state=Verdict.State.SUBMITTED,
            comment=comment,
        )
    return locked


@_records_refusal("reopen")
def verdict_reopen(*, verdict: Verdict, expected_revision: int, by, reason: str) -> Verdict:
    """Take an approved (published) verdict back to draft, with a reason. Raises VerdictConflict,
    VerdictPermissionDenied, InvalidTransition (not approved, empty reason). Atomic; writes a `reopened` event."""
    _require_perm(by, "review.reopen_verdict", "reopen verdicts")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidTransition("Reopening a published verdict needs a reason.")
    with transaction.atomic():
        locked = _lock(verdict, expected_revision)
        _require_state(locked, [Verdict.State.APPROVED], "reopen")
        _reopen(locked, by=by, reason=reason)
    return locked


def _reopen(locked: Verdict, *, by, reason: str, extra_fields: Sequence[str] = ()) -> ReviewEvent:
    previous_approver = locked.approver_id
    locked.state, locked.approver, locked.approved_at = Verdict.State.DRAFT, None, None
    _save(locked, ["state", "approver", "approved_at", *extra_fields], reason="reopened", by=by)
    return _event(
        locked,
        claim_id=locked.claim_id,
        kind=ReviewEvent.Kind.REOPENED,
        by=by,
        from_state=Verdict.State.APPROVED,
        comment=reason,
        changes={"approver": [previous_approver, None]},
    )


def verdicts_mark_stale(*, verdicts: Iterable[Verdict], reason: str) -> int:
    """Mark verdicts stale because their claim or its origin changed; returns how many were newly marked.

    Approved verdicts are reopened to draft with the reason (they no longer describe what is published); submitted
    ones go back to draft too, so nobody approves a verdict on text that has changed. Verdicts already stale are left
    alone (idempotent). Locks claims then verdicts in id order; one `marked_stale` event each (actor: the system),
    plus a `reopened` event for approved ones; verdict_changed is sent after commit for each.
    """
    reason = (reason or "").strip()[:STALE_REASON_MAX_CHARS]
    if not reason:
        raise InvalidTransition("Marking verdicts stale needs a reason (what changed).")
    ids = sorted({v.pk for v in verdicts})
    if not ids:
        return 0
    marked = 0
    with transaction.atomic():
        claim_ids = list(Verdict.objects.filter(pk__in=ids).values_list("claim_id", flat=True))
        list(Claim.objects.select_for_update().filter(pk__in=claim_ids).order_by("pk"))
        for verdict in Verdict.objects.select_for_update().filter(pk__in=ids, is_stale=False).order_by("pk"):
            from_state = verdict.state
            verdict.is_stale, verdict.stale_reason = True, reason
            if from_state == Verdict.State.APPROVED:
                _reopen(verdict, by=None, reason=reason, extra_fields=["is_stale", "stale_reason"])
            else:
                if from_state == Verdict.State.SUBMITTED:
                    verdict.state = Verdict.State.DRAFT
                _save(verdict, ["is_stale", "stale_reason", "state"], reason="marked stale", by=None)
            event = _event(
                verdict,
                claim_id=verdict.claim_id,
                kind=ReviewEvent.Kind.MARKED_STALE,
                by=None,
                from_state=from_state,
                comment=reason,
            )
            _announce(verdict, event)
            marked += 1
    return marked


def verdicts_follow_sentences(
    *, verdicts: Sequence[Verdict], newest: dict[int, ArticleVersion]
) -> tuple[int, dict[int, str]]:
    """Move each verdict on a superseded version to the claim of its article's newest version (``newest``: article
    id to version) with the identical sentence text, the nearest by position and not already judged, together with
    its assignment; one `moved` event each (actor: the system). Returns how many moved and, for verdicts whose
    sentence is no longer there, the reason they are stale (marking them is verdicts_mark_stale's). Idempotent: a
    verdict already on its article's newest version is left alone. Locks claims then verdicts in id order.
    """
    moved, gone = 0, {}
    if not verdicts:
        return moved, gone
    with transaction.atomic():
        behind = list(Verdict.objects.filter(pk__in=[v.pk for v in verdicts]).select_related("claim__version"))
        targets = Claim.objects.filter(
            version__in=[newest[v.claim.version.article_id] for v in behind if v.claim.version.article_id in newest]
        )
        free: dict[tuple[int, str], list[Claim]] = defaultdict(list)
        for claim in targets.filter(verdict__isnull=True).order_by("pk"):
            free[(claim.version_id, claim.text)].append(claim)
        lock_ids = sorted({v.claim_id for v in behind} | {c.pk for cs in free.values() for c in cs})
        list(Claim.objects.select_for_update().filter(pk__in=lock_ids).order_by("pk"))
        for verdict in (
            Verdict.objects.select_for_update()
            .filter(pk__in=[v.pk for v in behind])
            .select_related("claim__version")
            .order_by("pk")
        ):
            version = newest.get(verdict.claim.version.article_id)
            if version is None or verdict.claim.version_id == version.pk:
                continue
            choices = free.get((version.pk, verdict.claim.text), [])
            if not choices:
                gone[verdict.pk] = (
                    f"claim changed: the sentence is no longer in version {version.number} of the article"
                )
                continue
            target = min(choices, key=lambda c: abs(c.position - verdict.claim.position))
            choices.remove(target)
            if not ClaimAssignment.objects.filter(claim_id=target.pk).exists():
                ClaimAssignment.objects.filter(claim_id=verdict.claim_id).update(claim_id=target.pk)
            reason = f"followed its sentence to version {version.number}"
            changes = {
                "claim": [verdict.claim_id, target.pk],
                "version": [verdict.claim.version.number, version.number],
            }
            verdict.claim = target
            _save(verdict, ["claim"], reason=reason, by=None)
            _event(
                verdict,
                claim_id=target.pk,
                kind=ReviewEvent.Kind.MOVED,
                by=None,
                from_state=verdict.state,
                comment=reason,
                changes=changes,
            )
            moved += 1
    return moved, gone


# ---------------------------------------------------------------------------------------------------- assignment


def claim_assign(*, claim: Claim, assignee, by) -> ClaimAssignment | None:
    """Assign a claim to a reviewer, or unassign it with assignee=None.

    Anyone who records verdicts may take a free claim for themselves (self-assign) or give up their own; assigning
    to someone else, or taking a claim already assigned to another, needs review.assign_claim (editors).
    Raises VerdictPermissionDenied. Idempotent for the same assignee. Atomic; writes an event.
    """
    _require_perm(by, "review.add_verdict", "take claims for review")
    with transaction.atomic():
        list(Claim.objects.select_for_update().filter(pk=claim.pk))
        current = ClaimAssignment.objects.filter(claim_id=claim.pk).select_related("assignee").first()
        current_id = current.assignee_id if current else None
        target_id = assignee.pk if assignee is not None else None
        if current_id == target_id:
            return current
        is_editor = by.has_perm("review.assign_claim")
        if not is_editor:
            if target_id not in (None, by.pk):
                raise VerdictPermissionDenied(f"{by} may assign claims only to themselves; editors assign to others.")
            if current_id not in (None, by.pk):
                raise VerdictPermissionDenied(
                    f"Claim {claim.pk} is assigned to {current.assignee}; only an editor can reassign it."
                )
        if assignee is not None and not assignee.has_perm("review.add_verdict"):
            raise VerdictPermissionDenied(f"{assignee} cannot record verdicts, so cannot be assigned claims.")
        verdict = Verdict.objects.filter(claim_id=claim.pk).first()
        changes = {"assignee": [str(current.assignee) if current else None, str(assignee) if assignee else None]}
        if assignee is None:
            current.delete()
            _event(verdict, claim_id=claim.pk, kind=ReviewEvent.Kind.UNASSIGNED, by=by, changes=changes)
            return None
        assignment, _ = ClaimAssignment.objects.update_or_create(
            claim_id=claim.pk, defaults={"assignee": assignee, "assigned_by": by}
        )
        _event(verdict, claim_id=claim.pk, kind=ReviewEvent.Kind.ASSIGNED, by=by, changes=changes)
    return assignment


def claim_self_assign(*, claim: Claim, by) -> ClaimAssignment | None:
    """Take a claim for review. Same rules as claim_assign with assignee=by."""
    return claim_assign(claim=claim, assignee=by, by=by)


# ---------------------------------------------------------------------------------------------------- bulk steps


def claims_accept_engine_label(*, claims: Iterable[Claim], by) -> tuple[list[Verdict], list[tuple[Claim, str]]]:
    """For each claim the engine labelled `supported` and nobody has judged yet, record and submit a `supported`
    verdict whose rationale cites the engine's score. Returns (verdicts made, [(claim, why skipped)]). Each claim is
    its own transaction, so one refusal does not undo the others."""
    made: list[Verdict] = []
    skipped: list[tuple[Claim, str]] = []
    for claim in claims:
        if claim.label != Label.SUPPORTED:
            skipped.append((claim, f"the engine labelled it {claim.get_label_display().lower() or 'nothing'}"))
            continue
        try:
            with transaction.atomic():
                score = f" (alignment score {claim.label_score:.2f})" if claim.label_score is not None else ""
                verdict = verdict_create(
                    claim=claim,
                    label=Verdict.Label.SUPPORTED,
                    by=by,
                    rationale=f"Accepted the engine's label: the origin supports this sentence{score}.",
                )
                made.append(verdict_submit(verdict=verdict, expected_revision=verdict.revision, by=by))
        except (InvalidTransition, VerdictPermissionDenied) as exc:
            skipped.append((claim, str(exc)))
    return made, skipped
