"""The candidate index every worker shares: band postings in the database (PostgreSQL in production).

The engine's index (workbench.engine.index) signs an article's sentences and ranks archived articles by the sentences
they share bands with; this module keeps its postings in ``CandidateBand`` rows, so a posting written by one worker
is seen by every other, and survives restarts. ``article_index`` is called as articles arrive (idempotent: an
unchanged version is not signed twice, a new version replaces the old postings); ``candidates_rebuild`` recomputes
everything from the newest versions. ``article_candidates`` ranks likely origins for an article.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction
from django.db.models import Count

from workbench.engine.index import (
    CANDIDATES_K,
    MAX_BUCKET,
    SIGN_BATCH,
    SIGNATURE_VERSION,
    TERMS_K,
    Candidate,
    Signed,
    rank,
    rank_terms,
    sign,
    sign_many,
)
from workbench.provenance.models import CandidateBand, CandidateDoc
from workbench.provenance.selectors import latest_versions
from workbench.sources.models import Article, ArticleVersion

BULK_BATCH = 5000
REBUILD_BATCH = 500


class DatabaseBandStore:
    """The engine's BandStore protocol over ``CandidateBand`` rows. Writes on PostgreSQL go through COPY; other
    databases use bulk inserts. Call inside a transaction when several writes must land together."""

    def add(self, doc: int, keys: np.ndarray, sentences: np.ndarray) -> None:
        self._write([(doc, keys, sentences)])

    def add_many(self, docs: Iterable[int], signed: Iterable[Signed]) -> None:
        self._write([(doc, *s.postings()) for doc, s in zip(docs, signed, strict=True)])

    def _write(self, batches: list[tuple[int, np.ndarray, np.ndarray]]) -> None:
        if connection.vendor == "postgresql":
            buf = io.StringIO()
            for doc, keys, sentences in batches:
                for key, sentence in zip(keys.tolist(), sentences.tolist(), strict=True):
                    buf.write(f"{key}\t{doc}\t{sentence}\n")
            with connection.cursor() as cursor:
                table = CandidateBand._meta.db_table
                with cursor.cursor.copy(f"COPY {table} (key, article_id, sentence) FROM STDIN") as copy:
                    copy.write(buf.getvalue())
            return
        rows = [
            CandidateBand(key=key, article_id=doc, sentence=sentence)
            for doc, keys, sentences in batches
            for key, sentence in zip(keys.tolist(), sentences.tolist(), strict=True)
        ]
        CandidateBand.objects.bulk_create(rows, batch_size=BULK_BATCH)

    def remove(self, doc: int) -> None:
        CandidateBand.objects.filter(article_id=doc).delete()

    def lookup(self, keys: np.ndarray, max_bucket: int = MAX_BUCKET) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        empty = np.empty(0, np.int64)
        keys = np.asarray(keys, dtype=np.int64)
        wanted = np.unique(keys)
        if not len(wanted):
            return empty, empty, empty
        if connection.vendor == "postgresql":
            # One round trip; each key reads at most max_bucket + 1 postings from the key index (which carries them),
            # so a crowded bucket costs no more than a full one however large it grows. The postings come back as
            # three arrays, which cost the client half what thousands of rows do.
            table = CandidateBand._meta.db_table
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT array_agg(k.key), array_agg(b.article_id), array_agg(b.sentence) FROM "
                    f"unnest(%s::bigint[]) AS k(key) CROSS JOIN LATERAL "
                    f"(SELECT article_id, sentence, count(*) OVER () AS n FROM (SELECT article_id, sentence FROM "
                    f"{table} AS posting WHERE posting.key = k.key LIMIT %s) AS capped) AS b WHERE b.n <= %s",
                    [wanted.tolist(), max_bucket + 1, max_bucket],
                )
                found_keys, found_docs, found_sentences = cursor.fetchone()
            if not found_keys:
                return empty, empty, empty
            found = np.column_stack(
                [
                    np.asarray(found_keys, dtype=np.int64),
                    np.asarray(found_docs, dtype=np.int64),
                    np.asarray(found_sentences, dtype=np.int64),
                ]
            )
        else:
            crowded = (
                CandidateBand.objects.filter(key__in=wanted.tolist())
                .values("key")
                .annotate(n=Count("id"))
                .filter(n__gt=max_bucket)
                .values_list("key", flat=True)
            )
            rows = list(
                CandidateBand.objects.filter(key__in=wanted.tolist())
                .exclude(key__in=crowded)
                .values_list("key", "article_id", "sentence")
            )
            if not rows:
                return empty, empty, empty
            found = np.asarray(rows, dtype=np.int64).reshape(-1, 3)
        # Every position of ``keys`` holding a row's key gets that row (a key can occur at several positions).
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        lo = np.searchsorted(sorted_keys, found[:, 0], "left")
        n = np.searchsorted(sorted_keys, found[:, 0], "right") - lo
        which = np.repeat(np.arange(len(found)), n)
        offsets = np.arange(len(which)) - np.repeat(np.cumsum(n) - n, n)
        return order[lo[which] + offsets], found[which, 1], found[which, 2]


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
    (idempotent). Replaces an older version's postings in one transaction; locks the article's CandidateDoc row so
    concurrent calls for one article serialise."""
    version = version or latest_versions([article]).get(article.pk)
    if version is None:
        return False
    signed = signed if signed is not None else sign(version.clean_text)
    with transaction.atomic():
        doc, created = CandidateDoc.objects.select_for_update().get_or_create(
            article=article, defaults={"version": version, "signature_version": SIGNATURE_VERSION}
        )
        if not created and doc.version_id == version.pk and doc.signature_version == SIGNATURE_VERSION and doc.postings:
            return False
        store = DatabaseBandStore()
        store.remove(article.pk)
        keys, sentences = signed.postings()
        store.add(article.pk, keys, sentences)
        doc.version, doc.signature_version, doc.postings = version, SIGNATURE_VERSION, len(keys)
        doc.save(update_fields=["version", "signature_version", "postings", "indexed_at"])
    return True


