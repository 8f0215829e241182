"""A job that runs longer than its lease, on a live worker, with the default lease: its heartbeat keeps renewing the
lease, so the sweeper, running all along, never re-arms it and it runs once."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.provenance.test_tasks import ingest_all
from tests.reliability.local_server import LocalPageServer, Page
from tests.reliability.workers import wait_for
from workbench.provenance import services
from workbench.provenance.models import TraceJob, TraceJobEvent

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

WAIT_S = 60.0
LEASES = 1.5  # how many default leases the job is kept running
SWEEP_EVERY_S = 1.0  # far more often than the scheduler: any lapse of the heartbeat would be caught


def test_a_slow_job_whose_heartbeat_goes_on_is_never_rearmed(celery_on_redis, seed_paths, settings):
    submitted_path = next(p for p in seed_paths if p.name.startswith("000_"))
    articles = ingest_all([p for p in seed_paths if p != submitted_path])
    slow_for_s = settings.TRACE_JOB_LEASE_S * LEASES
    released = threading.Event()
    with LocalPageServer() as server:
        # The page trickles in (a byte every 2 s) for as long as the test wants the job to run.
        server.routes["/slow"] = Page(body=submitted_path.read_bytes(), trickle_until=released)
        worker = celery_on_redis(
            "slow", FETCH_TEST_ALLOW_LOOPBACK=server.allowance, FETCH_TIMEOUT_S=str(int(slow_for_s * 3))
        )
        job = services.trace_job_create(articles=articles, url=server.url("/slow"))
        assert server.arrived.wait(timeout=WAIT_S), worker.text()
        claimed = TraceJob.objects.get(pk=job.pk)
        assert (claimed.state, claimed.attempts) == (TraceJob.State.RUNNING, 1)

        leases = {claimed.lease_expires_at}
        sweeps = []
        stop_at = claimed.started_at + timedelta(seconds=slow_for_s)
        while timezone.now() < stop_at:
            sweeps.append(services.trace_jobs_rearm())
            running = TraceJob.objects.get(pk=job.pk)
            assert (running.state, running.attempts) == (TraceJob.State.RUNNING, 1), worker.text()
            leases.add(running.lease_expires_at)
            time.sleep(SWEEP_EVERY_S)
        released.set()
        wait_for(lambda: TraceJob.objects.get(pk=job.pk).state in {"done", "failed"}, timeout_s=WAIT_S, what="done")

    job.refresh_from_db()
    assert (job.state, job.attempts, job.error) == (TraceJob.State.DONE, 1, "")
    # It outlived the lease it was claimed with, because the lease kept moving.
    assert job.finished_at > claimed.lease_expires_at
    assert len(leases) >= slow_for_s / settings.TRACE_JOB_HEARTBEAT_S / 2
    assert sweeps and all(s == {"rearmed": 0, "failed": 0} for s in sweeps)
    assert [e.kind for e in TraceJobEvent.objects.filter(job=job)] == ["queued", "claimed", "done"]
