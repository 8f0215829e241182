"""Celery task that puts an arriving article through the shared candidate index before the trace job.

Not autodiscovered (autodiscovery loads ``tasks`` modules): workers that should run it start with
``--include workbench.provenance.candidate_tasks``.
"""

from __future__ import annotations

from celery import shared_task

from workbench.provenance.candidates import trace_job_create_indexed
from workbench.provenance.tasks import backoff_s, task_log


@shared_task(
    bind=True,
    name="provenance.ingest_index_trace",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=5,
    ignore_result=True,
)
def ingest_index_trace(self, content: str, ingest_key: str, outlet_name: str = "", headline: str = "") -> int:
    """Ingest, index, find the origin, queue the trace job; retried with backoff on database trouble."""
    from django.db import OperationalError

    with task_log("provenance.ingest_index_trace", key=ingest_key) as log:
        try:
            job = trace_job_create_indexed(content=content, ingest_key=ingest_key, outlet_name=outlet_name,
                                           headline=headline)
        except OperationalError as exc:
            raise self.retry(exc=exc, countdown=backoff_s(self.request.retries)) from exc
        log["job"] = job.pk
        return job.pk
