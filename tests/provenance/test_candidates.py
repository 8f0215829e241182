"""The shared candidate index in the database: true origins found, incremental writes equal a rebuild."""

from __future__ import annotations

import io
import threading

import pytest
from django.core.management import call_command
from django.db import connection

from benchmarks.corpus import Corpus
from tests.factories import ArticleFactory, ArticleVersionFactory
from tests.pseudo_terminal import PseudoTerminal, bar_counts
from workbench.engine.index import CandidateIndex, sign
from workbench.provenance.candidates import article_candidates, article_index, candidates_rebuild, text_candidates
from workbench.provenance.models import CandidateBlock, CandidateEntry, CandidatePending, CandidateRun

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
    """Every live posting as (key, article id, sentence), wherever it is stored: pending or packed in a run."""
    import numpy as np

    from workbench.provenance.candidates import POSTING

    article_of = dict(CandidateEntry.objects.values_list("pk", "article_id"))
    rows = [
        (key, entry, sentence)
        for key, entry, sentence in CandidatePending.objects.values_list("key", "entry_id", "sentence")
    ]
    for blob in CandidateBlock.objects.values_list("postings", flat=True):
        rows.extend(np.frombuffer(bytes(blob), dtype=POSTING).tolist())
    return {
        (int(key), article_of[int(entry)], int(sentence)) for key, entry, sentence in rows if int(entry) in article_of
    }


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
    entry = CandidateEntry.objects.get(article=article)
    assert entry.version.number == 2 and entry.postings == len(after)


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
    assert CandidateEntry.objects.count() == 40
    memory = CandidateIndex()
    memory.add_many((str(a.pk), a.versions.order_by("-number").first().clean_text) for a in stored.values())
    for j, expected in answers.items():
        assert [(m.article_id, m.votes, m.pairs) for m in text_candidates(text=corpus.query(j).text)] == expected
        in_memory = [(int(key), c.votes, c.pairs) for key, c in memory.candidates(corpus.query(j).text)]
        assert in_memory == [e for e in expected if e[1] > 0]


def test_the_rebuild_command_reports_what_it_indexed(corpus, capsys):
    _store(corpus, range(5))
    call_command("candidates_rebuild")
    captured = capsys.readouterr()
    assert "indexed 5 articles" in captured.out
    assert captured.err == ""  # no terminal, no progress bar
    assert CandidateEntry.objects.count() == 5


def test_on_a_terminal_the_rebuild_shows_its_articles_batch_by_batch(corpus):
    _store(corpus, range(12))
    with PseudoTerminal() as terminal:
        call_command("candidates_rebuild", "--batch", "5", stdout=io.StringIO(), stderr=terminal.stream)
    counts = bar_counts(terminal.text, "index articles")
    assert counts[0] in {"0/?", "0/12"} and counts[-1] == "12/12"
    assert set(counts) <= {"0/?", "0/12", "5/12", "10/12", "12/12"}


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
    from workbench.provenance import services
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
    assert services.origin_detect(article=membership.article) == origin_article
    assert CandidateEntry.objects.count() == 3


def test_story_detection_asks_the_index_and_the_engine_decides(seed_paths):
    from workbench.provenance import services
    from workbench.provenance.models import Story, StoryMembership
    from workbench.sources.services import article_ingest_file

    by_prefix = {p.name[:3]: p for p in seed_paths}
    stored = [article_ingest_file(path=by_prefix[n]).article for n in ("001", "002", "004")]
    services.articles_trace(articles=stored)
    story = Story.objects.get(origin=stored[0])
    assert CandidateEntry.objects.filter(article__in=stored).count() == 3
    derivative = article_ingest_file(path=by_prefix["000"]).article
    interview = article_ingest_file(path=by_prefix["003"]).article

    assert services.story_detect(article=derivative) == story
    # The index proposes the truce story for the interview (shared names), and the engine turns it down.
    proposed = {m.article_id for m in article_candidates(article=interview)}
    assert proposed & set(StoryMembership.objects.filter(story=story).values_list("article_id", flat=True))
    assert services.story_detect(article=interview) is None
    # Stories are found through the index alone: without the stored articles' postings there is nothing to find.
    CandidateEntry.objects.exclude(article=derivative).delete()
    assert services.story_detect(article=derivative) is None


def test_the_arrival_task_runs_the_trace_job_itself_without_sending_it(corpus, django_capture_on_commit_callbacks):
    from workbench.provenance.models import StoryMembership, TraceJob, TraceJobEvent
    from workbench.provenance.tasks import ingest_index_trace

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
    from workbench.provenance import services
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

    assert services.origin_detect(article=stored[i]) == stored[o]


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


@pytest.mark.parametrize(("pending_postings", "fanout"), [(900, 2), (4000, 3)])
def test_packed_runs_and_their_merges_answer_as_the_pending_postings_did(corpus, monkeypatch, pending_postings, fanout):
    from workbench.provenance import candidates

    stored = _store(corpus, range(40))
    for article in stored.values():
        article_index(article=article)
    ArticleVersionFactory(article=stored[5], number=2, clean_text=corpus.query(2).text)
    article_index(article=stored[5])
    stored[7].delete()
    pending = _rows()
    answers = {
        j: [(m.article_id, m.votes, m.pairs) for m in text_candidates(text=corpus.query(j).text)] for j in range(8)
    }
    assert CandidateRun.objects.count() == 0

    monkeypatch.setattr(candidates, "PENDING_POSTINGS", pending_postings)
    monkeypatch.setattr(candidates, "FANOUT", fanout)
    moved = candidates.candidates_compact()

    assert moved >= pending_postings
    assert CandidatePending.objects.count() < pending_postings
    assert CandidateRun.objects.exists()
    levels = list(CandidateRun.objects.values_list("level", flat=True))
    assert all(levels.count(level) < fanout for level in levels)
    assert _rows() == pending
    for j, expected in answers.items():
        assert [(m.article_id, m.votes, m.pairs) for m in text_candidates(text=corpus.query(j).text)] == expected
    # A replaced version's and a deleted article's postings were dropped when packed, not just hidden.
    packed = sum(
        len(bytes(blob)) // candidates.POSTING.itemsize
        for blob in CandidateBlock.objects.values_list("postings", flat=True)
    )
    assert packed + CandidatePending.objects.count() == len(pending)


