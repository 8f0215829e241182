"""Celery tasks of the tracing pipeline: thin wrappers that take ids, call one service and hold the retry policy.

Every task is idempotent: running it twice, or on two workers at once, leaves the rows running it once leaves.
The job row is the truth (see services.trace_job_claim); a lost or duplicated message costs nothing but time.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings

from workbench.core.cpu_limit import cpu_time_limit
from workbench.provenance import services
from workbench.provenance.models import Story, TraceJob
from workbench.sources.models import Article

logger = logging.getLogger("workbench.tasks")

RETRY_BACKOFF_FACTOR_S = 5
RETRY_BACKOFF_MAX_S = 300


@contextmanager
def task_log(task: str, **ids) -> Iterator[dict]:
    """One structured line per task run: task, the ids it worked on, duration and outcome."""
    started = time.monotonic()
    record = {"outcome": "ok"}
    try:
        yield record
    except Exception as exc:
        record["outcome"] = f"error:{exc.__class__.__name__}"
        raise
    finally:
        fields = " ".join(f"{key}={value}" for key, value in {**ids, **record}.items() if key != "outcome")
        logger.info(
            "task=%s %s duration_ms=%d outcome=%s",
            task,
            fields,
            (time.monotonic() - started) * 1000,
            record["outcome"],
        )


def backoff_s(retries: int) -> float:
    """Exponential backoff with full jitter: up to 5 s, 10 s, 20 s ... capped at 5 minutes."""
    return get_exponential_backoff_interval(
        factor=RETRY_BACKOFF_FACTOR_S, retries=retries, maximum=RETRY_BACKOFF_MAX_S, full_jitter=True
    )


@shared_task(
    bind=True,
    name="provenance.run_trace_job",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,  # the job row's attempts cap decides when to give up
    ignore_result=True,
)
def run_trace_job(self, job_id: int) -> str:
    """Claim the job (a duplicate delivery finds nothing to claim), do it, and schedule a retry on transient errors."""
    with task_log("provenance.run_trace_job", job=job_id) as log:
        run = job_run(self, job_id, log)
        if run is not None and run.retry_in_s is not None and not self.request.is_eager:
            raise self.retry(countdown=run.retry_in_s)
        return log["outcome"]


def job_run(task, job_id: int, log: dict) -> services.TraceJobRun | None:
    """Claim and do a job inside ``task``; None when it was not claimable. The run's retry_in_s, when set, is for
    the caller to act on (a retry of its own, or a new message for the job)."""
    job = services.trace_job_claim(job_id=job_id)
    if job is None:
        log["outcome"] = "not_claimable"
        return None
    log["attempt"] = job.attempts
    log["articles"] = ",".join(str(pk) for pk in job.articles.order_by("pk").values_list("pk", flat=True)) or "-"
    # The CPU budget ends a runaway attempt; trace_job_run records it as the job's failure.
    with cpu_time_limit(settings.TRACE_JOB_CPU_LIMIT_S, what=f"trace job {job_id}"):
        run = services.trace_job_run(job=job, retry_in_s=backoff_s(job.attempts - 1))
    # Eager (embedded) mode has no broker to come back through: try again at once, up to the attempts cap.
    while run.retry_in_s is not None and task.request.is_eager:
        job = services.trace_job_claim(job_id=job_id)
        if job is None:
            break
        run = services.trace_job_run(job=job, retry_in_s=0)
    log["outcome"] = run.state
    return run


@shared_task(name="provenance.sweep_trace_jobs", ignore_result=True)
def sweep_trace_jobs() -> dict:
    """Beat: re-send lost jobs, re-arm jobs whose worker died, fail those out of attempts."""
    with task_log("provenance.sweep_trace_jobs") as log:
        counts = services.trace_jobs_rearm()
        log.update(counts)
        return counts


@shared_task(
    bind=True,
    name="provenance.trace_article",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
)
def trace_article(self, article_id: int) -> str:
    """Find the article's story among the stored ones and trace it through a job (so it is tracked and swept)."""
    with task_log("provenance.trace_article", article=article_id) as log:
        article = Article.objects.filter(pk=article_id).first()
        if article is None:
            log["outcome"] = "gone"
            return "gone"
        story = Story.objects.filter(memberships__article=article).first() or services.story_detect(article=article)
        articles = list(Article.objects.filter(story_membership__story=story)) if story else []
        job = services.trace_job_create(articles=[*articles, article], origin=story.origin if story else None)
        log["job"] = job.pk
        return "queued"


@shared_task(
    bind=True,
    name="provenance.retrace_story",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=5,
    ignore_result=True,
)
def retrace_story(self, story_id: int, trigger: str = "re-trace requested") -> str:
    """Trace a story again and mark the verdicts it changes stale. Retried with backoff on database trouble."""
    from django.db import OperationalError

    with task_log("provenance.retrace_story", story=story_id) as log:
        story = Story.objects.filter(pk=story_id).select_related("origin").first()
        if story is None:
            log["outcome"] = "gone"
            return "gone"
        try:
            outcome = services.story_retrace(story=story, trigger=trigger)
        except OperationalError as exc:
            raise self.retry(exc=exc, countdown=backoff_s(self.request.retries)) from exc
        log.update(moved=outcome.verdicts_moved, stale=outcome.verdicts_marked_stale)
        return "done"


def job_is_finished(job: TraceJob) -> bool:
    return job.state in {TraceJob.State.DONE, TraceJob.State.FAILED}
