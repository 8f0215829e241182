"""Celery tasks of the tracing pipeline: thin wrappers that take ids, call one service and hold the retry policy.

Every task is idempotent: running it twice, or on two workers at once, leaves the rows running it once leaves.
The job row is the truth (see services.trace_job_claim); a lost or duplicated message costs nothing but time.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from workbench.core.cpu_limit import cpu_time_limit
from workbench.core.tasks import RETRY_BACKOFF, backoff_s, task_log
from workbench.provenance import services
from workbench.provenance.models import Story
from workbench.sources.models import Article


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
    # A worker's heartbeat beats on a thread of its own; an eager run beats from its progress, in its caller's
    # connection and transaction. The CPU budget ends a runaway attempt; trace_job_run records it as the failure.
    threaded = not task.request.is_eager
    with cpu_time_limit(settings.TRACE_JOB_CPU_LIMIT_S, what=f"trace job {job_id}"):
        run = services.trace_job_run(job=job, retry_in_s=backoff_s(job.attempts - 1), heartbeat_thread=threaded)
    # Eager (embedded) mode has no broker to come back through: try again at once, up to the attempts cap.
    while run.retry_in_s is not None and task.request.is_eager:
        job = services.trace_job_claim(job_id=job_id)
        if job is None:
            break
        run = services.trace_job_run(job=job, retry_in_s=0, heartbeat_thread=False)
    log["outcome"] = run.state
    return run


@shared_task(name="provenance.sweep_trace_jobs", ignore_result=True)
def sweep_trace_jobs() -> dict:
    """Beat (every TRACE_JOB_SWEEP_S): re-send lost jobs, re-arm jobs whose heartbeat stopped, fail those out of
    attempts."""
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
    autoretry_for=(OperationalError,),
    **RETRY_BACKOFF,
    ignore_result=True,
)
def retrace_story(self, story_id: int, trigger: str = "re-trace requested") -> str:
    """Trace a story again and mark the verdicts it changes stale. Retried with backoff on database trouble."""
    with task_log("provenance.retrace_story", story=story_id) as log:
        story = Story.objects.filter(pk=story_id).select_related("origin").first()
        if story is None:
            log["outcome"] = "gone"
            return "gone"
        outcome = services.story_retrace(story=story, trigger=trigger)
        log.update(moved=outcome.verdicts_moved, stale=outcome.verdicts_marked_stale)
        return "done"
