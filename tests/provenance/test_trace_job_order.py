"""Trace jobs that share an article leave the same rows whichever finishes last: an origin's own job that runs late
(its worker was killed and the job re-armed) must not turn the origin of a stored story back into an unrelated
article with unsourced claims."""

from __future__ import annotations

import pytest

from benchmarks.soak import fingerprint
from tests.provenance.test_tasks import ingest_all
from workbench.claims.models import Claim, Label
from workbench.provenance.models import Divergence, ProvenanceLink, Story, StoryMembership, TraceJob
from workbench.provenance.services import tracing
from workbench.provenance.tasks import run_trace_job


@pytest.fixture
def origin_and_derivative(seed_paths, db):
    """The Bloomberg origin (001) and one of its rewrites (000)."""
    by_name = {path.name[:3]: path for path in seed_paths}
    origin, derivative = ingest_all([by_name["001"], by_name["000"]])
    return origin, derivative


def run_job(articles, origin=None) -> None:
    job = TraceJob.objects.create(origin=origin)
    job.articles.set(articles)
    assert run_trace_job.apply(args=[job.pk]).get() == "done"


def traces_forget() -> None:
    """Back to ingested but never traced."""
    Divergence.objects.all().delete()
    ProvenanceLink.objects.all().delete()
    StoryMembership.objects.all().delete()
    Story.objects.all().delete()
    Claim.objects.update(label="", label_score=None, traced_at=None)


def arrival_order_rows(origin, derivative) -> dict:
    """The rows when the origin's job (alone) ends before its derivative's job (with the origin)."""
    run_job([origin])
    run_job([derivative, origin], origin)
    rows = fingerprint()
    traces_forget()
    return rows


def test_an_origin_s_own_job_ending_after_its_derivative_s_leaves_the_same_rows(origin_and_derivative):
    origin, derivative = origin_and_derivative
    expected = arrival_order_rows(origin, derivative)
    assert StoryMembership.objects.count() == 0

    run_job([derivative, origin], origin)
    run_job([origin])  # late: re-armed after its worker died

    assert fingerprint() == expected
    assert StoryMembership.objects.get(article=origin).role == StoryMembership.Role.ORIGIN
    assert set(Claim.objects.filter(version__article=origin).values_list("label", flat=True)) <= {
        Label.ORIGIN,
        Label.BOILERPLATE,
    }


def test_a_story_stored_while_a_job_traces_is_seen_before_that_job_writes(origin_and_derivative, monkeypatch):
    origin, derivative = origin_and_derivative
    expected = arrival_order_rows(origin, derivative)
    engine = tracing.trace_articles
    interleaved = []

    def derivative_job_commits_meanwhile(inputs, **kwargs):
        traces = engine(inputs, **kwargs)
        if not interleaved:
            interleaved.append(True)
            run_job([derivative, origin], origin)  # another worker's job, stored while this one was tracing
        return traces

    monkeypatch.setattr(tracing, "trace_articles", derivative_job_commits_meanwhile)
    run_job([origin])

    assert interleaved
    assert fingerprint() == expected
