"""The shared candidate index in the database: true origins found, incremental writes equal a rebuild."""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django.db import connection

from benchmarks.corpus import Corpus
from tests.factories import ArticleFactory, ArticleVersionFactory
from workbench.engine.index import CandidateIndex, sign
from workbench.provenance.candidates import article_candidates, article_index, candidates_rebuild, text_candidates
from workbench.provenance.models import CandidateBand, CandidateDoc

SIZE = 90

pytestmark = pytest.mark.django_db


def _store(corpus: Corpus, positions) -> dict[int, object]:
    """Archive articles as rows; returns position -> Article."""
    out = {}
    for i in positions:
        a = corpus.article(i)
        article = ArticleFactory(headline=a.headline)
        ArticleVersionFactory(article=article, number=1, clean_text=a.text)
        out[i] = article
    return out


def _rows() -> set[tuple[int, int, int]]:
    return set(CandidateBand.objects.values_list("key", "article_id", "sentence"))


@pytest.fixture
def corpus() -> Corpus:
    return Corpus(SIZE, seed=21)


def test_indexed_derivatives_find_their_true_origin(corpus):
    stored = _store(corpus, range(SIZE))
    for article in stored.values():
        assert article_index(article=article) is True
    derivatives = [i for i in range(SIZE) if corpus.article(i).origin_position is not None]
    assert len(derivatives) >= 8
    for i in derivatives:
        origin = stored[corpus.article(i).origin_position]
        found = [m.article_id for m in article_candidates(article=stored[i])]
        assert origin.pk in found, (i, corpus.article(i).edits)
        assert stored[i].pk not in found


def test_indexing_again_is_a_no_op_and_a_new_version_replaces_the_postings(corpus):
    stored = _store(corpus, range(10))
    article = stored[3]
    assert article_index(article=article) is True
    before = _rows()
    assert before and article_index(article=article) is False
    assert _rows() == before
    new_text = corpus.query(1).text
    ArticleVersionFactory(article=article, number=2, clean_text=new_text)
    assert article_index(article=article) is True
    after = {r for r in _rows() if r[1] == article.pk}
    keys, sentences = sign(new_text).postings()
    assert after == {(k, article.pk, s) for k, s in zip(keys.tolist(), sentences.tolist(), strict=True)}
    assert {r for r in _rows() if r[1] != article.pk} == {r for r in before if r[1] != article.pk}
    doc = CandidateDoc.objects.get(article=article)
    assert doc.version.number == 2 and doc.postings == len(after)


def test_incremental_indexing_equals_a_rebuild_and_the_memory_index(corpus):
    stored = _store(corpus, range(40))
    for article in stored.values():
        article_index(article=article)
    ArticleVersionFactory(article=stored[5], number=2, clean_text=corpus.query(2).text)
    article_index(article=stored[5])
    incremental = _rows()
    answers = {
        j: [(m.article_id, m.votes, m.pairs) for m in text_candidates(text=corpus.query(j).text)] for j in range(8)
    }

    assert candidates_rebuild(batch=7) == 40
    assert _rows() == incremental
    assert CandidateDoc.objects.count() == 40
    memory = CandidateIndex()
    memory.add_many((str(a.pk), a.versions.order_by("-number").first().clean_text) for a in stored.values())
    for j, expected in answers.items():
        assert [(m.article_id, m.votes, m.pairs) for m in text_candidates(text=corpus.query(j).text)] == expected
        in_memory = [(int(key), c.votes, c.pairs) for key, c in memory.candidates(corpus.query(j).text)]
        assert in_memory == [e for e in expected if e[1] > 0]


def test_the_rebuild_command_reports_what_it_indexed(corpus, capsys):
    _store(corpus, range(5))
    call_command("candidates_rebuild")
    assert "indexed 5 articles" in capsys.readouterr().out
    assert CandidateDoc.objects.count() == 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postings_written_by_one_connection_are_read_by_another(corpus):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    stored = _store(corpus, range(SIZE))
    origin_pos = next(i for i in range(SIZE) if corpus.article(i).origin_position is not None)
    origin_pos = corpus.article(origin_pos).origin_position
    found: list[list[int]] = []

    def writer():
        try:
            for article in stored.values():
                article_index(article=article)
        finally:
            connection.close()

    def reader():
        try:
            text = (
                corpus.query(0).text
                if corpus.query(0).origin_position == origin_pos
                else corpus.article(origin_pos).text
            )
            found.append([m.article_id for m in text_candidates(text=text)])
        finally:
            connection.close()

    t = threading.Thread(target=writer)
    t.start()
    t.join()
    r = threading.Thread(target=reader)
    r.start()
    r.join()
    assert stored[origin_pos].pk in found[0]


