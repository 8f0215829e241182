"""Group articles into stories and pick each story's origin."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from .align import SentenceFeatures, lexical_score, sentence_weight

TOP_MATCHES = 3
VERBATIM_MIN = 0.9
VERBATIM_WEIGHT = 1.0
STORY_LINK_MIN = 0.36
NAMED_ORIGIN_LINK_MIN = 0.0
CITES_REPORT_PENALTY = 0.6
SELF_CREDIT_BONUS = 0.15
EARLIEST_BONUS = 0.1

_CITES_REPORT = re.compile(
    r"\b[A-Z][\w'\u2019]+(?:\s+[A-Z][\w'\u2019]+){0,5}\s+(?:News\s+)?(?:reports|reported)\b|\breports\s+[A-Z]\w+|"
    r"according to (?:a|the) (?:new |latest )?report|"
    r"\b(?:report|article|story) (?:by|from|in)\s+(?:news agency\s+)?[A-Z]|"
    r"\bthe report (?:said|says|notes|noted|adds|added)|\bciting\s+[A-Z]|\breport quoting\b",
)


@dataclass(frozen=True)
class ArticleDoc:
    """What origin detection needs to know about one article."""

    key: str
    sentences: Sequence[SentenceFeatures]
    text: str
    byline: str | None = None
    published: datetime | None = None


@dataclass(frozen=True)
class Story:
    members: tuple[int, ...]
    origin: int | None


def coverage(a: ArticleDoc, b: ArticleDoc, idf: dict[str, float]) -> tuple[float, float, float]:
    """(mean best-match score of a's sentences in b, mean of a's top few best-match scores in b,
    share of a's sentences that b holds near-verbatim)."""
    if not a.sentences or not b.sentences:
        return 0.0, 0.0, 0.0
    best_scores = []
    b_weights = [sentence_weight(o, idf) for o in b.sentences]
    for s in a.sentences:
        best = 0.0
        ws = sentence_weight(s, idf)
        for o, wo in zip(b.sentences, b_weights, strict=True):
            if s.stems and o.stems and s.stems & o.stems:
                best = max(best, lexical_score(s, o, idf, ws, wo)[0])
        best_scores.append(best)
    top = sorted(best_scores, reverse=True)[:TOP_MATCHES]
    verbatim = sum(x >= VERBATIM_MIN for x in best_scores) / len(best_scores)
    return sum(best_scores) / len(best_scores), sum(top) / TOP_MATCHES, verbatim


def cites_a_report(text: str) -> bool:
    """True when the article credits someone else's report (a sign it is a rewrite, not the origin)."""
    return bool(_CITES_REPORT.search(text))


def group_stories(docs: Sequence[ArticleDoc], idf: dict[str, float], origin_key: str | None = None) -> list[Story]:
    """Stories in first-member order (average-linkage clustering on shared near-verbatim sentences);
    singletons have no origin unless named by `origin_key`. Deterministic for a given input order."""
    n = len(docs)
    if n == 2 and origin_key in (docs[0].key, docs[1].key):
        # An article and its named origin: only whether they link matters, and one direction may settle it. The
        # reader has said which article is the origin, so any shared content links them: a heavy paraphrase of a
        # short report shares little wording, and is still traced claim by claim rather than set aside.
        o = 0 if docs[0].key == origin_key else 1
        link = max(coverage(docs[0], docs[1], idf)[1], coverage(docs[1], docs[0], idf)[1])
        if link > NAMED_ORIGIN_LINK_MIN:
            return [Story((0, 1), o)]
        return [
            Story((0,), 0 if docs[0].key == origin_key else None),
            Story((1,), 1 if docs[1].key == origin_key else None),
        ]
    cov = [[(0.0, 0.0, 0.0)] * n for _ in range(n)]
    for i in range(n):
        for j in range(n):
            if i != j:
                cov[i][j] = coverage(docs[i], docs[j], idf)
    link = [[max(cov[i][j][1], cov[j][i][1]) if i != j else 1.0 for j in range(n)] for i in range(n)]
    clusters: list[list[int]] = [[i] for i in range(n)]
    while len(clusters) > 1:
        best: tuple[float, int, int] | None = None
        for a in range(len(clusters)):
            for b in range(a + 1, len(clusters)):
                avg = sum(link[i][j] for i in clusters[a] for j in clusters[b]) / (len(clusters[a]) * len(clusters[b]))
                if best is None or avg > best[0]:
                    best = (avg, a, b)
        if best is None or best[0] < STORY_LINK_MIN:
            break
        _, a, b = best
        clusters[a] = sorted(clusters[a] + clusters[b])
        del clusters[b]
    groups = {c[0]: c for c in clusters}
    stories: list[Story] = []
    for members in sorted(groups.values(), key=lambda m: m[0]):
        if len(members) == 1:
            only = members[0]
            stories.append(Story((only,), only if docs[only].key == origin_key else None))
            continue
        forced = [m for m in members if docs[m].key == origin_key]
        if forced:
            stories.append(Story(tuple(members), forced[0]))
            continue
        stories.append(Story(tuple(members), pick_origin(docs, members, cov)))
    return stories


def pick_origin(docs: Sequence[ArticleDoc], members: Sequence[int], cov) -> int:
    """The member the others overlap with most, adjusted by crediting and publication evidence."""
    dated = [docs[m].published for m in members if docs[m].published is not None]
    earliest = min(dated) if dated else None
    best: tuple[float, int] | None = None
    for o in members:
        score = sum(
            0.5 * cov[d][o][0] + 0.5 * cov[d][o][1] + VERBATIM_WEIGHT * cov[d][o][2] for d in members if d != o
        ) / (len(members) - 1)
        if cites_a_report(docs[o].text):
            score -= CITES_REPORT_PENALTY
        if docs[o].byline:
            score += SELF_CREDIT_BONUS
        if earliest is not None and docs[o].published is not None and docs[o].published == earliest:
            score += EARLIEST_BONUS
        if best is None or score > best[0]:
            best = (score, o)
    assert best is not None
    return best[1]
