"""The candidate index every worker shares, kept compact in the database (PostgreSQL in production).

The engine's index (workbench.engine.index) signs an article's sentences and ranks archived articles by the sentences
they share bands with; this module keeps the postings (band key -> article entry, sentence) where every worker reads
them and they survive restarts. It is log-structured, like the engine's in-memory store: an arriving article's
postings go to ``CandidatePending`` (a row each, found by their key index); once there are PENDING_POSTINGS of them
they are sorted into a ``CandidateRun`` of ``CandidateBlock`` rows, each holding the postings whose keys share their
top bits, packed; FANOUT runs of one level are merged into one of the next. A lookup reads, for each wanted key, one
block of each run and the pending rows. ``article_index`` is called as articles arrive (idempotent: an unchanged
version is not signed twice; a new version gets a new ``CandidateEntry`` and the old one's postings stop counting);
``candidates_rebuild`` recomputes everything from the newest versions. ``article_candidates`` ranks likely origins.
"""

from __future__ import annotations

import math
import multiprocessing
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
import psycopg
from django.db import connection, transaction
from django.db.models import Count

from workbench.core.tasks import task_send
from workbench.engine.index import (
    CANDIDATES_K,
    MAX_BUCKET,
    SIGN_BATCH,
    SIGNATURE_VERSION,
    TERM_MAX_BUCKET,
    TERMS_K,
    Candidate,
    Signed,
    rank,
    rank_terms,
    sign,
    sign_many,
)
from workbench.provenance.models import (
    CandidateBlock,
    CandidateCrowdedKey,
    CandidateEntry,
    CandidatePending,
    CandidateRun,
)
from workbench.provenance.selectors import latest_versions
from workbench.sources.models import Article, ArticleVersion

COMPACT_TASK = "provenance.candidates_compact"
REBUILD_BATCH = 500
REBUILD_RUN_ARTICLES = 20_000  # the rebuild writes a run every this many articles
PENDING_POSTINGS = 500_000  # pending postings (about 900 articles) that make a run
FANOUT = 8  # runs of one level merged into one of the next
# A key more postings than this hold is read by no lookup (each skips keys beyond its bucket limit, at most this).
CROWDED_POSTINGS = TERM_MAX_BUCKET
BLOCK_POSTINGS = 32  # postings a block holds, about
MERGE_SLICE_POSTINGS = 4_000_000  # a merge holds this many postings in memory at a time
# A posting in a block: key, entry id, sentence number.
POSTING = np.dtype([("key", "<i8"), ("entry", "<u4"), ("sentence", "<u2")])
_COMPACT_LOCK = 0x43414E44  # the advisory lock compaction and the rebuild hold on PostgreSQL
_EMPTY = np.empty(0, dtype=POSTING)


def _bucket_bits(postings: int) -> int:
    """Bits of the key that name a block, so a block holds about BLOCK_POSTINGS postings (at least 8 bits, so every
    merge slice is a whole number of blocks; at most 31, a block number fits an integer column)."""
    return min(31, max(8, round(math.log2(max(postings, 1) / BLOCK_POSTINGS))))


def _level(postings: int) -> int:
    return max(0, math.floor(math.log(max(postings, 1) / PENDING_POSTINGS, FANOUT) + 1e-9))


def _records(keys: np.ndarray, entries: np.ndarray, sentences: np.ndarray) -> np.ndarray:
    if len(entries) and int(np.max(entries)) >= 1 << 32:
        raise OverflowError("candidate entry ids beyond 2**32 do not fit a block; rebuild the index to renumber them")
    out = np.empty(len(keys), dtype=POSTING)
    out["key"], out["entry"], out["sentence"] = keys, entries, sentences
    return out


