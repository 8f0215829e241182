"""Group articles into stories by event, choose each story's origin from evidence, and find who copied whom.

A story is the articles that report one event: they share its specifics (names, numbers, quotes, dates) in matching
sentences (``specifics.same_event``), so two reports on one subject in one week stay apart. The origin is chosen by
one rule, ``choose_origin``, which also says why; ``lineage`` names each derivative's parent, which may be another
derivative.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from .align import SentenceFeatures, lexical_score, sentence_weight
from .specifics import EVENT_SPECIFICS_MIN, article_names, same_event, specifics

STRONG_MATCH_MIN = 0.55
LONE_ORIGIN_REASON = "the only article of its story"
NAMED_ORIGIN_REASON = "named as the origin"
TOP_MATCHES = 3
VERBATIM_MIN = 0.9
VERBATIM_WEIGHT = 1.0
STORY_LINK_MIN = 0.36
# Clusters linked by subject merge only when some pair of their articles also shares the event's specifics this well.
EVENT_LINK_MIN = 0.33
# Two articles are copies of one text when this share of the shorter one's sentences is near-verbatim in the other;
# a copy adds no evidence about which of them, or which other article, came first.
COPY_SHARE_MIN = 0.8
# An article and the origin a reader names for it link on any shared content (a heavy paraphrase of a short report
# shares little wording, and is still traced claim by claim rather than set aside).
NAMED_ORIGIN_LINK_MIN = 0.0
CITES_REPORT_PENALTY = 0.6
COPY_HOLD_WEIGHT = 0.3
DATELINE_BONUS = 0.1
# A dateline stands in the first lines of an article (the headline may come first).
DATELINE_LINES = 3
SELF_CREDIT_BONUS = 0.15
EARLIEST_BONUS = 0.1
# A derivative was copied from another derivative (not straight from the origin) when it shares at least this many
# sentences with it that the origin does not hold.
INHERITED_MIN = 1
ORIGIN_HOLDS_MAX = 0.3

NEWS_AGENCIES = frozenset(
    "reuters ap associated press afp bloomberg xinhua pti ani ians upi dpa efe ansa kyodo yonhap tass anadolu "
    "pa bernama cna aap cp kyodo news bloomberg news".split()
    + ["associated press", "agence france-presse", "press association", "canadian press", "bloomberg news"]
)
_CITES_REPORT = re.compile(
    r"\b[A-Z][\w'\u2019]+(?:\s+[A-Z][\w'\u2019]+){0,5}\s+(?:News\s+)?(?:reports|reported)\b|\breports\s+[A-Z]\w+|"
    r"according to (?:a|the) (?:new |latest )?report|"
    r"\b(?:report|article|story) (?:by|from|in)\s+(?:news agency\s+)?[A-Z]|"
    r"\bthe report (?:said|says|notes|noted|adds|added)|\bciting\s+[A-Z]|\breport quoting\b|"
    r"\b(?:first|originally) (?:published|appeared) (?:by|in|on|at)\b|\brepublished (?:from|with permission)\b",
)
# "SEOUL, March 3 (Reuters) -", "(Bloomberg) --": a wire's own credit opening the body.
_DATELINE = re.compile(
    r"^\s*(?:\[[^\]\n]{0,40}\]\s*)?(?:[A-Z][\w .,'\u2019-]{0,60}?\s)?\(([A-Z][\w .&-]+)\)\s*(?:[-\u2013\u2014]+|:)",
    re.MULTILINE,
)


@dataclass(frozen=True)
class ArticleDoc:
    """What story grouping and origin choice need to know about one article."""

    key: str
    sentences: Sequence[SentenceFeatures]
    text: str
    byline: str | None = None
    published: datetime | None = None


@dataclass(frozen=True)
class OriginChoice:
    """The chosen origin (a position in the docs) and the evidence for it, in words a reviewer reads."""

    origin: int
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Story:
    members: tuple[int, ...]
    origin: int | None
    reasons: tuple[str, ...] = ()
    parents: dict[int, int] = field(default_factory=dict)


def best_matches(a: ArticleDoc, b: ArticleDoc, idf: dict[str, float], *, event: bool = False) -> list[float]:
    """For each sentence of a, its best lexical match in b (0 if none); with `event`, only among sentences that
    report the same event (``same_event``)."""
    plain, same = best_matches_both(a, b, idf)
    return same if event else plain


def best_matches_both(a: ArticleDoc, b: ArticleDoc, idf: dict[str, float]) -> tuple[list[float], list[float]]:
    """``best_matches`` without and with `event`, in one pass over the sentence pairs."""
    if not a.sentences or not b.sentences:
        return [0.0] * len(a.sentences), [0.0] * len(a.sentences)
    b_weights = [sentence_weight(o, idf) for o in b.sentences]
    a_names = article_names(tuple(s.text for s in a.sentences))
    b_names = article_names(tuple(o.text for o in b.sentences))
    b_specifics = [specifics(o.text, b_names) for o in b.sentences]
    plain, same = [], []
    for s in a.sentences:
        best = best_same = 0.0
        ws = sentence_weight(s, idf)
        sp = specifics(s.text, a_names)
        for o, wo, op in zip(b.sentences, b_weights, b_specifics, strict=True):
            if s.stems and o.stems and s.stems & o.stems:
                score = lexical_score(s, o, idf, ws, wo)[0]
                best = max(best, score)
                if score > best_same and same_event(sp, op):
                    best_same = score
        plain.append(best)
        same.append(best_same)
    return plain, same


def summary(best: Sequence[float]) -> tuple[float, float, float]:
    """(mean best-match score, mean of the top few, share of sentences matched near-verbatim)."""
    if not best:
        return 0.0, 0.0, 0.0
    top = sorted(best, reverse=True)[:TOP_MATCHES]
    return sum(best) / len(best), sum(top) / TOP_MATCHES, sum(x >= VERBATIM_MIN for x in best) / len(best)


def coverage(a: ArticleDoc, b: ArticleDoc, idf: dict[str, float], *, event: bool = False) -> tuple[float, float, float]:
    """``summary`` of a's sentences matched in b: how much of what a says b holds (see ``best_matches``)."""
    return summary(best_matches(a, b, idf, event=event))


