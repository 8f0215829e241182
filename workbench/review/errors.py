"""Errors the review workflow reports to reviewers and API clients, each as one clear line."""

from __future__ import annotations

from workbench.core.errors import WorkbenchError


class VerdictConflict(WorkbenchError):
    """The verdict changed since the caller read it: their save would overwrite someone else's."""

    def __init__(self, *, verdict_id: int, expected_revision: int, stored_revision: int, changed_by: str = ""):
        self.verdict_id = verdict_id
        self.expected_revision = expected_revision
        self.stored_revision = stored_revision
        who = f" by {changed_by}" if changed_by else ""
        super().__init__(
            f"Verdict {verdict_id} was changed{who} since you opened it (you edited revision {expected_revision}, "
            f"it is now at revision {stored_revision}). Your changes were not saved: reload the verdict, "
            f"review the other change and apply yours again."
        )


class VerdictPermissionDenied(WorkbenchError, PermissionError):
    """The person may not do this to this verdict or claim (role, ownership or assignment)."""


class InvalidTransition(WorkbenchError, ValueError):
    """The verdict's state does not allow the requested step, or a required comment/reason is missing."""
