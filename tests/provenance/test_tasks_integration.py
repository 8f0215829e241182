"""Trace jobs on real Celery workers (subprocesses) with Redis and PostgreSQL: same rows as eager mode."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from django.core.management import call_command

from tests.provenance.test_tasks import ingest_all, stored_rows
from tests.pseudo_terminal import PseudoTerminal, bar_counts
from tests.reliability.workers import REPO_DIR, wait_for, worker_env
from workbench.provenance import services
from workbench.provenance.models import TraceJob
from workbench.provenance.selectors import trace_report
from workbench.provenance.tasks import run_trace_job

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

JOB_WAIT_S = 60.0


def job_state(job: TraceJob) -> str:
    return TraceJob.objects.values_list("state", flat=True).get(pk=job.pk)


def test_a_worker_stores_the_same_trace_as_eager_mode(celery_on_redis, seed_paths):
    celery_on_redis("tracer")
    articles = ingest_all(seed_paths)
    job = services.trace_job_create(articles=articles)
    wait_for(lambda: job_state(job) in {"done", "failed"}, timeout_s=JOB_WAIT_S, what="the worker to finish the job")
    job.refresh_from_db()
    assert (job.state, job.attempts, job.error) == ("done", 1, "")
    on_worker = stored_rows()
    report_on_worker = trace_report(articles=[(str(a.pk), a) for a in articles])
    assert on_worker["links"], "the worker stored no provenance links"

    again = TraceJob.objects.create()
    again.articles.set(articles)
    assert run_trace_job.apply(args=[again.pk]).get() == "done"  # in this process, eagerly
    assert stored_rows() == on_worker
    assert trace_report(articles=[(str(a.pk), a) for a in articles]) == report_on_worker


def test_trace_async_on_a_worker_prints_what_trace_prints_in_process(celery_on_redis, seed_paths):
    """Its stderr on a terminal, the command shows the job's progress up to done; stdout is the report alone."""
    celery_on_redis("cli")
    paths = [str(p.relative_to(REPO_DIR)) for p in seed_paths]
    with PseudoTerminal() as terminal:
        run = subprocess.run(
            [sys.executable, "manage.py", "trace", "--async", "--json", "--timeout", "60", *paths],
            cwd=REPO_DIR,
            env=worker_env(),
            stdout=subprocess.PIPE,
            stderr=terminal.slave_fd,
            text=True,
            timeout=120,
        )
    assert run.returncode == 0, terminal.text
    job = TraceJob.objects.get()
    assert job.state == "done"
    assert bar_counts(terminal.text, f"trace job {job.pk} done")[-1] == f"{job.sentences_total}/{job.sentences_total}"
    in_process = io.StringIO()
    call_command("trace", *paths, json=True, stdout=in_process)
    assert run.stdout == in_process.getvalue()
    assert json.loads(run.stdout)["articles"][0]["sentences"]
