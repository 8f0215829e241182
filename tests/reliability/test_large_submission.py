"""A 3 MB single-line article submitted through the API is acknowledged at once and read by a worker: no web
process ingests it, the server keeps answering, and the worker stores it with the metadata it was sent with."""

from __future__ import annotations

import json
import urllib.request

import pytest

from tests.factories import UserFactory
from tests.reliability.workers import wait_for
from workbench.api.services import api_token_create
from workbench.provenance.models import TraceJob
from workbench.sources.models import Article

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

SUBMISSION_BYTES = 3 * 1024 * 1024
# One line of straight quotes and full stops: the shape whose splitting took a minute per 300 KB.
PIECE = '"A. "B. '


def _call(url: str, token: str, body: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url, data=data, headers={"Authorization": f"Token {token}", "Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - the live server on 127.0.0.1
        return response.status, json.loads(response.read())


def test_a_3_mb_single_line_is_acknowledged_at_once_and_read_by_a_worker(celery_on_redis, live_server):
    token = api_token_create(user=UserFactory(username="tom"), name="cms", scopes=("read", "submit")).key
    content = (PIECE * (SUBMISSION_BYTES // len(PIECE) + 1))[:SUBMISSION_BYTES]
    articles_before = Article.objects.count()

    # No worker runs yet, so whatever is stored before one starts was stored by the web request.
    status, body = _call(
        f"{live_server.url}/api/v1/articles/",
        token,
        {"content": content, "headline": "A very long line", "outlet": "Line Gazette"},
    )
    assert status == 202, body
    job_id = body["job"]["id"]
    assert TraceJob.objects.get(pk=job_id).state == TraceJob.State.QUEUED
    assert Article.objects.count() == articles_before, "the request must not ingest a large submission itself"
    status, listing = _call(f"{live_server.url}/api/v1/claims/", token)
    assert status == 200 and "results" in listing

    celery_on_redis("w1")
    wait_for(
        lambda: TraceJob.objects.get(pk=job_id).state in {TraceJob.State.DONE, TraceJob.State.FAILED},
        timeout_s=240,
        what="the worker to finish the large submission",
    )
    job = TraceJob.objects.get(pk=job_id)
    assert job.state == TraceJob.State.DONE, job.error
    article = Article.objects.get(pk__in=job.articles.values("pk"))
    assert (article.headline, article.outlet.name) == ("A very long line", "Line Gazette")
    assert article.versions.get().clean_text == content.strip()


def test_a_job_that_runs_past_its_cpu_budget_fails_naming_the_limit(celery_on_redis, live_server):
    """A worker whose jobs may use 1 CPU second stops this one part-way and fails it with that reason."""
    token = api_token_create(user=UserFactory(username="tom"), name="cms", scopes=("read", "submit")).key
    content = (PIECE * (SUBMISSION_BYTES // len(PIECE) + 1))[:SUBMISSION_BYTES]
    status, body = _call(f"{live_server.url}/api/v1/articles/", token, {"content": content})
    assert status == 202, body
    celery_on_redis("w1", TRACE_JOB_CPU_LIMIT_S="1")
    job_id = body["job"]["id"]
    wait_for(
        lambda: TraceJob.objects.get(pk=job_id).state == TraceJob.State.FAILED,
        timeout_s=120,
        what="the job to be stopped at its CPU budget",
    )
    job = TraceJob.objects.get(pk=job_id)
    assert f"trace job {job_id} used more than 1 s of CPU time and was stopped" in job.error
    assert job.attempts == 1, "a job stopped at its CPU budget is not tried again"
