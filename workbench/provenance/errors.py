"""Errors of the tracing pipeline that callers outside it catch (the API maps them to its error shape)."""

from __future__ import annotations

from workbench.core.errors import WorkbenchError


class TraceJobInputError(WorkbenchError, ValueError):
    """The request cannot become a trace job: nothing to trace, or more than one thing to ingest."""


class StoriesKeptChanging(WorkbenchError):
    """Other jobs kept storing stories for a job's articles while it traced them; the job is retried later."""