def story_link(a: ArticleDoc, b: ArticleDoc, idf: dict[str, float]) -> float:
    """The evidence that a and b report one event: the better direction's mean top event-matched sentences."""
    return max(coverage(a, b, idf, event=True)[1], coverage(b, a, idf, event=True)[1])


def cites_a_report(text: str) -> bool:
    """True when the article credits someone else's report (a sign it is a rewrite, not the origin)."""
    return bool(_CITES_REPORT.search(text))


def self_dateline(text: str) -> str | None:
    """The name in a dateline's brackets opening the body ("ITHUR (Finpa Post) -" gives "Finpa Post"), else None."""
    m = _DATELINE.search(_opening(text))
    return m.group(1).strip() if m else None


def _opening(text: str) -> str:
    """The first lines of a text, where a dateline stands (after the headline, when the text has one)."""
    return "\n".join([line for line in text.splitlines() if line.strip()][:DATELINE_LINES])


def wire_dateline(text: str) -> str | None:
    """The news agency named in a dateline opening the body ("SEOUL, March 3 (Reuters) -" gives "Reuters"), else
    None. Only agencies count: a site that puts its own name in a dateline's brackets is not a wire."""
    m = _DATELINE.search(_opening(text))
    if m is None:
        return None
    name = m.group(1).strip()
    return name if name.lower() in NEWS_AGENCIES else None


class Evidence:
    """Pairwise best matches among a set of docs, computed once and shared by grouping, origin choice and lineage."""

    def __init__(self, docs: Sequence[ArticleDoc], idf: dict[str, float]) -> None:
        self.docs, self.idf = docs, idf
        self._best: dict[tuple[int, int, bool], list[float]] = {}

    def best(self, i: int, j: int, *, event: bool = False) -> list[float]:
        if (i, j, event) not in self._best:
            plain, same = best_matches_both(self.docs[i], self.docs[j], self.idf)
            self._best[(i, j, False)], self._best[(i, j, True)] = plain, same
        return self._best[(i, j, event)]

    def cov(self, i: int, j: int, *, event: bool = False) -> tuple[float, float, float]:
        return summary(self.best(i, j, event=event))

    def link(self, i: int, j: int) -> float:
        """Subject-level evidence: the better direction's mean top matches, any sentences."""
        return max(self.cov(i, j)[1], self.cov(j, i)[1])

    def has_detail(self, i: int) -> bool:
        """Whether the article names enough of an event's specifics in one sentence for event evidence to speak."""
        names = article_names(tuple(s.text for s in self.docs[i].sentences))
        return any(len(specifics(s.text, names)) >= EVENT_SPECIFICS_MIN for s in self.docs[i].sentences)

    def event_link(self, i: int, j: int) -> float:
        """Event-level evidence: the same over sentence pairs that share the event's specifics."""
        return max(self.cov(i, j, event=True)[1], self.cov(j, i, event=True)[1])

    def copies(self, i: int, j: int) -> bool:
        """Whether i and j are copies of one text (the shorter held near-verbatim by the longer)."""
        return max(self.cov(i, j)[2], self.cov(j, i)[2]) >= COPY_SHARE_MIN