def candidates_rebuild(*, batch: int = REBUILD_BATCH) -> int:
    """Recompute the whole index from every article's newest version (after a signature change, or to recover).
    Returns the number of articles indexed. Runs in one transaction: readers see the old index until it commits."""
    indexed = 0
    with transaction.atomic():
        CandidateBand.objects.all().delete()
        CandidateDoc.objects.all().delete()
        ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
        store = DatabaseBandStore()
        for lo in range(0, len(ids), batch):
            articles = list(Article.objects.filter(pk__in=ids[lo : lo + batch]).order_by("pk"))
            versions = latest_versions(articles)
            chunk = [(a.pk, versions[a.pk]) for a in articles if a.pk in versions]
            signed: list[Signed] = []
            for s in range(0, len(chunk), SIGN_BATCH):
                signed.extend(sign_many([v.clean_text for _, v in chunk[s : s + SIGN_BATCH]]))
            store.add_many([pk for pk, _ in chunk], signed)
            CandidateDoc.objects.bulk_create(
                [
                    CandidateDoc(
                        article_id=pk,
                        version=v,
                        signature_version=SIGNATURE_VERSION,
                        postings=len(sig.keys) + len(sig.terms),
                    )
                    for (pk, v), sig in zip(chunk, signed, strict=True)
                ]
            )
            indexed += len(chunk)
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


ORIGIN_MIN_VOTES = 3
ORIGIN_MIN_SHARE = 0.12
NEAR_BEST_SHARE = 0.8
ROOT_MIN_SHARE = 0.5


def origin_for(*, article: Article, signed: Signed | None = None) -> Article | None:
    """The stored article to trace ``article`` against: among candidates sharing bands with at least
    ORIGIN_MIN_VOTES sentences (and ORIGIN_MIN_SHARE of the article's signed sentences) and within NEAR_BEST_SHARE of
    the best, the earliest; if that one belongs to a story whose origin is itself a candidate with ROOT_MIN_SHARE of
    the best's votes, that origin (a derivative of a derivative is traced to the root; a story joined through a
    link that does not carry over to this article, such as a few stock phrases, is not followed). None when nothing
    qualifies (the article starts a story of its own). ``signed``: the signature of the article's newest version,
    when the caller has it. Reads only."""
    if signed is None:
        version = latest_versions([article]).get(article.pk)
        if version is None:
            return None
        signed = sign(version.clean_text)
    ranked = rank(signed, DatabaseBandStore(), k=CANDIDATES_K, exclude=[article.pk])
    if not ranked:
        return None
    floor = max(ORIGIN_MIN_VOTES, ORIGIN_MIN_SHARE * signed.signed_sentences)
    if ranked[0].votes < floor:
        return None
    near = [c.doc for c in ranked if c.votes >= max(floor, NEAR_BEST_SHARE * ranked[0].votes)]
    chosen = Article.objects.filter(pk=min(near)).select_related("story_membership__story__origin").first()
    if chosen is None:
        return None
    membership = getattr(chosen, "story_membership", None)
    qualified = {c.doc for c in ranked if c.votes >= max(floor, ROOT_MIN_SHARE * ranked[0].votes)}
    if membership is not None and membership.story.origin_id != article.pk and membership.story.origin_id in qualified:
        return membership.story.origin
    return chosen


__all__ = [
    "Candidate",
    "CandidateMatch",
    "DatabaseBandStore",
    "article_candidates",
    "article_index",
    "candidates_rebuild",
    "origin_for",
    "text_candidates",
]