def _uncrowded(postings: np.ndarray) -> np.ndarray:
    """``postings`` (sorted by key) without those of crowded keys: keys already recorded as crowded, and keys more
    than CROWDED_POSTINGS of these postings hold, which are recorded now."""
    if not len(postings):
        return postings
    keys, counts = np.unique(postings["key"], return_counts=True)
    crowded = keys[counts > CROWDED_POSTINGS]
    if len(crowded):
        CandidateCrowdedKey.objects.bulk_create(
            [CandidateCrowdedKey(key=int(k)) for k in crowded], ignore_conflicts=True, batch_size=5000
        )
    # Few keys are crowded (at most one a CROWDED_POSTINGS postings), so all of them are read.
    known = np.fromiter(CandidateCrowdedKey.objects.values_list("key", flat=True), dtype=np.int64)
    return postings[~np.isin(postings["key"], np.concatenate([crowded, known]))]


def _run_write(postings: np.ndarray, *, level: int | None = None) -> CandidateRun | None:
    """A new run holding ``postings`` (POSTING records, any order), crowded keys left out. None when there are
    none."""
    postings = _uncrowded(postings[np.argsort(np.ascontiguousarray(postings["key"]))]) if len(postings) else postings
    if not len(postings):
        return None
    bits = _bucket_bits(len(postings))
    run = CandidateRun.objects.create(
        level=_level(len(postings)) if level is None else level, bucket_bits=bits, postings=len(postings)
    )
    _blocks_write(run, postings)
    return run


