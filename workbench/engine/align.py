"""Align derivative claims to origin sentences: lexical evidence, optionally blended with embeddings."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from .lexicon import STOPWORDS, content_stems, normalise_for_match, prefix_variants

MERGE_MIN_GAIN = 0.2
MERGE_MIN_SCORE = 0.3
EMBEDDING_WEIGHT = 0.5
CHAR_CHECK_MIN_COVERAGE = 0.0


@dataclass(frozen=True)
class SentenceFeatures:
    """Precomputed comparison features of one sentence."""

    text: str
    norm: str
    stems: frozenset[str]
    weak: frozenset[str] = frozenset()
    alt: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Alignment:
    """Best supporting origin sentences for one claim (best first) and the evidence score."""

    origin_indices: tuple[int, ...]
    score: float
    coverage: float
    lexical: float
    semantic: float | None


WEAK_WEIGHT = 0.5


def features(text: str, weak_text: str = "") -> SentenceFeatures:
    """Comparison features; stems found only in `weak_text` (e.g. the attribution phrase) weigh less."""
    stems = frozenset(content_stems(text))
    weak = frozenset(content_stems(weak_text)) if weak_text else frozenset()
    rest = text.replace(weak_text, " ") if weak_text else text
    weak = weak - frozenset(content_stems(rest))
    variants = frozenset(prefix_variants(stems)) - stems
    return SentenceFeatures(text=text, norm=normalise_for_match(text), stems=stems, weak=weak, alt=variants)


class IdfTable(dict):
    """Stem -> inverse document frequency; `default` (the rarest weight) is used for unseen stems."""

    default: float = 1.0


def _default(idf: dict[str, float]) -> float:
    return idf.default if isinstance(idf, IdfTable) else max(idf.values(), default=1.0)


def idf_table(docs: Sequence[SentenceFeatures]) -> IdfTable:
    """Inverse document frequency over sentences; rare words weigh more."""
    df: dict[str, int] = {}
    for d in docs:
        for s in d.stems:
            df[s] = df.get(s, 0) + 1
    n = max(len(docs), 1)
    table = IdfTable((s, math.log(1.0 + n / c)) for s, c in df.items())
    table.default = max(table.values(), default=1.0)
    return table


def _weight(stems: frozenset[str], idf: dict[str, float], default: float, weak: frozenset[str] = frozenset()) -> float:
    return sum(idf.get(s, default) * (WEAK_WEIGHT if s in weak else 1.0) for s in stems)


def sentence_weight(f: SentenceFeatures, idf: dict[str, float]) -> float:
    """Total evidence weight of a sentence's stems (precompute it when comparing one sentence many times)."""
    return _weight(f.stems, idf, _default(idf), f.weak)


def lexical_score(
    d: SentenceFeatures,
    o: SentenceFeatures,
    idf: dict[str, float],
    wd: float | None = None,
    wo: float | None = None,
) -> tuple[float, float]:
    """(score, coverage of the claim by the origin sentence), both in [0, 1]."""
    if not d.stems or not o.stems:
        return 0.0, 0.0
    common = (d.stems & o.stems) | (d.alt & o.stems) | (d.stems & o.alt)
    if not common:
        return 0.0, 0.0
    default = _default(idf)
    weak = d.weak | o.weak
    wd = _weight(d.stems, idf, default, d.weak) if wd is None else wd
    wo = _weight(o.stems, idf, default, o.weak) if wo is None else wo
    wc = _weight(common, idf, default, weak)
    cov_d = wc / wd
    dice = 2 * wc / (wd + wo)
    chars = fuzz.token_set_ratio(d.norm, o.norm) / 100.0 if cov_d >= CHAR_CHECK_MIN_COVERAGE else dice
    return 0.45 * cov_d + 0.35 * dice + 0.2 * chars, cov_d


def align_claim(
    d: SentenceFeatures,
    origin: Sequence[SentenceFeatures],
    idf: dict[str, float],
    semantic_row: Sequence[float] | None = None,
    origin_weights: Sequence[float] | None = None,
) -> Alignment | None:
    """The origin sentence(s) that best support claim `d`; a second sentence joins when it covers
    a substantial part of the claim the first does not (merged sentences)."""
    if not origin:
        return None
    scored: list[tuple[float, float, float, float | None, int]] = []
    wd = sentence_weight(d, idf)
    for j, o in enumerate(origin):
        lex, cov = lexical_score(d, o, idf, wd, origin_weights[j] if origin_weights is not None else None)
        sem = semantic_row[j] if semantic_row is not None else None
        score = lex if sem is None else (1 - EMBEDDING_WEIGHT) * lex + EMBEDDING_WEIGHT * max(sem, 0.0)
        scored.append((score, cov, lex, sem, j))
    scored.sort(key=lambda t: (-t[0], t[4]))
    best = scored[0]
    if best[0] <= 0.0:
        return None
    indices = [best[4]]
    covered = d.stems & origin[best[4]].stems
    default = _default(idf)
    total = _weight(d.stems, idf, default) or 1.0
    for score, _cov, _lex, _sem, j in scored[1:4]:
        if score < MERGE_MIN_SCORE:
            break
        gain_stems = (d.stems & origin[j].stems) - covered
        gain = _weight(frozenset(gain_stems), idf, default) / total
        if gain >= MERGE_MIN_GAIN:
            indices.append(j)
            covered = covered | gain_stems
            break
    coverage = _weight(frozenset(covered), idf, default) / total
    score = best[0] + (0.5 * (coverage - best[1]) if len(indices) > 1 else 0.0)
    return Alignment(tuple(indices), min(score, 1.0), coverage, best[2], best[3])


__all__ = ["Alignment", "SentenceFeatures", "align_claim", "features", "idf_table", "lexical_score", "STOPWORDS"]