def test_an_article_indexed_when_enough_postings_wait_packs_them(
    corpus, monkeypatch, django_capture_on_commit_callbacks
):
    from workbench.provenance import candidates

    stored = _store(corpus, range(6))
    monkeypatch.setattr(candidates, "PENDING_POSTINGS", 2000)
    with django_capture_on_commit_callbacks(execute=True):
        for article in list(stored.values())[:3]:
            article_index(article=article)
    assert CandidateRun.objects.count() == 0 and CandidatePending.objects.count() < 2000
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for article in list(stored.values())[3:]:
            article_index(article=article)
    assert callbacks
    assert CandidateRun.objects.count() >= 1
    assert CandidatePending.objects.count() < 2000
    assert {article for _, article, _ in _rows()} == {a.pk for a in stored.values()}


def test_the_rebuild_command_packs_what_an_older_index_left_pending(corpus, capsys):
    stored = _store(corpus, range(5))
    for article in stored.values():
        article_index(article=article)
    before = _rows()
    assert CandidatePending.objects.count() == len(before)
    call_command("candidates_rebuild", "--compact")
    assert f"packed {len(before)} pending postings" in capsys.readouterr().out
    assert CandidatePending.objects.count() == 0
    assert _rows() == before


@pytest.mark.django_db(transaction=True)
def test_migrating_an_older_index_keeps_every_article_postings(corpus):
    from django.db.migrations.executor import MigrationExecutor

    before, after = "0009_story_origin_reasons_and_parent", "0010_candidate_index_in_packed_runs"
    executor = MigrationExecutor(connection)
    executor.migrate([("provenance", before)])
    old = executor.loader.project_state([("provenance", before)]).apps
    CandidateDoc, CandidateBand = (
        old.get_model("provenance", "CandidateDoc"),
        old.get_model("provenance", "CandidateBand"),
    )
    derivative = next(i for i in range(SIZE) if corpus.article(i).origin_position is not None)
    origin = corpus.article(derivative).origin_position
    stored = _store(corpus, sorted({0, 1, 2, origin, derivative}))
    expected = set()
    for article in stored.values():
        version = article.versions.get()
        keys, sentences = sign(version.clean_text).postings()
        CandidateDoc.objects.create(
            article_id=article.pk, version_id=version.pk, signature_version=2, postings=len(keys)
        )
        CandidateBand.objects.bulk_create(
            CandidateBand(key=k, article_id=article.pk, sentence=s)
            for k, s in zip(keys.tolist(), sentences.tolist(), strict=True)
        )
        expected |= {(k, article.pk, s) for k, s in zip(keys.tolist(), sentences.tolist(), strict=True)}

    executor = MigrationExecutor(connection)
    executor.migrate([("provenance", after)])

    assert _rows() == expected
    assert set(CandidateEntry.objects.values_list("article_id", flat=True)) == {a.pk for a in stored.values()}
    assert stored[origin].pk in [m.article_id for m in article_candidates(article=stored[derivative])]


def test_packing_drops_a_key_more_postings_hold_than_any_lookup_reads_and_lookups_skip_it(monkeypatch):
    import numpy as np

    from workbench.provenance import candidates
    from workbench.provenance.models import CandidateCrowdedKey

    articles = [ArticleFactory() for _ in range(5)]
    store = candidates.DatabaseBandStore()
    stock, rare = 77, 88
    for n, article in enumerate(articles):
        store.add(
            article.pk, np.array([stock] + ([rare] if n < 2 else []), np.int64), np.array([n, n][: 2 if n < 2 else 1])
        )
    monkeypatch.setattr(candidates, "CROWDED_POSTINGS", 4)

    candidates.candidates_compact(force=True)

    assert list(CandidateCrowdedKey.objects.values_list("key", flat=True)) == [stock]
    assert {key for key, _, _ in _rows()} == {rare}
    pos, docs, _ = store.lookup(np.array([stock, rare], np.int64), max_bucket=10)
    assert sorted(docs.tolist()) == sorted(a.pk for a in articles[:2]) and set(pos.tolist()) == {1}
    # Arriving postings of a crowded key are skipped while pending, and dropped when packed.
    late = ArticleFactory()
    store.add(late.pk, np.array([stock, rare], np.int64), np.array([0, 0]))
    pos, docs, _ = store.lookup(np.array([stock, rare], np.int64), max_bucket=10)
    assert set(pos.tolist()) == {1} and late.pk in docs.tolist()
    candidates.candidates_compact(force=True)
    assert {key for key, _, _ in _rows()} == {rare}


def test_a_rebuild_signing_in_two_processes_stores_what_one_process_does(corpus, capsys):
    from django.core.management.base import CommandError

    _store(corpus, range(30))
    assert candidates_rebuild() == 30
    one = _rows()
    assert candidates_rebuild(processes=2, batch=7) == 30
    assert _rows() == one
    with pytest.raises(CommandError, match="--processes must be at least 1"):
        call_command("candidates_rebuild", "--processes", "0")
    assert _rows() == one