def _blocks_write(run: CandidateRun, postings: np.ndarray) -> None:
    """Blocks of ``run`` for ``postings`` (sorted by key)."""
    buckets = postings["key"] >> (64 - run.bucket_bits)
    cuts = np.flatnonzero(np.diff(buckets)) + 1
    starts = np.concatenate(([0], cuts))
    ends = np.concatenate((cuts, [len(postings)]))
    raw = postings.tobytes()
    size = POSTING.itemsize
    rows = (
        (run.pk, int(buckets[a]), raw[a * size : b * size]) for a, b in zip(starts.tolist(), ends.tolist(), strict=True)
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            table = CandidateBlock._meta.db_table
            with cursor.cursor.copy(f"COPY {table} (run_id, bucket, postings) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(["int8", "int4", "bytea"])
                for row in rows:
                    copy.write_row(row)
        return
    CandidateBlock.objects.bulk_create(
        [CandidateBlock(run_id=r, bucket=bucket, postings=data) for r, bucket, data in rows], batch_size=2000
    )


def _live(postings: np.ndarray) -> np.ndarray:
    """The postings whose entries still exist (an entry replaced by a new version, or deleted, no longer counts)."""
    if not len(postings):
        return postings
    entries = np.unique(postings["entry"])
    live = np.fromiter(
        CandidateEntry.objects.filter(pk__in=entries.tolist()).values_list("pk", flat=True), dtype=np.int64
    )
    return postings[np.isin(postings["entry"], live)]


def _runs_merge() -> int:
    """While FANOUT runs share a level, merge the oldest FANOUT of them into one (dropping postings of entries that
    are gone), a slice of the key space at a time. Returns the number of merges. Call holding the compaction lock,
    inside a transaction."""
    merges = 0
    while True:
        level = (
            CandidateRun.objects.values("level")
            .annotate(n=Count("id"))
            .filter(n__gte=FANOUT)
            .order_by("level")
            .values_list("level", flat=True)
            .first()
        )
        if level is None:
            return merges
        inputs = list(CandidateRun.objects.filter(level=level).order_by("pk")[:FANOUT])
        total = sum(r.postings for r in inputs)
        slice_bits = min(min(r.bucket_bits for r in inputs), max(0, math.ceil(math.log2(total / MERGE_SLICE_POSTINGS))))
        bits = _bucket_bits(total)
        out = CandidateRun.objects.create(level=max(level + 1, _level(total)), bucket_bits=bits, postings=0)
        written = 0
        half = (1 << slice_bits) // 2
        for s in range(-half, half) if slice_bits else [0]:
            parts = []
            for run in inputs:
                shift = run.bucket_bits - slice_bits
                blocks = CandidateBlock.objects.filter(run=run)
                if slice_bits:
                    blocks = blocks.filter(bucket__gte=s << shift, bucket__lt=(s + 1) << shift)
                parts.extend(bytes(b) for b in blocks.values_list("postings", flat=True))
            postings = _live(np.frombuffer(b"".join(parts), dtype=POSTING))
            postings = _uncrowded(postings[np.argsort(np.ascontiguousarray(postings["key"]))])
            _blocks_write(out, postings)
            written += len(postings)
        out.postings = written
        out.save(update_fields=["postings"])
        CandidateBlock.objects.filter(run__in=inputs).delete()
        CandidateRun.objects.filter(pk__in=[r.pk for r in inputs]).delete()
        merges += 1


def _compact_lock(*, wait: bool) -> bool:
    """The transaction-scoped lock that lets one process at a time compact or rebuild (PostgreSQL; elsewhere there
    is one process)."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_COMPACT_LOCK])
            return True
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_COMPACT_LOCK])
        return bool(cursor.fetchone()[0])


def candidates_compact(*, force: bool = False) -> int:
    """Move the pending postings into runs, PENDING_POSTINGS at a time while there are that many (all of them with
    ``force``), then merge runs as FANOUT of a level accumulate. Returns the postings moved; 0 when another process
    is compacting. Lookups see each posting in one place or the other throughout (one transaction)."""
    moved = 0
    with transaction.atomic():
        if not _compact_lock(wait=force):
            return 0
        while True:
            first = CandidatePending.objects.order_by("pk").values_list("pk", flat=True).first()
            last = CandidatePending.objects.order_by("-pk").values_list("pk", flat=True).first()
            if first is None or (not force and last - first + 1 < PENDING_POSTINGS):
                break
            upto = min(last, first + PENDING_POSTINGS - 1)
            chunk = CandidatePending.objects.filter(pk__lte=upto)
            rows = np.asarray(list(chunk.values_list("key", "entry_id", "sentence")), dtype=np.int64).reshape(-1, 3)
            _run_write(_live(_records(rows[:, 0], rows[:, 1], rows[:, 2])))
            chunk.delete()
            moved += len(rows)
        _runs_merge()
    return moved


def _pending_write(entry: int, keys: np.ndarray, sentences: np.ndarray) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            table = CandidatePending._meta.db_table
            with cursor.cursor.copy(f"COPY {table} (key, entry_id, sentence) FROM STDIN") as copy:
                copy.write(
                    "".join(f"{k}\t{entry}\t{s}\n" for k, s in zip(keys.tolist(), sentences.tolist(), strict=True))
                )
        return
    CandidatePending.objects.bulk_create(
        [
            CandidatePending(key=k, entry_id=entry, sentence=s)
            for k, s in zip(keys.tolist(), sentences.tolist(), strict=True)
        ],
        batch_size=2000,
    )


def _pending_due() -> bool:
    last = CandidatePending.objects.order_by("-pk").values_list("pk", flat=True).first()
    first = CandidatePending.objects.order_by("pk").values_list("pk", flat=True).first()
    return last is not None and last - first + 1 >= PENDING_POSTINGS


# The blocks of every run that may hold the wanted keys, as one byte string of packed postings.
_NOT_CROWDED = f"NOT EXISTS (SELECT FROM {CandidateCrowdedKey._meta.db_table} AS crowded WHERE crowded.key = {{}})"
_BLOCKS_SQL = f"""
SELECT string_agg(block.postings, ''::bytea)
FROM {CandidateRun._meta.db_table} AS run
CROSS JOIN LATERAL (SELECT DISTINCT wanted.key >> (64 - run.bucket_bits) AS bucket
                    FROM unnest(%(keys)s::bigint[]) AS wanted(key)
                    WHERE {_NOT_CROWDED.format("wanted.key")}) AS needed
JOIN {CandidateBlock._meta.db_table} AS block ON block.run_id = run.id AND block.bucket = needed.bucket::integer
"""
_PENDING_SQL = f"""
SELECT array_agg(pending.key), array_agg(pending.entry_id), array_agg(pending.sentence)
FROM {CandidatePending._meta.db_table} AS pending
WHERE pending.key = ANY(%(keys)s::bigint[]) AND {_NOT_CROWDED.format("pending.key")}
"""


def _articles_of(entries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(entry ids, their article ids), sorted by entry, for those of ``entries`` that still exist."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT array_agg(id ORDER BY id), array_agg(article_id ORDER BY id) "
                f"FROM {CandidateEntry._meta.db_table} WHERE id = ANY(%s::bigint[])",
                ["{" + ",".join(map(str, entries.tolist())) + "}"],
            )
            ids, articles = cursor.fetchone()
    else:
        rows = CandidateEntry.objects.filter(pk__in=entries.tolist()).order_by("pk").values_list("pk", "article_id")
        ids, articles = [r[0] for r in rows], [r[1] for r in rows]
    return np.asarray(ids or [], dtype=np.int64), np.asarray(articles or [], dtype=np.int64)


class DatabaseBandStore:
    """The engine's BandStore protocol over the shared index; docs are article ids. ``add`` gives the doc a new entry
    (replacing any it had); ``remove`` deletes its entry. Call inside a transaction when several writes must land
    together; ``add`` may compact afterwards, which is what the caller's transaction commits with."""

    def add(self, doc: int, keys: np.ndarray, sentences: np.ndarray, *, version: ArticleVersion | None = None) -> None:
        with transaction.atomic():
            self.remove(doc)
            entry = CandidateEntry.objects.create(
                article_id=doc, version=version, signature_version=SIGNATURE_VERSION, postings=len(keys)
            )
            _pending_write(entry.pk, np.asarray(keys, np.int64), np.asarray(sentences, np.int64))

    def add_many(self, docs: Iterable[int], signed: Iterable[Signed]) -> None:
        for doc, s in zip(docs, signed, strict=True):
            self.add(doc, *s.postings())

    def remove(self, doc: int) -> None:
        old = list(CandidateEntry.objects.filter(article_id=doc).values_list("pk", flat=True))
        if old:
            CandidatePending.objects.filter(entry_id__in=old).delete()
            CandidateEntry.objects.filter(pk__in=old).delete()

    def postings(self, wanted: np.ndarray) -> np.ndarray:
        """Every stored posting (live or not) whose key is in ``wanted`` (sorted, distinct)."""
        if connection.vendor == "postgresql":
            connection.ensure_connection()
            # A cursor binding on the server, for binary results: the blocks come back as bytes, not as hexadecimal
            # text twice their size, and the arrays without parsing.
            # The keys go as one array literal: psycopg would check every int of a list on its way out.
            literal = "{" + ",".join(map(str, wanted.tolist())) + "}"
            with psycopg.Cursor(connection.connection) as cursor:
                cursor.execute(_BLOCKS_SQL, {"keys": literal}, binary=True)
                (blob,) = cursor.fetchone()
                cursor.execute(_PENDING_SQL, {"keys": literal}, binary=True)
                pending_keys, pending_entries, pending_sentences = cursor.fetchone()
        else:
            crowded = list(CandidateCrowdedKey.objects.filter(key__in=wanted.tolist()).values_list("key", flat=True))
            wanted = wanted[~np.isin(wanted, np.asarray(crowded, dtype=np.int64))]
            parts = []
            for run in CandidateRun.objects.all():
                needed = np.unique(wanted >> (64 - run.bucket_bits)).tolist()
                parts.extend(
                    bytes(p)
                    for p in CandidateBlock.objects.filter(run=run, bucket__in=needed).values_list(
                        "postings", flat=True
                    )
                )
            blob = b"".join(parts)
            rows = list(
                CandidatePending.objects.filter(key__in=wanted.tolist()).values_list("key", "entry_id", "sentence")
            )
            pending_keys = [r[0] for r in rows]
            pending_entries = [r[1] for r in rows]
            pending_sentences = [r[2] for r in rows]
        blocks = np.frombuffer(bytes(blob), dtype=POSTING) if blob else _EMPTY
        blocks = blocks[np.isin(blocks["key"], wanted)]
        pending = (
            _records(
                np.asarray(pending_keys, np.int64),
                np.asarray(pending_entries, np.int64),
                np.asarray(pending_sentences, np.int64),
            )
            if pending_keys
            else _EMPTY
        )
        return np.concatenate([blocks, pending])

    def lookup(self, keys: np.ndarray, max_bucket: int = MAX_BUCKET) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        empty = np.empty(0, np.int64)
        keys = np.asarray(keys, dtype=np.int64)
        wanted = np.unique(keys)
        if not len(wanted):
            return empty, empty, empty
        found = self.postings(wanted)
        if not len(found):
            return empty, empty, empty
        entries, articles = _articles_of(np.unique(found["entry"]))
        found = found[np.isin(found["entry"], entries)]
        held_keys, held = np.unique(found["key"], return_counts=True)
        found = found[np.isin(found["key"], held_keys[held <= max_bucket])]
        if not len(found):
            return empty, empty, empty
        docs = articles[np.searchsorted(entries, found["entry"])]
        found_keys = found["key"].astype(np.int64)
        # Every position of ``keys`` holding a posting's key gets that posting (a key can occur at several positions).
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        lo = np.searchsorted(sorted_keys, found_keys, "left")
        n = np.searchsorted(sorted_keys, found_keys, "right") - lo
        which = np.repeat(np.arange(len(found)), n)
        offsets = np.arange(len(which)) - np.repeat(np.cumsum(n) - n, n)
        return order[lo[which] + offsets], docs[which], found["sentence"].astype(np.int64)[which]


@dataclass(frozen=True)
class CandidateMatch:
    """An archived article that may be ``article``'s origin: sentence band votes (with the matched chunk pairs) or,
    for rewrites no sentence of which matched, a name/number term score."""

    article_id: int
    votes: int
    pairs: tuple[tuple[int, int], ...]
    term_score: float = 0.0


def article_index(*, article: Article, version: ArticleVersion | None = None, signed: Signed | None = None) -> bool:
    """Put ``article``'s newest version (or ``version``, with its signature ``signed`` when the caller has it) in the
    shared index; returns False when that version is already indexed with the current signature scheme
    (idempotent). A new version replaces the old one's postings. Locks the article's row, so concurrent calls for
    one article serialise. Sends the compaction task when the pending postings are due for packing."""
    version = version or latest_versions([article]).get(article.pk)
    if version is None:
        return False
    with transaction.atomic():
        Article.objects.select_for_update().filter(pk=article.pk).values_list("pk").first()
        current = CandidateEntry.objects.filter(article=article).values_list("version_id", "signature_version").first()
        if current == (version.pk, SIGNATURE_VERSION):
            return False
        signed = signed if signed is not None else sign(version.clean_text)
        DatabaseBandStore().add(article.pk, *signed.postings(), version=version)
    if _pending_due():
        # Packing is seconds of work (minutes for a deep merge): a task of its own, not this article's.
        transaction.on_commit(lambda: task_send(COMPACT_TASK))
    return True


def _newest_texts(article_ids: list[int]) -> list[tuple[int, int, str]]:
    """(article id, newest version id, its clean text) for those of ``article_ids`` that have a version, in id
    order: one query, no model objects (the rebuild reads every article)."""
    table = ArticleVersion._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT DISTINCT ON (article_id) article_id, id, clean_text FROM {table} "
                "WHERE article_id = ANY(%s) ORDER BY article_id, number DESC",
                [article_ids],
            )
            return cursor.fetchall()
    latest: dict[int, tuple[int, int, str]] = {}
    rows = ArticleVersion.objects.filter(article_id__in=article_ids).order_by("article_id", "number")
    for row in rows.values_list("article_id", "id", "clean_text"):
        latest[row[0]] = row
    return [latest[pk] for pk in sorted(latest)]


def _entries_create(rows: list[tuple[int, int, int]]) -> list[int]:
    """New entries for (article id, version id, postings) rows, with the current signature scheme; their ids."""
    if connection.vendor != "postgresql":
        created = CandidateEntry.objects.bulk_create(
            CandidateEntry(article_id=a, version_id=v, signature_version=SIGNATURE_VERSION, postings=n)
            for a, v, n in rows
        )
        return [e.pk for e in created]
    table = CandidateEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)", [len(rows)]
        )
        ids = [i for (i,) in cursor.fetchall()]
        with cursor.cursor.copy(
            f"COPY {table} (id, article_id, version_id, signature_version, postings, indexed_at) FROM STDIN"
        ) as copy:
            copy.write(
                "".join(
                    f"{i}\t{a}\t{v}\t{SIGNATURE_VERSION}\t{n}\tnow\n" for i, (a, v, n) in zip(ids, rows, strict=True)
                )
            )
    return ids


