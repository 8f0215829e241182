"""Candidate retrieval before alignment: MinHash LSH over the word shingles of each sentence.

Comparing a new article with every archived one is quadratic. Instead each sentence of an archived article gets a
MinHash signature over its word shingles (content-word unigrams and bigrams), cut into bands; a band is a key in a
band store (key -> article, sentence). A new article's sentences look up their band keys, and archive articles are
ranked by how many of the new article's sentences they share a band with. Only the top few are aligned.

Signatures are stable across processes and machines (word hashes computed from the bytes alone, fixed
multiply-shift permutations), so a
store written by one worker is read by all. The store is pluggable: ``MemoryBandStore`` here (log-structured sorted
numpy segments, for benchmarks and a single process) and a PostgreSQL-backed one on the Django side.
Pure Python + numpy; nothing here imports Django.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from .lexicon import STOPWORDS

SIGNATURE_VERSION = 2
BANDS = 12
ROWS_PER_BAND = 3
HASHES = BANDS * ROWS_PER_BAND
MIN_SHINGLES = 4
SENTENCE_BITS = 12
MAX_SENTENCES = (1 << SENTENCE_BITS) - 1
TERM_SENTENCE = MAX_SENTENCES  # postings of article-level name/number terms carry this sentence number
TERM_MAX_BUCKET = 2000
TERMS_K = 5
MAX_BUCKET = 500
CANDIDATES_K = 10
SIGN_BATCH = 64

_rng = np.random.Generator(np.random.PCG64(0x5EED_1DE4))
_PERM_A = (_rng.integers(1, 2**63, size=HASHES, dtype=np.uint64) << np.uint64(1)) | np.uint64(1)
_PERM_B = _rng.integers(0, 2**63, size=HASHES, dtype=np.uint64)
_BAND_MIX = (_rng.integers(1, 2**63, size=(BANDS, ROWS_PER_BAND), dtype=np.uint64) << np.uint64(1)) | np.uint64(1)
_BAND_SALT = _rng.integers(0, 2**63, size=BANDS, dtype=np.uint64)
_BIGRAM_MIX = np.uint64(0x9E3779B97F4A7C15)
_TERM_MIX = np.uint64(0xD6E8FEB86659FD93)
_TERM_SALT = np.uint64(0x7E57AB1E5EED0001)
# Names (capitalised words) and multi-digit numbers are the words a heavy rewrite keeps (see ``_scan``).

# Sentence boundaries, on UTF-8 bytes: end punctuation (and closing quotes) before a capital or digit, or line breaks.
_BOUNDARY = re.compile(rb"[.!?](?:[\"')\]]|\xe2\x80[\x9d\x99])*[ \t]+(?=(?:[\"(\[]|\xe2\x80[\x9c\x98])?[A-Z0-9])")
_BOUNDARY_OR_LINE = re.compile(_BOUNDARY.pattern + rb"|\n")
_SEPARATOR = b"\x00"
# Typographic quotes, dashes, ellipsis and no-break space become spaces; other non-ASCII bytes stay inside words.
_PUNCT_UTF8 = (
    b"\xe2\x80\x9c",
    b"\xe2\x80\x9d",
    b"\xe2\x80\x98",
    b"\xe2\x80\x99",
    b"\xe2\x80\x93",
    b"\xe2\x80\x94",
    b"\xe2\x80\xa6",
    b"\xc2\xa0",
    b"\xc2\xab",
    b"\xc2\xbb",
)
_BYTE_TABLE = bytes(c if (48 <= c <= 57 or 97 <= c <= 122 or c == 0 or c >= 128) else 32 for c in range(256))
_PUNCT_THIRD = np.array([seq[2] for seq in _PUNCT_UTF8 if seq[:2] == b"\xe2\x80"], dtype=np.uint8)
_PUNCT_SECOND = np.array([seq[1] for seq in _PUNCT_UTF8 if seq[:1] == b"\xc2"], dtype=np.uint8)
assert len(_PUNCT_THIRD) + len(_PUNCT_SECOND) == len(_PUNCT_UTF8)
_STOPWORDS = frozenset(w.encode() for w in STOPWORDS) | {b"the", b"a", b"an", b"s"}
# Word hashes: a polynomial over the word's bytes (wrapping at 2**64), through the splitmix64 finaliser, top 32 bits
# plus one; the chunk separator hashes to 0. Computed with numpy over a whole batch, so no word is hashed in Python.
_WORD_POLY = np.uint64(0x100000001B3)
_SPACE = 32


def _marked(text: str) -> bytes:
    """``text`` as UTF-8 with a separator (``\\x00``, standing alone between spaces) between chunks."""
    raw = text.replace("\x00", " ").encode("utf-8").replace(b"\n", b" \x00 ")
    return _BOUNDARY.sub(b" \x00 ", raw)


def _mix(h: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        h = (h ^ (h >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        h = (h ^ (h >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


def _runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(starts, ends) of the maximal runs of True in ``mask``."""
    edges = np.diff(np.concatenate(([False], mask, [False])).astype(np.int8))
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)