def group_stories(
    docs: Sequence[ArticleDoc], idf: dict[str, float], origin_key: str | None = None, *, later_key: str | None = None
) -> list[Story]:
    """Stories in first-member order (average-linkage clustering on matched sentences, a merge needing a pair that
    shares the event's specifics), each with its origin,
    the reasons for it and each derivative's parent. A lone article is its own story's origin. `origin_key` forces
    the origin of the story it falls in, and articles linked to it by subject join it (the user vouches for the
    event). Articles too short to name an event's specifics are grouped by subject. Deterministic for a given
    input order."""
    ev = Evidence(docs, idf)
    n = len(docs)
    if n == 2 and origin_key in (docs[0].key, docs[1].key):
        o = 0 if docs[0].key == origin_key else 1
        if ev.link(0, 1) > NAMED_ORIGIN_LINK_MIN:
            return [Story((0, 1), o, (NAMED_ORIGIN_REASON,), {1 - o: o})]
    clusters: list[list[int]] = [[i] for i in range(n)]
    vetoed: set[tuple[int, int]] = set()
    while len(clusters) > 1:
        best: tuple[float, int, int] | None = None
        for a in range(len(clusters)):
            for b in range(a + 1, len(clusters)):
                if (clusters[a][0], clusters[b][0]) in vetoed:
                    continue
                avg = sum(ev.link(i, j) for i in clusters[a] for j in clusters[b]) / (
                    len(clusters[a]) * len(clusters[b])
                )
                if best is None or avg > best[0]:
                    best = (avg, a, b)
        if best is None or best[0] < STORY_LINK_MIN:
            break
        _, a, b = best
        named = any(docs[m].key == origin_key for m in clusters[a] + clusters[b])
        judged = [(i, j) for i in clusters[a] for j in clusters[b] if ev.has_detail(i) and ev.has_detail(j)]
        copied = any(ev.copies(i, j) for i in clusters[a] for j in clusters[b])
        if not named and not copied and judged and max(ev.event_link(i, j) for i, j in judged) < EVENT_LINK_MIN:
            # Same subject, no shared event: keep apart, and try the next best pair of clusters. (A copy of one text
            # reports the same event however few of its sentences carry the event's specifics.)
            vetoed.add((clusters[a][0], clusters[b][0]))
            continue
        clusters[a] = sorted(clusters[a] + clusters[b])
        del clusters[b]
    stories: list[Story] = []
    for members in sorted(clusters, key=lambda m: m[0]):
        forced = [m for m in members if docs[m].key == origin_key]
        if len(members) == 1:
            choice = OriginChoice(members[0], (LONE_ORIGIN_REASON,))
        else:
            choice = choose_origin(ev, members, forced=forced[0] if forced else None)
            if docs[choice.origin].key == later_key and not forced and not _dated_first(docs, members, choice.origin):
                # It arrived after the others and no publication time says it came first.
                choice = choose_origin(ev, [m for m in members if m != choice.origin])
        stories.append(Story(tuple(members), choice.origin, choice.reasons, lineage(ev, members, choice.origin)))
    return stories


def _dated_first(docs: Sequence[ArticleDoc], members: Sequence[int], o: int) -> bool:
    others = [docs[m].published for m in members if m != o]
    return docs[o].published is not None and all(p is not None and docs[o].published < p for p in others)


def _copy_groups(ev: Evidence, members: Sequence[int]) -> dict[int, int]:
    """Each member mapped to the first member of its group of copies."""
    group = {m: m for m in members}
    for x in members:
        for y in members:
            if x < y and ev.copies(x, y):
                gx, gy = group[x], group[y]
                keep, drop = min(gx, gy), max(gx, gy)
                for m in members:
                    if group[m] == drop:
                        group[m] = keep
    return group