def candidates_rebuild(
    *, batch: int = REBUILD_BATCH, processes: int = 1, on_progress: Callable[[int, int], None] | None = None
) -> int:
    """Recompute the whole index from every article's newest version (after a signature change, or to recover).
    Returns the number of articles indexed. Runs in one transaction: lookups read the old index until it commits.
    ``processes`` > 1 signs in that many processes (signing is most of the work) while this one reads and writes.
    ``on_progress(indexed, total)`` is called once the articles are counted and after each batch."""
    if processes < 1:
        raise ValueError(f"processes must be at least 1, not {processes}")
    if processes == 1:
        return _rebuild(batch, lambda chunks: map(sign_many, chunks), on_progress)
    with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn")) as pool:
        return _rebuild(batch, lambda chunks: pool.map(sign_many, chunks), on_progress)


def _rebuild(batch: int, sign_chunks, on_progress: Callable[[int, int], None] | None = None) -> int:
    indexed = 0
    with transaction.atomic():
        _compact_lock(wait=True)
        CandidatePending.objects.all().delete()
        CandidateBlock.objects.all().delete()
        CandidateRun.objects.all().delete()
        CandidateCrowdedKey.objects.all().delete()
        CandidateEntry.objects.all().delete()
        ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
        if on_progress is not None:
            on_progress(0, len(ids))
        parts: list[np.ndarray] = []
        held = 0
        for lo in range(0, len(ids), batch):
            texts = _newest_texts(ids[lo : lo + batch])
            chunks = [[text for _, _, text in texts[s : s + SIGN_BATCH]] for s in range(0, len(texts), SIGN_BATCH)]
            signed = [sig for chunk in sign_chunks(chunks) for sig in chunk]
            entries = _entries_create(
                [
                    (pk, version, len(sig.keys) + len(sig.terms))
                    for (pk, version, _), sig in zip(texts, signed, strict=True)
                ]
            )
            for entry, sig in zip(entries, signed, strict=True):
                keys, sentences = sig.postings()
                parts.append(_records(keys, np.full(len(keys), entry, dtype=np.int64), sentences))
            held += len(signed)
            indexed += len(signed)
            if held >= REBUILD_RUN_ARTICLES:
                _run_write(np.concatenate(parts))
                parts, held = [], 0
            if on_progress is not None:
                on_progress(min(lo + batch, len(ids)), len(ids))
        if parts:
            _run_write(np.concatenate(parts))
        _runs_merge()
    return indexed