def test_an_arriving_derivative_is_queued_and_traced_with_its_origin(corpus, django_capture_on_commit_callbacks):
    from workbench.provenance.candidates import origin_for
    from workbench.provenance.models import StoryMembership, TraceJob
    from workbench.provenance.services import trace_job_create_indexed

    i = next(
        i
        for i in range(SIZE)
        if corpus.article(i).origin_position is not None and "rewrite" not in corpus.article(i).edits
    )
    derivative = corpus.article(i)
    origin = corpus.article(derivative.origin_position)
    unrelated = corpus.article(next(j for j in range(SIZE) if corpus.role(j) == "unrelated"))
    with django_capture_on_commit_callbacks(execute=True):
        first = trace_job_create_indexed(content=origin.text, ingest_key="o", headline=origin.headline)
        other = trace_job_create_indexed(content=unrelated.text, ingest_key="u", headline=unrelated.headline)
        job = trace_job_create_indexed(content=derivative.text, ingest_key="d", headline=derivative.headline)
    origin_article = first.articles.get()
    assert other.origin is None and first.origin is None
    assert job.origin == origin_article
    assert set(job.articles.values_list("ingest_key", flat=True)) == {"o", "d"}
    assert TraceJob.objects.filter(state="done").count() == 3
    membership = StoryMembership.objects.get(article__ingest_key="d")
    assert membership.role == "derivative" and membership.story.origin == origin_article
    assert origin_for(article=membership.article) == origin_article
    assert CandidateDoc.objects.count() == 3


def test_story_detection_asks_the_index_and_the_engine_decides(seed_paths):
    from workbench.provenance import services
    from workbench.provenance.models import Story, StoryMembership
    from workbench.sources.services import article_ingest_file

    by_prefix = {p.name[:3]: p for p in seed_paths}
    stored = [article_ingest_file(path=by_prefix[n]).article for n in ("001", "002", "004")]
    services.articles_trace(articles=stored)
    story = Story.objects.get(origin=stored[0])
    assert CandidateDoc.objects.filter(article__in=stored).count() == 3
    derivative = article_ingest_file(path=by_prefix["000"]).article
    interview = article_ingest_file(path=by_prefix["003"]).article

    assert services.story_detect(article=derivative) == story
    # The index proposes the truce story for the interview (shared names), and the engine turns it down.
    proposed = {m.article_id for m in article_candidates(article=interview)}
    assert proposed & set(StoryMembership.objects.filter(story=story).values_list("article_id", flat=True))
    assert services.story_detect(article=interview) is None
    # Stories are found through the index alone: without the stored articles' postings there is nothing to find.
    CandidateBand.objects.exclude(article=derivative).delete()
    assert services.story_detect(article=derivative) is None


def test_the_arrival_task_runs_the_trace_job_itself_without_sending_it(corpus, django_capture_on_commit_callbacks):
    from workbench.provenance.candidate_tasks import ingest_index_trace
    from workbench.provenance.models import StoryMembership, TraceJob, TraceJobEvent

    i = next(
        i
        for i in range(SIZE)
        if corpus.article(i).origin_position is not None and "rewrite" not in corpus.article(i).edits
    )
    derivative, origin = corpus.article(i), corpus.article(corpus.article(i).origin_position)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        for key, a in (("o", origin), ("d", derivative)):
            ingest_index_trace.apply(args=[a.text, key, a.outlet, a.headline]).get()
    assert callbacks == []
    jobs = list(TraceJob.objects.order_by("pk"))
    assert [job.state for job in jobs] == ["done", "done"]
    assert [e.kind for e in TraceJobEvent.objects.filter(job=jobs[1])] == ["queued", "claimed", "done"]
    membership = StoryMembership.objects.get(article__ingest_key="d")
    assert membership.role == "derivative" and membership.story.origin.ingest_key == "o"


def test_the_origin_lookup_does_not_follow_a_story_link_the_article_does_not_share(corpus):
    """An origin stored as a derivative of another story (linked by a few shared stock phrases, say) is not swapped
    for that story's origin when the article shares next to nothing with it."""
    from workbench.provenance.candidates import origin_for
    from workbench.provenance.models import Story, StoryMembership

    i = next(
        i
        for i in range(SIZE)
        if corpus.article(i).origin_position is not None and set(corpus.article(i).edits) <= {"copy", "trim", "reorder"}
    )
    o = corpus.article(i).origin_position
    other = next(j for j in range(SIZE) if corpus.role(j) == "unrelated")
    stored = _store(corpus, [o, i, other])
    for article in stored.values():
        article_index(article=article)
    story = Story.objects.create(origin=stored[other])
    StoryMembership.objects.create(story=story, article=stored[other], role="origin")
    StoryMembership.objects.create(story=story, article=stored[o], role="derivative")

    assert origin_for(article=stored[i]) == stored[o]


def test_a_lookup_skips_buckets_holding_more_postings_than_the_limit():
    import numpy as np

    from workbench.provenance.candidates import DatabaseBandStore

    articles = [ArticleFactory() for _ in range(4)]
    store = DatabaseBandStore()
    crowded, full = 11, 22
    for n, article in enumerate(articles):
        store.add(
            article.pk, np.array([crowded] + ([full] if n < 3 else []), np.int64), np.array([n] * (2 if n < 3 else 1))
        )
    pos, docs, sentences = store.lookup(np.array([full, crowded, full], np.int64), max_bucket=3)
    got = sorted(zip(pos.tolist(), docs.tolist(), sentences.tolist(), strict=True))
    assert got == sorted((p, articles[n].pk, n) for p in (0, 2) for n in range(3))