def choose_origin(ev: Evidence, members: Sequence[int], *, forced: int | None = None) -> OriginChoice:
    """The one origin rule: the member that holds most of what the others say (copies of one text count once, by
    their fullest copy),
    adjusted by an agency dateline or byline, the earliest publication time, and crediting another report. Returns
    the member and the reasons, best evidence first; with `forced` (an origin the user named), that member and the
    evidence for it after NAMED_ORIGIN_REASON."""
    docs = ev.docs
    group = _copy_groups(ev, members)
    dated = [docs[m].published for m in members if docs[m].published is not None]
    earliest = min(dated) if dated else None
    wires = {m: wire_dateline(docs[m].text) for m in members}
    # Another text counts once, by its fullest copy.
    fullest: dict[int, int] = {}
    for m in members:
        if group[m] not in fullest or len(docs[m].sentences) > len(docs[fullest[group[m]]].sentences):
            fullest[group[m]] = m
    group_wire = {group[m]: wires[m] for m in members if wires[m]}
    scored: list[tuple[float, int, list[str]]] = []
    for o in members:
        held = []
        for d in members:
            if group[d] != group[o] and d == fullest[group[d]]:
                c = ev.cov(d, o)
                held.append(0.5 * c[0] + 0.5 * c[1] + VERBATIM_WEIGHT * c[2])
        score = sum(held) / len(held) if held else 0.0
        reasons: list[str] = []
        own_dateline = self_dateline(docs[o].text) if not wires[o] else None
        if docs[o].byline:
            score += SELF_CREDIT_BONUS
        # A wire's dateline speaks for the text, whichever copy of it kept the dateline.
        wire = wires[o] or group_wire.get(group[o])
        if wire:
            score += DATELINE_BONUS
            reasons.append(f"{wire} dateline" if wires[o] else f"a copy of it has a {wire} dateline")
        if docs[o].byline:
            reasons.append(f"byline {docs[o].byline}")
        elif own_dateline:
            reasons.append(f"its own dateline ({own_dateline})")
        if earliest is not None and docs[o].published == earliest:
            score += EARLIEST_BONUS
            reasons.append(f"earliest ({earliest:%Y-%m-%d})")
        if cites_a_report(docs[o].text):
            score -= CITES_REPORT_PENALTY
        scored.append((score, o, reasons))
    # The text first (copies of one text share its evidence), then among its copies the fullest, which holds the others.
    text_score: dict[int, float] = {}
    for score, o, _ in scored:
        text_score[group[o]] = max(score, text_score.get(group[o], score))

    def fullness(o: int) -> float:
        """Among copies of one text: how much of the others it holds, and whether it carries its own dateline."""
        mates = [ev.cov(d, o)[0] for d in members if d != o and group[d] == group[o]]
        if not mates:
            return 0.0
        own = SELF_CREDIT_BONUS if self_dateline(docs[o].text) and not wires[o] else 0.0
        return sum(mates) / len(mates) + own / COPY_HOLD_WEIGHT

    scored.sort(key=lambda t: (-text_score[group[t[1]]], -(t[0] + COPY_HOLD_WEIGHT * fullness(t[1])), t[1]))
    _, origin, reasons = next(t for t in scored if forced is None or t[1] == forced)
    if forced is not None:
        reasons = [NAMED_ORIGIN_REASON, *reasons]
    share = shared_content_held(ev, members, origin)
    if share is not None:
        reasons.append(f"contains {share:.0%} of what the others share")
    copies = sum(1 for m in members if m != origin and group[m] == group[origin])
    if copies:
        reasons.append(f"{copies} verbatim cop{'y' if copies == 1 else 'ies'}")
    if not cites_a_report(docs[origin].text):
        reasons.append("credits no other report")
    return OriginChoice(origin, tuple(reasons))


def shared_content_held(ev: Evidence, members: Sequence[int], o: int) -> float | None:
    """Of the sentences other members share with at least one further member, the share o holds (None if none)."""
    shared = held = 0
    for d in members:
        if d == o:
            continue
        in_o = ev.best(d, o)
        elsewhere = [ev.best(d, m) for m in members if m not in (d, o)]
        for k, score in enumerate(in_o):
            if score >= STRONG_MATCH_MIN or any(b[k] >= STRONG_MATCH_MIN for b in elsewhere):
                shared += 1
                held += score >= STRONG_MATCH_MIN
    return held / shared if shared else None


def lineage(ev: Evidence, members: Sequence[int], origin: int) -> dict[int, int]:
    """Each derivative's parent: the origin, or an article it shares material with that the origin does not hold
    (inherited additions). Members are attached in order of how much of the origin they hold, so a chain
    origin -> rewrite -> copy of the rewrite is found whatever the input order."""
    docs = ev.docs

    def closeness(d: int) -> tuple[float, float, int]:
        published = docs[d].published.timestamp() if docs[d].published else float("inf")
        return (-ev.cov(origin, d)[0], published, d)

    attached = [origin]
    parents: dict[int, int] = {}
    for d in sorted((m for m in members if m != origin), key=closeness):
        from_origin = ev.best(d, origin)
        best: tuple[int, float, int] | None = None
        for p in attached:
            if p == origin:
                continue
            inherited = sum(
                1
                for s, o in zip(ev.best(d, p), from_origin, strict=True)
                if s >= STRONG_MATCH_MIN and o < ORIGIN_HOLDS_MAX
            )
            if inherited >= INHERITED_MIN:
                key = (inherited, ev.cov(d, p)[0], -p)
                if best is None or key > best:
                    best = key
        parents[d] = -best[2] if best is not None else origin
        attached.append(d)
    return parents
