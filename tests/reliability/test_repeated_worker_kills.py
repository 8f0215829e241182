"""Workers SIGKILLed again and again while articles arrive (a pool process, a main process, or both): every job ends
done and the stored claims, links, divergences and stories equal an undisturbed run's.

The CI-sized version of ``benchmarks/soak.py`` (``make bench-soak``: 200 articles, 20 kills), with its machinery: the
same fingerprint, kill plan and driver (the sweeper on its schedule, kills when a worker's pool process is tracing),
and the default settings: a job a kill interrupted is sent again by the sweeper once its heartbeat has been silent
for a lease (the single-kill bound is in test_worker_kill.py; the soak reports the longest recovery).
"""

from __future__ import annotations

import pytest

from benchmarks import soak
from benchmarks.corpus import Corpus
from tests.provenance.test_trace_job_order import traces_forget
from tests.reliability.workers import Worker
from workbench.provenance.models import TraceJob
from workbench.provenance.tasks import run_trace_job

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

SEED = 7
STORIES = 3  # the first three stories of the archive, with all their derivatives
ARTICLES = 20
KILLS = 4
KILL_SEED = 6  # its plan: a pool process, a main process, two whole workers (main and pool)
ARRIVAL_S = 0.5
WAIT_S = 600.0


def small_archive() -> list:
    """Stories with their origin and derivatives, and unrelated reports, in arrival order."""
    corpus = Corpus(200, SEED)
    origins = [i for i in range(len(corpus)) if corpus.role(i) == "origin"][:STORIES]
    chosen = set(origins) | {i for i in range(len(corpus)) if corpus.origin_of[i] in origins}
    unrelated = [i for i in range(len(corpus)) if corpus.role(i) == "unrelated"]
    chosen |= set(unrelated[: ARTICLES - len(chosen)])
    return [corpus.article(i) for i in sorted(chosen)]


class KilledWorkers:
    """Two worker slots for ``soak.kill_now``: the main processes, and a new worker in place of a killed one (started
    without waiting for it, as the benchmark does, so articles keep arriving meanwhile)."""

    def __init__(self, start, **env: str) -> None:
        self.start, self.env, self.count = start, env, 0
        self.workers: list[Worker] = [self._new(slot, wait=True) for slot in range(2)]

    def _new(self, slot: int, *, wait: bool) -> Worker:
        self.count += 1
        return self.start(f"soak{slot}-{self.count}", wait=wait, **self.env)

    @property
    def slots(self):
        return [worker.process for worker in self.workers]

    def replace(self, slot: int) -> None:
        self.workers[slot] = self._new(slot, wait=False)


def test_jobs_end_done_with_an_undisturbed_run_s_rows_after_repeated_worker_kills(celery_on_redis):
    archive = small_archive()
    assert len(archive) == ARTICLES
    stored = soak.ingest(archive)
    requests = [soak.job_request(a, stored) for a in archive]

    # Undisturbed: the same jobs one after the other, in this process.
    for request in requests:
        job = TraceJob.objects.create(origin=request["origin"])
        job.articles.set(request["articles"])
        assert run_trace_job.apply(args=[job.pk]).get() == "done"
    undisturbed = soak.fingerprint()
    assert undisturbed["links"] and undisturbed["divergences"], "nothing traced: the comparison would prove nothing"
    traces_forget()

    workers = KilledWorkers(celery_on_redis)
    plan = soak.kill_plan(len(requests), KILLS, KILL_SEED)
    run = soak.drive(workers=workers, requests=requests, plan=plan, timeout_s=WAIT_S, arrival_s=ARRIVAL_S)

    figures = soak.job_figures(run.job_ids)
    # On a loaded machine the jobs can all finish before the last planned kill comes due; the promise needs at least
    # one kill that interrupted a job (retried below), not the whole plan.
    assert 1 <= len(run.kills) <= KILLS, run.kills
    assert (figures["done"], figures["failed"], figures["lost"]) == (len(requests), 0, 0), figures
    assert figures["retried"] >= 1, f"no kill interrupted a job, so nothing was proven: {run.kills}"
    assert soak.fingerprint_diff(undisturbed, soak.fingerprint()) == []
