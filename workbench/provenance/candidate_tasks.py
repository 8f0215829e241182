"""Celery task that puts an arriving article through the shared candidate index and traces it.

Not autodiscovered (autodiscovery loads ``tasks`` modules): workers that should run it start with
``--include workbench.provenance.candidate_tasks``.
"""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from workbench.core.tasks import backoff_s, task_log
from workbench.provenance.services import trace_job_create_indexed, trace_job_send
from workbench.provenance.tasks import job_run


@shared_task(
    bind=True,
    name="provenance.ingest_index_trace",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=5,
    ignore_result=True,
)
def ingest_index_trace(self, content: str, ingest_key: str, outlet_name: str = "", headline: str = "") -> int:
    """Ingest, index, find the origin, and run the trace job here (it is a job row like any other: claimed, leased,
    swept); retried with backoff on database trouble before the job exists, and a job whose run hit a transient
    error is sent to the workers for its retry."""
    with task_log("provenance.ingest_index_trace", key=ingest_key) as log:
        try:
            job = trace_job_create_indexed(
                content=content, ingest_key=ingest_key, outlet_name=outlet_name, headline=headline, send=False
            )
        except OperationalError as exc:
            raise self.retry(exc=exc, countdown=backoff_s(self.request.retries)) from exc
        log["job"] = job.pk
        run = job_run(self, job.pk, log)
        if run is not None and run.retry_in_s is not None and not self.request.is_eager:
            trace_job_send(job_id=job.pk, countdown_s=run.retry_in_s)
        return job.pk
