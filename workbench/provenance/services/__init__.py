"""The provenance app's writes, by concern: ``tracing`` (engine runs stored as stories, labels, links and
divergences), ``jobs`` (the queued unit of tracing work) and ``retracing`` (a story traced again, its verdicts
carried along). Callers import the public names from here."""

from __future__ import annotations

from workbench.provenance.errors import StoriesKeptChanging, TraceJobInputError
from workbench.provenance.services.jobs import (
    PERMANENT_ERRORS,
    SUPERSEDED,
    TRACE_JOB_SWEEP_S,
    TraceJobRun,
    trace_job_claim,
    trace_job_create,
    trace_job_create_indexed,
    trace_job_heartbeat,
    trace_job_run,
    trace_job_send,
    trace_jobs_rearm,
)
from workbench.provenance.services.retracing import (
    RetraceOutcome,
    ReverifyOutcome,
    article_reverify,
    stories_with_pending_retrace,
    story_retrace,
)
from workbench.provenance.services.tracing import TraceOutcome, articles_trace, story_detect

__all__ = [
    "PERMANENT_ERRORS",
    "SUPERSEDED",
    "TRACE_JOB_SWEEP_S",
    "RetraceOutcome",
    "ReverifyOutcome",
    "StoriesKeptChanging",
    "TraceJobInputError",
    "TraceJobRun",
    "TraceOutcome",
    "article_reverify",
    "articles_trace",
    "stories_with_pending_retrace",
    "story_detect",
    "story_retrace",
    "trace_job_claim",
    "trace_job_create",
    "trace_job_create_indexed",
    "trace_job_heartbeat",
    "trace_job_run",
    "trace_job_send",
    "trace_jobs_rearm",
]