def _span_hashes(data: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Hash of each ``data[start:end]`` (non-empty): a polynomial over its bytes (wrapping at 2**64), through the
    splitmix64 finaliser, top 32 bits plus one."""
    if not len(starts):
        return np.empty(0, np.uint64)
    lengths = ends - starts
    first = np.cumsum(lengths) - lengths
    inside = np.repeat(starts - first, lengths) + np.arange(int(lengths.sum()))
    with np.errstate(over="ignore"):
        powers = np.full(int(lengths.max()), _WORD_POLY, dtype=np.uint64)
        powers[0] = 1
        powers = np.cumprod(powers)
        weighted = (data[inside].astype(np.uint64) + np.uint64(1)) * powers[np.repeat(ends, lengths) - 1 - inside]
        return (_mix(np.add.reduceat(weighted, first)) >> np.uint64(32)) + np.uint64(1)


def _blank_punctuation(data: np.ndarray) -> None:
    """Typographic quotes, dashes, ellipsis, guillemets and no-break spaces (UTF-8 sequences) become spaces."""
    at = np.flatnonzero(data[:-2] == 0xE2)
    at = at[(data[at + 1] == 0x80) & np.isin(data[at + 2], _PUNCT_THIRD)]
    for k in range(3):
        data[at + k] = _SPACE
    at = np.flatnonzero(data[:-1] == 0xC2)
    at = at[np.isin(data[at + 1], _PUNCT_SECOND)]
    for k in range(2):
        data[at + k] = _SPACE


@dataclass(frozen=True)
class _Scan:
    """A batch of texts read for signing: every word in order (hash, the separator's 0; text number; whether it is a
    name), and each text's name and number term keys."""

    hashes: np.ndarray
    docs: np.ndarray
    names: np.ndarray
    terms: list[np.ndarray]


def _scan(texts: Sequence[str]) -> _Scan:
    """Words: runs of ASCII letters and digits and non-ASCII bytes, lower-cased. Names: words written with a capital
    then a lower-case letter, letters only, at least three, not stopwords. Numbers: runs of digits, commas and
    points from their first digit to their last, at least two characters."""
    blobs = [_marked(t) for t in texts]
    joined = b" ".join(blobs)  # the space ends each blob's last word
    sizes = np.fromiter((len(b) + 1 for b in blobs), dtype=np.int64, count=len(blobs))
    offsets = np.cumsum(sizes) - sizes
    original = np.frombuffer(joined, dtype=np.uint8)
    lowered = np.frombuffer(joined.lower().translate(_BYTE_TABLE), dtype=np.uint8).copy()
    _blank_punctuation(lowered)
    starts, ends = _runs(lowered != _SPACE)
    empty = np.empty(0, np.int64)
    if not len(starts):
        return _Scan(empty.astype(np.uint64), empty, empty.astype(bool), [empty] * len(texts))
    lengths = ends - starts
    hashes = _span_hashes(lowered, starts, ends)
    hashes[(lengths == 1) & (lowered[starts] == 0)] = 0
    docs = np.searchsorted(offsets, starts, side="right") - 1
    second = original[np.minimum(starts + 1, len(original) - 1)]
    names = (
        (lengths >= 3)
        & (original[starts] >= 65)
        & (original[starts] <= 90)
        & (((second >= 97) & (second <= 122)) | (second >= 128))
    )
    names &= _letters_only(lowered, starts, ends)
    names &= ~_is_stopword(hashes)
    number_starts, number_ends = _numbers(original)
    term_hashes = np.concatenate((hashes[names], _span_hashes(original, number_starts, number_ends)))
    term_docs = np.concatenate((docs[names], np.searchsorted(offsets, number_starts, side="right") - 1))
    with np.errstate(over="ignore"):
        keys = _mix(term_hashes * _TERM_MIX + _TERM_SALT).view(np.int64)
    order = np.lexsort((keys, term_docs))
    keys, term_docs = keys[order], term_docs[order]
    fresh = np.ones(len(keys), dtype=bool)
    fresh[1:] = (keys[1:] != keys[:-1]) | (term_docs[1:] != term_docs[:-1])
    keys, term_docs = keys[fresh], term_docs[fresh]
    cuts = np.searchsorted(term_docs, np.arange(len(texts) + 1))
    return _Scan(hashes, docs, names, [keys[cuts[i] : cuts[i + 1]].copy() for i in range(len(texts))])


def _numbers(data: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(starts, ends) of the numbers in ``data``: each run of digits, commas and points, from its first digit to its
    last, when that spans two characters or more (what ``\\d[\\d,.]*\\d`` finds)."""
    digit = (data >= 48) & (data <= 57)
    run_starts, run_ends = _runs(digit | (data == 44) | (data == 46))
    digit_at = np.flatnonzero(digit)
    if not len(digit_at):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    first = digit_at[np.minimum(np.searchsorted(digit_at, run_starts), len(digit_at) - 1)]
    last = digit_at[np.searchsorted(digit_at, run_ends) - 1]
    found = (first >= run_starts) & (first < run_ends) & (last >= run_starts) & (last < run_ends) & (last > first)
    return first[found], last[found] + 1


def _letters_only(lowered: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """For each word, whether all its bytes are letters (or non-ASCII): no digit, no separator."""
    not_letter = np.concatenate(([0], np.cumsum(lowered < 97)))
    return not_letter[ends] == not_letter[starts]


def _stopword_hashes() -> np.ndarray:
    blob = np.frombuffer(b" ".join(sorted(_STOPWORDS)), dtype=np.uint8)
    return np.unique(_span_hashes(blob, *_runs(blob != _SPACE)))


_STOP_HASHES = _stopword_hashes()
_STOP_LOW = np.zeros(1 << 16, dtype=bool)  # the low 16 bits of a stopword's hash: a cheap first test
_STOP_LOW[(_STOP_HASHES & np.uint64(0xFFFF)).astype(np.int64)] = True


def _is_stopword(hashes: np.ndarray) -> np.ndarray:
    out = _STOP_LOW[(hashes & np.uint64(0xFFFF)).astype(np.int64)]
    maybe = np.flatnonzero(out)
    at = np.minimum(np.searchsorted(_STOP_HASHES, hashes[maybe]), len(_STOP_HASHES) - 1)
    out[maybe] = _STOP_HASHES[at] == hashes[maybe]
    return out


def split_spans(text: str) -> list[tuple[int, int]]:
    """Character (start, end) of every chunk the index signs, in the numbering ``Signed.sentences`` uses
    (empty chunks included, as empty spans). Only needed to map matches onto engine sentences
    (``spans_to_sentences``)."""
    raw = text.replace("\x00", " ").encode("utf-8")
    cuts = [(m.start(), m.end()) for m in _BOUNDARY_OR_LINE.finditer(raw)]
    byte_spans = []
    pos = 0
    for a, b in cuts:
        # the end punctuation belongs to the chunk it ends
        keep = len(raw[a:b].rstrip(b" \t\r\n"))
        byte_spans.append((pos, a + keep))
        pos = b
    byte_spans.append((pos, len(raw)))
    if raw.isascii():
        return byte_spans
    char_at = {}
    for a, b in byte_spans:
        for x in (a, b):
            if x not in char_at:
                char_at[x] = len(raw[:x].decode("utf-8", errors="ignore"))
    return [(char_at[a], char_at[b]) for a, b in byte_spans]


@dataclass(frozen=True)
class Signed:
    """An article's band keys: ``keys[i]`` belongs to chunk number ``sentences[i]`` (the chunk
    ``split_spans(text)[sentences[i]]``), plus its name/number term keys."""

    keys: np.ndarray  # int64, one per (signed sentence, band)
    sentences: np.ndarray  # int64 chunk number of each key
    terms: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))  # int64 keys of distinct name terms

    def postings(self) -> tuple[np.ndarray, np.ndarray]:
        """(keys, sentences) to store: the band keys, then the term keys under TERM_SENTENCE."""
        return (
            np.concatenate([self.keys, self.terms]),
            np.concatenate([self.sentences, np.full(len(self.terms), TERM_SENTENCE, dtype=np.int64)]),
        )

    @property
    def signed_sentences(self) -> int:
        return len(self.keys) // BANDS


def _empty(terms: np.ndarray | None = None) -> Signed:
    return Signed(np.empty(0, np.int64), np.empty(0, np.int64), terms if terms is not None else np.empty(0, np.int64))


def sign(text: str) -> Signed:
    """Band keys of every chunk of ``text`` with at least MIN_SHINGLES shingles (content words and adjacent
    content-word pairs). Deterministic across processes and machines. ``split_spans``
    gives the chunk offsets on demand."""
    return sign_many([text])[0]


def _min_hash(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """(HASHES, groups): for each permutation, the minimum over each group of ``values`` (groups begin at
    ``starts``)."""
    with np.errstate(over="ignore"):
        permuted = _PERM_A[:, None] * values[None, :]
        permuted += _PERM_B[:, None]
    return np.minimum.reduceat(permuted, starts, axis=1)


def sign_many(texts: Sequence[str]) -> list[Signed]:
    """``[sign(t) for t in texts]``, with the hashing vectorised over the whole batch."""
    scan = _scan(texts)
    terms = scan.terms
    content = ~_is_stopword(scan.hashes)
    h, doc = scan.hashes[content], scan.docs[content]
    lens = np.bincount(doc, minlength=len(texts)).astype(np.int64)
    if not lens.sum():
        return [_empty(t) for t in terms]
    sep = h == 0
    cs = np.cumsum(sep)
    first = np.cumsum(lens) - lens
    base = np.zeros(len(texts), dtype=np.int64)
    nonempty = (first > 0) & (lens > 0)
    base[nonempty] = cs[first[nonempty] - 1]
    sent = cs - base[doc]
    word = ~sep & (sent < MAX_SENTENCES)
    u, gid = h[word], (doc[word] << SENTENCE_BITS) | sent[word]
    if not len(u):
        return [_empty(t) for t in terms]
    starts = np.flatnonzero(np.r_[True, gid[1:] != gid[:-1]])
    counts = np.diff(np.r_[starts, len(gid)])
    keep_group = counts * 2 - 1 >= MIN_SHINGLES
    mask = np.repeat(keep_group, counts)
    u, gid = u[mask], gid[mask]
    if not len(u):
        return [_empty(t) for t in terms]
    starts = np.flatnonzero(np.r_[True, gid[1:] != gid[:-1]])
    pair = np.flatnonzero(gid[1:] == gid[:-1])
    with np.errstate(over="ignore"):
        big = (u[pair] * _BIGRAM_MIX) ^ (u[pair + 1] + np.uint64(0x632BE59BD9B4E019))
        big_gid = gid[pair]
        big_starts = np.flatnonzero(np.r_[True, big_gid[1:] != big_gid[:-1]])
        # One row per hash function, words along the row: the minimum over a sentence's words is a contiguous scan.
        sig = _min_hash(u, starts)
        np.minimum(sig, _min_hash(big, big_starts), out=sig)
        mixed = (sig.reshape(BANDS, ROWS_PER_BAND, -1) * _BAND_MIX[:, :, None]).sum(axis=1, dtype=np.uint64)
        mixed += _BAND_SALT[:, None]
    keys = np.ascontiguousarray((mixed ^ (mixed >> np.uint64(29))).T).view(np.int64)  # (groups, BANDS)
    group = gid[starts]
    group_doc = group >> SENTENCE_BITS
    group_sent = group & MAX_SENTENCES
    cuts = np.searchsorted(group_doc, np.arange(len(texts) + 1))
    out = []
    for i in range(len(texts)):
        a, b = cuts[i], cuts[i + 1]
        out.append(Signed(keys[a:b].reshape(-1).copy(), np.repeat(group_sent[a:b], BANDS), terms[i]))
    return out


class BandStore(Protocol):
    """Where band keys live. ``doc`` is a non-negative integer id chosen by the caller (an article id)."""

    def add(self, doc: int, keys: np.ndarray, sentences: np.ndarray) -> None: ...

    def remove(self, doc: int) -> None: ...

    def lookup(self, keys: np.ndarray, max_bucket: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(position in ``keys``, doc, sentence) for every stored posting of a key whose bucket holds at most
        ``max_bucket`` postings."""
        ...


_LOW32 = np.uint64(0xFFFFFFFF)


class MemoryBandStore:
    """Band postings in process memory, for benchmarks, tests and single-process use.

    A posting is one uint64: the top 32 bits of the band key, then a row number naming (doc, sentence) in side
    arrays, so sorting the postings sorts them by key. Keeping 32 of the 64 key bits lets unrelated keys meet
    with probability postings / 2**32 per lookup key (a few stray single votes per query at a million articles);
    the PostgreSQL store keeps all 64. Postings live in sorted segments merged like a binary counter up to
    SEGMENT_MAX postings, so an add costs O(log n) re-sorting per posting and memory stays near 8 bytes per
    posting plus one merge's temporaries. Removal writes a tombstone; dead postings are dropped when merged.
    """

    MERGE_FACTOR = 2
    SEGMENT_MAX = 1 << 24

    def __init__(self) -> None:
        self._segments: list[np.ndarray] = []
        self._pending: list[np.ndarray] = []
        self._pending_n = 0
        self._row_doc = np.empty(1024, dtype=np.int64)
        self._row_sent = np.empty(1024, dtype=np.int32)
        self._rows = 0
        self._dead: set[int] = set()
        self.flush_at = 1 << 16

    def _alloc_rows(self, docs: np.ndarray, sentences: np.ndarray) -> np.ndarray:
        n = len(docs)
        need = self._rows + n
        if need >= 1 << 32:
            raise OverflowError("MemoryBandStore holds at most 2**32 postings rows")
        if need > len(self._row_doc):
            cap = max(need, 2 * len(self._row_doc))
            self._row_doc = np.resize(self._row_doc, cap)
            self._row_sent = np.resize(self._row_sent, cap)
        self._row_doc[self._rows : need] = docs
        self._row_sent[self._rows : need] = sentences
        rows = np.arange(self._rows, need, dtype=np.uint64)
        self._rows = need
        return rows

    def _packed(self, doc: int, keys: np.ndarray, sentences: np.ndarray) -> np.ndarray:
        uniq, inverse = np.unique(np.asarray(sentences, dtype=np.int64), return_inverse=True)
        rows = self._alloc_rows(np.full(len(uniq), doc, dtype=np.int64), uniq)[inverse]
        return ((np.asarray(keys, dtype=np.int64).view(np.uint64) >> np.uint64(32)) << np.uint64(32)) | rows

    def add(self, doc: int, keys: np.ndarray, sentences: np.ndarray) -> None:
        if doc in self._dead:
            raise ValueError(f"doc {doc} was removed; give the new version a new id")
        if not len(keys):
            return
        self._pending.append(self._packed(doc, keys, sentences))
        self._pending_n += len(keys)
        if self._pending_n >= self.flush_at:
            self.flush()

    def add_many(self, docs: Sequence[int], signed: Sequence[Signed]) -> None:
        docs = list(docs)
        if len(docs) != len(signed):
            raise ValueError("one signature per doc")
        dead = self._dead.intersection(docs)
        if dead:
            raise ValueError(f"doc {min(dead)} was removed; give the new version a new id")
        postings = [s.postings() for s in signed]
        counts = np.fromiter((len(k) for k, _ in postings), dtype=np.int64, count=len(postings))
        if not counts.sum():
            return
        keys = np.concatenate([k for k, _ in postings])
        which = np.repeat(np.arange(len(docs), dtype=np.int64), counts)
        # One row per (doc, sentence), numbered in doc order then sentence order, as ``add`` numbers them. Signatures
        # list their sentences in order, so the codes are usually sorted already and need no sort to be numbered.
        codes = (which << SENTENCE_BITS) | np.concatenate([s for _, s in postings])
        if np.all(codes[1:] >= codes[:-1]):
            first = np.concatenate(([True], codes[1:] != codes[:-1]))
            pairs, inverse = codes[first], np.cumsum(first) - 1
        else:
            pairs, inverse = np.unique(codes, return_inverse=True)
        rows = self._alloc_rows(np.asarray(docs, dtype=np.int64)[pairs >> SENTENCE_BITS], pairs & MAX_SENTENCES)
        self._pending.append(((keys.view(np.uint64) >> np.uint64(32)) << np.uint64(32)) | rows[inverse])
        self._pending_n += len(keys)
        if self._pending_n >= self.flush_at:
            self.flush()

    def flush(self) -> None:
        if not self._pending_n:
            return
        seg = np.concatenate(self._pending)
        seg.sort()
        self._pending, self._pending_n = [], 0
        self._push(seg)

    def _push(self, seg: np.ndarray) -> None:
        self._segments.append(seg)
        segs = self._segments
        while (
            len(segs) > 1
            and len(segs[-2]) <= self.MERGE_FACTOR * len(segs[-1])
            and len(segs[-2]) + len(segs[-1]) <= self.SEGMENT_MAX
        ):
            b = segs.pop()
            a = segs.pop()
            merged = np.concatenate([a, b])
            del a, b
            if self._dead:
                dead = np.fromiter(self._dead, dtype=np.int64)
                merged = merged[~np.isin(self._row_doc[(merged & _LOW32).astype(np.int64)], dead)]
            merged.sort(kind="stable")
            segs.append(merged)

    def remove(self, doc: int) -> None:
        self._dead.add(int(doc))

    def lookup(self, keys: np.ndarray, max_bucket: int = MAX_BUCKET) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        self.flush()
        empty = np.empty(0, np.int64)
        if not len(keys) or not self._segments:
            return empty, empty, empty
        high = (np.asarray(keys, dtype=np.int64).view(np.uint64) >> np.uint64(32)) << np.uint64(32)
        top = high | _LOW32
        bounds = [
            (seg, np.searchsorted(seg, high, "left"), np.searchsorted(seg, top, "right")) for seg in self._segments
        ]
        sizes = sum(hi - lo for _, lo, hi in bounds)
        ok = sizes <= max_bucket
        pos_parts, row_parts = [], []
        for seg, lo, hi in bounds:
            n = np.where(ok, hi - lo, 0)
            total = int(n.sum())
            if not total:
                continue
            which = np.repeat(np.arange(len(keys)), n)
            offsets = np.arange(total) - np.repeat(np.cumsum(n) - n, n)
            pos_parts.append(which)
            row_parts.append((seg[lo[which] + offsets] & _LOW32).astype(np.int64))
        if not pos_parts:
            return empty, empty, empty
        pos = np.concatenate(pos_parts)
        rows = np.concatenate(row_parts)
        docs = self._row_doc[rows]
        sents = self._row_sent[rows].astype(np.int64)
        if self._dead:
            live = ~np.isin(docs, np.fromiter(self._dead, dtype=np.int64))
            pos, docs, sents = pos[live], docs[live], sents[live]
        return pos, docs, sents

    def postings(self) -> int:
        return sum(len(s) for s in self._segments) + self._pending_n

    def nbytes(self) -> int:
        return (
            sum(s.nbytes for s in self._segments) + 8 * self._pending_n + self._row_doc.nbytes + self._row_sent.nbytes
        )

    def segments(self) -> int:
        return len(self._segments)


@dataclass(frozen=True)
class Candidate:
    """An archived article that may be the origin: how many of the query's signed sentences it shares a band with
    (``votes``), and the matched (query sentence, candidate sentence) chunk pairs, sorted."""

    doc: int
    votes: int
    pairs: tuple[tuple[int, int], ...] = field(default=())


def rank(
    signed: Signed,
    store: BandStore,
    *,
    k: int = CANDIDATES_K,
    exclude: Iterable[int] = (),
    max_bucket: int = MAX_BUCKET,
) -> list[Candidate]:
    """The ``k`` archived docs sharing bands with the most of ``signed``'s sentences; ties go to the lower doc id
    (the earlier article). Deterministic for a given store content."""
    if not len(signed.keys):
        return []
    pos, docs, dsent = store.lookup(signed.keys, max_bucket)
    excluded = np.fromiter((int(e) for e in exclude), dtype=np.int64)
    if len(excluded) and len(docs):
        keep = ~np.isin(docs, excluded)
        pos, docs, dsent = pos[keep], docs[keep], dsent[keep]
    band = dsent != TERM_SENTENCE
    pos, docs, dsent = pos[band], docs[band], dsent[band]
    if not len(docs):
        return []
    qsent = signed.sentences[pos]
    pair_codes = np.unique((docs << 24) | (qsent << SENTENCE_BITS) | dsent)
    pdoc = pair_codes >> 24
    pq = (pair_codes >> SENTENCE_BITS) & MAX_SENTENCES
    votes_code = np.unique((pdoc << SENTENCE_BITS) | pq) >> SENTENCE_BITS
    cand, votes = np.unique(votes_code, return_counts=True)
    order = np.lexsort((cand, -votes))[:k]
    out = []
    for i in order:
        d = int(cand[i])
        lo, hi = np.searchsorted(pdoc, [d, d + 1])
        pairs = tuple(zip(pq[lo:hi].tolist(), (pair_codes[lo:hi] & MAX_SENTENCES).tolist(), strict=False))
        out.append(Candidate(d, int(votes[i]), pairs))
    return out


def rank_terms(
    signed: Signed,
    store: BandStore,
    *,
    k: int = TERMS_K,
    exclude: Iterable[int] = (),
    max_bucket: int = TERM_MAX_BUCKET,
) -> list[tuple[int, float]]:
    """(doc, score) of the ``k`` archived docs sharing the most (rarity-weighted) names and numbers with
    ``signed``: the fallback for heavy rewrites whose sentences share no bands. A term held by ``n`` docs weighs
    log(1 + max_bucket / n); terms in more than ``max_bucket`` docs are ignored."""
    if not len(signed.terms):
        return []
    pos, docs, dsent = store.lookup(signed.terms, max_bucket)
    term = dsent == TERM_SENTENCE
    pos, docs = pos[term], docs[term]
    excluded = np.fromiter((int(e) for e in exclude), dtype=np.int64)
    if len(excluded) and len(docs):
        keep = ~np.isin(docs, excluded)
        pos, docs = pos[keep], docs[keep]
    if not len(docs):
        return []
    held = np.bincount(pos, minlength=len(signed.terms))
    weight = np.log1p(max_bucket / np.maximum(held, 1))
    codes = np.unique((docs << 20) | pos)
    cdoc, cpos = codes >> 20, codes & ((1 << 20) - 1)
    cand, inverse = np.unique(cdoc, return_inverse=True)
    score = np.bincount(inverse, weights=weight[cpos])
    order = np.lexsort((cand, -score))[:k]
    return [(int(cand[i]), float(score[i])) for i in order]


class CandidateIndex:
    """Articles keyed by string, signed once and kept in a band store; ``add`` is incremental, ``replace``
    re-signs a new version, ``candidates`` ranks likely origins for a text.

    Internal doc ids are never reused (a replaced version gets a new one), so tombstones stay valid.
    """

    def __init__(self, store: BandStore | None = None) -> None:
        self.store: BandStore = store if store is not None else MemoryBandStore()
        self._doc_of: dict[str, int] = {}
        self._keys: list[str | None] = []

    def __len__(self) -> int:
        return len(self._doc_of)

    def __contains__(self, key: str) -> bool:
        return key in self._doc_of

    def _new_doc(self, key: str) -> int:
        doc = len(self._keys)
        self._keys.append(key)
        self._doc_of[key] = doc
        return doc

    def add(self, key: str, text: str | Signed) -> Signed:
        """Index ``text`` (or its signature) under ``key``; a key already present is replaced (its old postings
        are tombstoned)."""
        if key in self._doc_of:
            self.remove(key)
        signed = text if isinstance(text, Signed) else sign(text)
        self.store.add(self._new_doc(key), *signed.postings())
        return signed

    def add_many(self, items: Iterable[tuple[str, str]]) -> int:
        """Bulk load (rebuild); returns how many were added. Keys must be new."""
        docs, signed = [], []
        texts = []
        for key, text in items:
            if key in self._doc_of:
                raise ValueError(f"{key!r} is already indexed; use add() to replace it")
            docs.append(self._new_doc(key))
            texts.append(text)
        for lo in range(0, len(texts), SIGN_BATCH):
            signed.extend(sign_many(texts[lo : lo + SIGN_BATCH]))
        adder = getattr(self.store, "add_many", None)
        if adder is not None:
            adder(docs, signed)
        else:
            for d, s in zip(docs, signed, strict=True):
                self.store.add(d, *s.postings())
        return len(docs)

    def remove(self, key: str) -> None:
        doc = self._doc_of.pop(key, None)
        if doc is not None:
            self._keys[doc] = None
            self.store.remove(doc)

    def term_candidates(
        self, text: str | Signed, *, k: int = TERMS_K, exclude_keys: Iterable[str] = ()
    ) -> list[tuple[str, float]]:
        """(key, score) of the ``k`` articles sharing the most rare names and numbers with ``text``."""
        signed = text if isinstance(text, Signed) else sign(text)
        exclude = [self._doc_of[key] for key in exclude_keys if key in self._doc_of]
        out = []
        for doc, score in rank_terms(signed, self.store, k=k, exclude=exclude):
            key = self.key_of(doc)
            if key is not None:
                out.append((key, score))
        return out

    def key_of(self, doc: int) -> str | None:
        return self._keys[doc] if 0 <= doc < len(self._keys) else None

    def candidates(
        self, text: str | Signed, *, k: int = CANDIDATES_K, exclude_keys: Iterable[str] = ()
    ) -> list[tuple[str, Candidate]]:
        """(key, candidate) for the ``k`` best archived articles for ``text``, best first."""
        signed = text if isinstance(text, Signed) else sign(text)
        exclude = [self._doc_of[key] for key in exclude_keys if key in self._doc_of]
        out = []
        for c in rank(signed, self.store, k=k, exclude=exclude):
            key = self.key_of(c.doc)
            if key is not None:
                out.append((key, c))
        return out


def spans_to_sentences(spans: Sequence[tuple[int, int]], sentences: Sequence) -> list[list[int]]:
    """For each index span, the engine sentences (objects with .start/.end) it overlaps."""
    out: list[list[int]] = []
    j = 0
    for a, b in spans:
        while j < len(sentences) and sentences[j].end <= a:
            j += 1
        hit = []
        k = j
        while k < len(sentences) and sentences[k].start < b:
            hit.append(k)
            k += 1
        out.append(hit)
    return out


__all__ = [
    "BANDS",
    "ROWS_PER_BAND",
    "SIGNATURE_VERSION",
    "BandStore",
    "Candidate",
    "CandidateIndex",
    "MemoryBandStore",
    "Signed",
    "rank",
    "sign",
    "sign_many",
    "split_spans",
    "spans_to_sentences",
]
