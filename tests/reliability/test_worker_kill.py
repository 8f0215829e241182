"""A worker SIGKILLed in the middle of a job: after a new worker starts and the sweeper runs, the job completes and
no claim, link or verdict is missing or duplicated."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db.models import Count

from tests.factories import UserFactory
from tests.provenance.test_tasks import ingest_all, stored_rows
from tests.reliability.local_server import LocalPageServer, Page
from tests.reliability.workers import wait_for
from workbench.claims.models import Claim
from workbench.provenance import services
from workbench.provenance.models import ProvenanceLink, TraceJob, TraceJobEvent
from workbench.provenance.tasks import run_trace_job
from workbench.review.models import Verdict

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

LEASE_S = 3
WAIT_S = 60.0


def test_a_job_survives_its_worker_being_killed_mid_run(celery_on_redis, seed_paths):
    submitted_path = next(p for p in seed_paths if p.name.startswith("000_"))
    articles = ingest_all([p for p in seed_paths if p != submitted_path])
    services.articles_trace(articles=articles)
    alice = UserFactory(username="alice")
    judged = list(
        Claim.objects.filter(version__article__in=articles, links__isnull=False).distinct().order_by("pk")[:4]
    )
    for claim in judged:
        Verdict.objects.create(claim=claim, label=Verdict.Label.SUPPORTED, reviewer=alice)

    gate = threading.Event()
    with LocalPageServer() as server:
        server.routes["/derivative"] = Page(body=submitted_path.read_bytes(), gate=gate)
        first = celery_on_redis("doomed", TRACE_JOB_LEASE_S=str(LEASE_S), FETCH_TEST_ALLOW_LOOPBACK=server.allowance)
        job = services.trace_job_create(articles=articles, url=server.url("/derivative"))
        assert server.arrived.wait(timeout=WAIT_S), first.text()
        job.refresh_from_db()
        assert (job.state, job.attempts) == (TraceJob.State.RUNNING, 1)  # claimed, halfway: fetching its page

        first.kill()
        gate.set()
        assert TraceJob.objects.get(pk=job.pk).state == TraceJob.State.RUNNING  # nobody is left to finish it

        celery_on_redis("rescuer", TRACE_JOB_LEASE_S=str(LEASE_S), FETCH_TEST_ALLOW_LOOPBACK=server.allowance)
        wait_for(
            lambda: services.trace_jobs_rearm()["rearmed"] == 1, timeout_s=LEASE_S + 10, what="the lease to expire"
        )
        wait_for(
            lambda: TraceJob.objects.get(pk=job.pk).state in {"done", "failed"},
            timeout_s=WAIT_S,
            what="the new worker to finish the job",
        )

    job.refresh_from_db()
    assert (job.state, job.attempts, job.error) == ("done", 2, "")
    assert [e.kind for e in TraceJobEvent.objects.filter(job=job)] == [
        "queued",
        "claimed",
        "rearmed",
        "claimed",
        "done",
    ]
    assert job.articles.count() == len(articles) + 1

    # Nothing duplicated: one version per article, claims unique by position, links unique, verdicts untouched.
    assert not Claim.objects.values("version", "position").annotate(n=Count("id")).filter(n__gt=1).exists()
    link_keys = Counter(ProvenanceLink.objects.values_list("claim_id", "origin_claim_id"))
    assert link_keys and max(link_keys.values()) == 1
    assert sorted(Verdict.objects.values_list("claim_id", flat=True)) == [c.pk for c in judged]
    assert Verdict.objects.filter(is_stale=False).count() == len(judged)

    # Nothing missing: the rows equal what tracing the same articles in this process stores.
    after_rescue = stored_rows()
    again = TraceJob.objects.create()
    again.articles.set(job.articles.all())
    assert run_trace_job.apply(args=[again.pk]).get() == "done"
    assert stored_rows() == after_rescue