def text_candidates(
    *, text: str = "", signed: Signed | None = None, k: int = CANDIDATES_K, exclude: Iterable[int] = ()
) -> list[CandidateMatch]:
    """Ranked candidate origins for ``text`` (or its signature ``signed``): the ``k`` best by sentence votes, then up
    to TERMS_K more by shared rare names and numbers. Reads only; any worker, any time."""
    signed = signed if signed is not None else sign(text)
    store = DatabaseBandStore()
    exclude = list(exclude)
    out = [CandidateMatch(c.doc, c.votes, c.pairs) for c in rank(signed, store, k=k, exclude=exclude)]
    seen = {m.article_id for m in out}
    for doc, score in rank_terms(signed, store, k=TERMS_K, exclude=exclude):
        if doc not in seen:
            out.append(CandidateMatch(doc, 0, (), score))
    return out


def article_candidates(*, article: Article, k: int = CANDIDATES_K) -> list[CandidateMatch]:
    """``text_candidates`` for the article's newest version, the article itself excluded."""
    version = latest_versions([article]).get(article.pk)
    if version is None:
        return []
    return text_candidates(text=version.clean_text, k=k, exclude=[article.pk])


__all__ = [
    "Candidate",
    "CandidateMatch",
    "DatabaseBandStore",
    "article_candidates",
    "article_index",
    "candidates_compact",
    "candidates_rebuild",
    "text_candidates",
]
