"""A seeded, procedurally generated news archive with ground truth, for retrieval and tracing benchmarks.

Every article is a pure function of (seed, position), so an archive of any size is random-access and never has to
sit in memory: ``Corpus(n, seed).article(i)`` regenerates article ``i``. Stories have an origin report and
derivatives made by the edits the engine detects (verbatim copy, trimming, reordering, paraphrase, added details,
dropped hedges, altered quotes, sentences from other sources mixed in, site boilerplate); the rest of the archive is
unrelated reports. Names, places, organisations and outlets are built from syllables, so the vocabulary grows like
a real archive's; common news words come from fixed lists.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import numpy as np

from benchmarks import beats

ROLE_ORIGIN = "origin"
ROLE_DERIVATIVE = "derivative"
ROLE_UNRELATED = "unrelated"
ROLE_NEAR_MISS = "near_miss"  # the realistic archive: same people, places and organisations as a story, another event

EDIT_COPY = "copy"
EDIT_TRIM = "trim"
EDIT_REORDER = "reorder"
EDIT_PARAPHRASE = "paraphrase"
EDIT_ADDED_DETAIL = "added_detail"
EDIT_HEDGE_DROPPED = "hedge_dropped"
EDIT_QUOTE_ALTERED = "quote_altered"
EDIT_OTHER_SOURCE = "other_source"
EDIT_REWRITE = "rewrite"  # every sentence re-framed: only names, numbers and a few words survive
EDITS = (
    EDIT_TRIM,
    EDIT_REORDER,
    EDIT_PARAPHRASE,
    EDIT_ADDED_DETAIL,
    EDIT_HEDGE_DROPPED,
    EDIT_QUOTE_ALTERED,
    EDIT_OTHER_SOURCE,
)

# Expected engine labels for the sentences of a derivative.
GOLD_SUPPORTED = "supported"
GOLD_ALTERED = "altered"
GOLD_OTHER_SOURCE = "other_source"
GOLD_BOILERPLATE = "boilerplate"
GOLD_CREDIT = "credit"  # a line crediting the origin outlet: not scored
GOLD_REWRITE = "rewrite"  # a re-framed sentence: the right label depends on how much survived, not scored
UNSCORED = frozenset({GOLD_CREDIT, GOLD_REWRITE})
REWRITE_SHARE = 0.1

ORIGIN_SENTENCES_MIN = 36
ORIGIN_SENTENCES_MAX = 44
UNRELATED_SHARE = 0.8
DERIVATIVES_MAX = 6
STORY_WINDOW = 400  # derivatives appear within this many positions after their origin
NEAR_MISS_SHARE = 0.25  # the realistic archive: of the unrelated positions with a story before them, near misses

_SYLLABLES = (
    "ka ri mo ten sa lu vor dan el bri cor mel tas ven ha ro fin gal ur os ith ne pa dre sol mar ky vik lan "
    "tor be sha qui zan fer nor ad pol gre hin jo ber sen tal ro ma wen dal ost car lin bar ves tri gor ul"
).split()
_PLACE_SUFFIXES = ("", "", "ia", "burg", "ville", "stan", "ford", "mouth", "grad", "polis", "holm", "by")
_ORG_KINDS = (
    "Ministry of Defence",
    "Health Department",
    "Central Bank",
    "Grain Council",
    "Port Authority",
    "Energy Agency",
    "Workers Union",
    "Chamber of Commerce",
    "Supreme Court",
    "Election Commission",
    "Refugee Agency",
    "Institute of Technology",
    "Water Board",
    "Mining Corporation",
    "Airlines",
    "Trade Ministry",
    "Police",
    "Football Federation",
    "Medical Association",
    "Space Agency",
    "Rail Operator",
    "Parliament",
    "Army",
)
_OUTLET_KINDS = ("Times", "Herald", "Post", "News", "Daily", "Tribune", "Observer", "Gazette", "Wire", "Journal")
_TITLES = (
    "minister",
    "spokesperson",
    "director",
    "chief executive",
    "senior official",
    "analyst",
    "governor",
    "mayor",
    "general",
    "commissioner",
    "president",
    "chairman",
    "economist",
    "professor",
    "lawmaker",
)
_GIVEN = (
    "Anna John Maria Peter Elena David Sofia Michael Olga James Laura Daniel Irina Robert Nadia Thomas Sara "
    "Paul Lena Mark Eva Ahmed Fatima Chen Wei Yuki Kenji Amara Kofi Lucia Diego Ines Omar Leila Ivan Nina "
    "Hugo Clara Pablo Rosa Tariq Mei Arjun Priya Sven Astrid Marco Giulia"
).split()

# Groups of interchangeable words: a paraphrase swaps a word for another of its group.
_SYNONYMS = [
    "talks negotiations discussions",
    "plan proposal scheme",
    "agreement deal accord",
    "troops soldiers forces",
    "officials authorities administrators",
    "increase rise jump",
    "decrease fall drop",
    "crisis emergency",
    "attack assault strike",
    "aid assistance support",
    "funding financing money",
    "outbreak spread surge",
    "shortage scarcity lack",
    "investigation inquiry probe",
    "report study review",
    "measures steps actions",
    "residents inhabitants locals",
    "workers employees staff",
    "leaders chiefs heads",
    "rules regulations",
    "vote ballot poll",
    "border frontier",
    "shipment delivery consignment",
    "prices costs",
    "budget spending",
    "project programme initiative",
    "factory plant facility",
    "company firm business",
    "protest demonstration rally",
    "approved endorsed backed",
    "rejected refused dismissed",
    "expanded widened extended",
    "announced unveiled",
    "warned cautioned",
    "delayed postponed",
    "launched started began",
    "cut reduced slashed",
    "sent dispatched",
    "built constructed",
    "ordered instructed",
    "discussed debated considered",
    "secured obtained won",
    "criticised condemned",
    "supported welcomed",
    "examined reviewed studied",
    "blocked halted stopped",
    "major significant large",
    "new fresh",
    "serious severe grave",
    "quick rapid swift",
    "key important central",
    "difficult hard tough",
    "recent latest",
    "national nationwide",
    "local regional",
    "strong robust",
    "weak fragile",
    "early initial",
    "senior top high-ranking",
    "unclear uncertain",
]
_SYN_GROUPS = [g.split() for g in _SYNONYMS]
_SYN_OF = {w: g for g in _SYN_GROUPS for w in g}
_NOUNS = [g for g in _SYN_GROUPS[:29]]
_VERBS = [g for g in _SYN_GROUPS[29:46]]
_ADJS = [g for g in _SYN_GROUPS[46:]]
_PLAIN_NOUNS = (
    "vaccine pipeline ceasefire harvest election reactor bridge tariff hospital satellite drought "
    "flood wildfire railway refinery currency pension school court mine harbour airport dam "
    "subsidy loan census parliament reform treaty mission convoy corridor"
).split()
_HEDGES = (
    "would probably",
    "could",
    "may",
    "might",
    "is likely to",
    "is expected to",
    "would possibly",
    "reportedly plans to",
    "would likely",
)
_PLAIN_FUTURE = {
    "would probably": "will",
    "could": "will",
    "may": "will",
    "might": "will",
    "is likely to": "will",
    "is expected to": "will",
    "would possibly": "will",
    "reportedly plans to": "plans to",
    "would likely": "will",
}
_SAY = (
    "said",
    "told reporters",
    "said in a statement",
    "told a news conference",
    "said on Twitter",
    "wrote in a letter",
    "said in an interview",
)
_TIMES = (
    "on Monday",
    "on Tuesday",
    "on Wednesday",
    "on Thursday",
    "on Friday",
    "last week",
    "this month",
    "by the end of the year",
    "in March",
    "in June",
    "in September",
    "next spring",
    "within weeks",
    "earlier this year",
    "overnight",
)
_UNITS = (
    "troops",
    "people",
    "tonnes of grain",
    "million dollars",
    "percent",
    "homes",
    "doctors",
    "vehicles",
    "families",
    "billion euros",
    "cases",
    "kilometres",
    "jobs",
    "flights",
    "patients",
)
_DETAILS = (
    "including {n} more {u} from {place}",
    "at a cost of about {n} million dollars",
    "a move first proposed {time}",
    "after months of pressure from {org}",
    "in what {person} called a turning point",
    "despite objections from the {org}",
    "the largest such step since {year}",
)
_BOILERPLATE = (
    "Read the full article at {outlet}.",
    "Sign up for the {outlet} newsletter to get the latest stories.",
    "Share this article on social media.",
    "Advertisement",
    "Follow {outlet} for more updates on this story.",
    "Copyright {year} {outlet}. All rights reserved.",
)


_REWRITE_FRAMES = (
    "it emerged that",
    "sources suggest a link between",
    "observers point to",
    "in a development involving",
    "the picture now includes",
    "reports describe",
    "attention has turned to",
    "there is talk of",
)
_REWRITE_TAILS = (
    "amid growing scrutiny",
    "as events unfold",
    "according to the outlet",
    "in recent days",
    "with more to come",
    "for now",
)


def _name(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(parts)).capitalize()


@dataclass(frozen=True)
class Cast:
    """The people, organisations and places one story talks about."""

    people: tuple[tuple[str, str], ...]
    orgs: tuple[str, ...]
    places: tuple[str, ...]
    nouns: tuple[int, ...]
    plain: tuple[str, ...]
    outlet: str
    year: int


def _cast(rng: random.Random) -> Cast:
    places = tuple(_name(rng, rng.randint(2, 3)) + rng.choice(_PLACE_SUFFIXES) for _ in range(3))
    people = tuple((f"{rng.choice(_GIVEN)} {_name(rng, rng.randint(2, 3))}", rng.choice(_TITLES)) for _ in range(4))
    orgs = tuple(f"{rng.choice(places)} {rng.choice(_ORG_KINDS)}" for _ in range(2)) + (
        f"{_name(rng, 2)} {rng.choice(_ORG_KINDS)}",
    )
    outlet = f"{_name(rng, 2)} {rng.choice(_OUTLET_KINDS)}"
    nouns = tuple(rng.sample(range(len(_NOUNS)), 6))
    plain = tuple(rng.sample(_PLAIN_NOUNS, 4))
    return Cast(people, orgs, places, nouns, plain, outlet, rng.randint(1995, 2024))


@dataclass
class GenSentence:
    """One generated sentence as word slots: plain strings, or [group, chosen] lists that a paraphrase can swap."""

    parts: list
    hedge: str | None = None
    quote: tuple[int, int] | None = None  # slice of parts inside quotation marks
    gold: str = GOLD_SUPPORTED
    source: int | None = None  # index of the origin sentence it derives from

    def text(self) -> str:
        words = [p if isinstance(p, str) else p[1] for p in self.parts]
        if self.quote is not None:
            a, b = self.quote
            words[a] = "\u201c" + words[a]
            words[b - 1] = words[b - 1] + ",\u201d"
        out = " ".join(w for w in words if w)
        k = 1 if out[0] == "\u201c" else 0
        return out[:k] + out[k].upper() + out[k + 1 :] + "."


def _num(rng: random.Random) -> str:
    n = rng.choice((rng.randint(2, 99), rng.randint(100, 999), rng.randint(1, 90) * 100, rng.randint(1, 40) * 1000))
    return f"{n:,}"


def _g(rng: random.Random, groups: list[list[str]], idx: int | None = None) -> list:
    group = groups[idx] if idx is not None else rng.choice(groups)
    return [group, group[0]]


def _sentence(rng: random.Random, c: Cast) -> GenSentence:
    kind = rng.randrange(9)
    person, title = rng.choice(c.people)
    org, place = rng.choice(c.orgs), rng.choice(c.places)
    noun = _g(rng, _NOUNS, rng.choice(c.nouns))
    if kind == 0:
        hedge = rng.choice(_HEDGES)
        parts = [
            "the",
            org,
            hedge,
            "send",
            _num(rng),
            rng.choice(_UNITS),
            "to",
            place,
            rng.choice(_TIMES),
            "under",
            "the",
            _g(rng, _ADJS),
            rng.choice(c.plain),
            noun,
        ]
        return GenSentence(parts, hedge=hedge)
    if kind == 1:
        parts = [
            person + ",",
            "the",
            title,
            "of",
            "the",
            org + ",",
            rng.choice(_SAY),
            "that",
            "the",
            _g(rng, _ADJS),
            noun,
            "in",
            place,
            "was",
            rng.choice(("not sustainable", "moving forward", "under review", "a priority", "far from over")),
        ]
        return GenSentence(parts)
    if kind == 2:
        parts = [
            "we",
            "have",
            _g(rng, _VERBS),
            "the",
            noun,
            "and",
            "the",
            _g(rng, _NOUNS, rng.choice(c.nouns)),
            "will",
            "reach",
            place,
            rng.choice(_TIMES),
            person,
            rng.choice(_SAY[:2]),
        ]
        return GenSentence(parts, quote=(0, 12))
    if kind == 3:
        parts = [
            "the",
            org,
            _g(rng, _VERBS),
            "a",
            _g(rng, _ADJS),
            noun,
            "worth",
            _num(rng),
            rng.choice(_UNITS),
            rng.choice(_TIMES) + ",",
            "as",
            rng.choice(c.plain),
            "talks",
            "in",
            place,
            "continued",
        ]
        return GenSentence(parts)
    if kind == 4:
        hedge = rng.choice(_HEDGES)
        parts = [
            "according",
            "to",
            "people",
            "familiar",
            "with",
            "the",
            "matter,",
            "the",
            _g(rng, _NOUNS, rng.choice(c.nouns)),
            hedge,
            "include",
            _num(rng),
            rng.choice(_UNITS),
            "for",
            place,
        ]
        return GenSentence(parts, hedge=hedge)
    if kind == 5:
        parts = [
            _num(rng),
            rng.choice(_UNITS),
            "were",
            "affected",
            "in",
            place,
            "after",
            "the",
            org,
            _g(rng, _VERBS),
            "the",
            rng.choice(c.plain),
            noun,
            rng.choice(_TIMES),
        ]
        return GenSentence(parts)
    if kind == 6:
        other, _ = rng.choice(c.people)
        parts = [
            person,
            "and",
            other,
            "met",
            "in",
            place,
            rng.choice(_TIMES),
            "to",
            "settle",
            "a",
            "dispute",
            "over",
            "the",
            rng.choice(c.plain),
            "and",
            _num(rng),
            rng.choice(_UNITS),
            "held",
            "by",
            "the",
            org,
        ]
        return GenSentence(parts)
    if kind == 7:
        hedge = rng.choice(_HEDGES)
        parts = [
            "critics",
            "of",
            "the",
            _g(rng, _ADJS),
            noun,
            "say",
            "it",
            hedge,
            "cost",
            place,
            _num(rng),
            rng.choice(_UNITS),
            "while",
            person + ",",
            "a",
            title + ",",
            "disputed",
            "the",
            "figure",
        ]
        return GenSentence(parts, hedge=hedge)
    parts = [
        "the",
        rng.choice(c.plain),
        "in",
        place,
        "has",
        "been",
        "closed",
        "since",
        rng.choice(_TIMES[:8]) + ",",
        "and",
        "the",
        org,
        _g(rng, _VERBS),
        "a",
        _g(rng, _NOUNS, rng.choice(c.nouns)),
        "for",
        _num(rng),
        rng.choice(_UNITS),
    ]
    return GenSentence(parts)


def _origin_sentences(rng: random.Random, c: Cast) -> tuple[str, list[GenSentence]]:
    n = rng.randint(ORIGIN_SENTENCES_MIN, ORIGIN_SENTENCES_MAX)
    sents = [_sentence(rng, c) for _ in range(n)]
    head = _sentence(rng, c)
    headline = " ".join(w if isinstance(w, str) else w[1] for w in head.parts[:9]).title()
    return headline, sents


def _paragraphs(lines: list[str], rng: random.Random) -> str:
    out, i = [], 0
    while i < len(lines):
        k = rng.randint(1, 3)
        out.append(" ".join(lines[i : i + k]))
        i += k
    return "\n\n".join(out)


@dataclass(frozen=True)
class Article:
    """A generated article and its ground truth."""

    position: int
    key: str
    outlet: str
    headline: str
    text: str
    role: str
    story: int
    origin_position: int | None
    edits: tuple[str, ...] = ()
    gold_labels: tuple[str, ...] = field(default=())  # per body sentence, in order, for derivatives
    body_sentences: tuple[str, ...] = field(default=())


def _copy(s: GenSentence, **kw) -> GenSentence:
    return GenSentence(
        [p if isinstance(p, str) else list(p) for p in s.parts],
        s.hedge,
        s.quote,
        kw.get("gold", s.gold),
        kw.get("source", s.source),
    )


def _derive(rng: random.Random, c: Cast, origin: list[GenSentence], origin_outlet: str) -> tuple[list, list, tuple]:
    """Body sentences, their gold labels, and the edits applied."""
    body = [_copy(s, source=i, gold=GOLD_SUPPORTED) for i, s in enumerate(origin)]
    outlet = f"{_name(rng, 2)} {rng.choice(_OUTLET_KINDS)}"
    roll = rng.random()
    if roll < 0.12:
        edits: tuple[str, ...] = (EDIT_COPY,)
    elif roll < 0.12 + REWRITE_SHARE:
        edits = (EDIT_TRIM, EDIT_REWRITE)
    else:
        edits = tuple(sorted(rng.sample(EDITS, rng.randint(2, 4)), key=EDITS.index))
    if EDIT_TRIM in edits:
        keep = rng.uniform(0.35, 0.85)
        if rng.random() < 0.5:
            body = body[: max(6, int(len(body) * keep))]
        else:
            body = [s for s in body if rng.random() < keep] or body[:6]
    if EDIT_REORDER in edits:
        head, rest = body[:2], body[2:]
        blocks = [rest[i : i + 3] for i in range(0, len(rest), 3)]
        rng.shuffle(blocks)
        body = head + [s for b in blocks for s in b]
    if EDIT_PARAPHRASE in edits:
        for s in body:
            if rng.random() < 0.6:
                for p in s.parts:
                    if not isinstance(p, str) and rng.random() < 0.7:
                        p[1] = rng.choice([w for w in p[0] if w != p[1]])
    if EDIT_REWRITE in edits:
        for s in body:
            kept = [p for p in s.parts if isinstance(p, str) and (p[:1].isupper() or p[:1].isdigit())]
            swapped = [rng.choice(p[0]) for p in s.parts if not isinstance(p, str)]
            words = kept + swapped
            rng.shuffle(words)
            frame = rng.choice(_REWRITE_FRAMES)
            s.parts = frame.split() + words + [rng.choice(_REWRITE_TAILS)]
            s.hedge, s.quote, s.gold = None, None, GOLD_REWRITE
    altered = [s for s in body if s.gold == GOLD_SUPPORTED]
    if EDIT_HEDGE_DROPPED in edits:
        for s in [s for s in altered if s.hedge][:3]:
            i = s.parts.index(s.hedge)
            s.parts[i] = _PLAIN_FUTURE[s.hedge]
            s.hedge, s.gold = None, GOLD_ALTERED
    if EDIT_QUOTE_ALTERED in edits:
        for s in [s for s in altered if s.quote and s.gold == GOLD_SUPPORTED][:2]:
            s.parts[8] = "must"
            s.parts.insert(2, "already")
            s.quote = (0, s.quote[1] + 1)
            s.gold = GOLD_ALTERED
    if EDIT_ADDED_DETAIL in edits:
        pool = [s for s in altered if s.gold == GOLD_SUPPORTED] or altered
        for s in rng.sample(pool, min(3, len(pool))):
            detail = rng.choice(_DETAILS).format(
                n=_num(rng),
                u=rng.choice(_UNITS),
                place=_name(rng, 3),
                time=rng.choice(_TIMES),
                org=f"{_name(rng, 2)} {rng.choice(_ORG_KINDS)}",
                person=f"{rng.choice(_GIVEN)} {_name(rng, 3)}",
                year=rng.randint(1950, 2020),
            )
            s.parts[-1] = (s.parts[-1] if isinstance(s.parts[-1], str) else s.parts[-1][1]) + ","
            s.parts.append(detail)
            s.gold = GOLD_ALTERED
    if EDIT_OTHER_SOURCE in edits:
        other = _cast(rng)
        for _ in range(rng.randint(2, 5)):
            s = _sentence(rng, other)
            who = f"{_name(rng, 2)} {rng.choice(_OUTLET_KINDS)}"
            s.parts = ["the", who, "reported", "that"] + s.parts
            s.quote = None
            s.gold, s.source = GOLD_OTHER_SOURCE, None
            body.insert(rng.randint(1, len(body)), s)
    if rng.random() < 0.3:
        body.insert(
            0, GenSentence(["the", "report", "was", "first", "published", "by", "the", origin_outlet], gold=GOLD_CREDIT)
        )
    return body, outlet, edits


class Corpus:
    """An archive of ``size`` articles for ``seed``; ``article(i)`` is deterministic, and positions are
    publication order (a derivative always comes after its origin).

    Queries (``query(j)``) are new articles beyond the archive: derivatives of archive stories (and a share of
    unrelated new reports), the articles a newsroom would trace as they arrive.

    ``realistic``: unrelated reports come from other desks (``benchmarks.beats``: their own vocabulary and sentence
    shapes, nothing shared with the news stories' frames), and a share of them (NEAR_MISS_SHARE) are near misses: a
    report about an earlier story's people, places and organisations, told with the same frames, about another
    event (fresh sentences, numbers and times). Neither is any story's derivative: traced right, each starts its own.
    """

    def __init__(
        self, size: int, seed: int = 7, unrelated_share: float = UNRELATED_SHARE, *, realistic: bool = False
    ) -> None:
        self.size = size
        self.seed = seed
        self.realistic = realistic
        rng = np.random.default_rng(seed)
        self.origin_of = np.full(size, -1, dtype=np.int64)
        self.story_of = np.arange(size, dtype=np.int64)
        self.is_origin = np.zeros(size, dtype=bool)
        # Stories start at positions chosen up front; their derivatives are scattered after them.
        free = np.ones(size, dtype=bool)
        for i in range(size):
            if not free[i]:
                continue
            free[i] = False
            if rng.random() < unrelated_share:
                continue
            n_der = int(rng.integers(1, DERIVATIVES_MAX + 1))
            slots = i + 1 + rng.integers(0, STORY_WINDOW, size=n_der * 2)
            placed = 0
            for slot in slots:
                if slot < size and free[slot] and placed < n_der:
                    free[slot] = False
                    self.origin_of[slot] = i
                    self.story_of[slot] = i
                    placed += 1
            if placed:
                self.is_origin[i] = True
        # Realistic archive: an unrelated position may be a near miss of a story begun within STORY_WINDOW before it.
        self.near_miss_of = np.full(size, -1, dtype=np.int64)
        if realistic:
            origins = np.flatnonzero(self.is_origin)
            near_rng = np.random.default_rng(seed + 0x4E4D)
            for i in np.flatnonzero((self.origin_of < 0) & ~self.is_origin):
                lo, hi = np.searchsorted(origins, [i - STORY_WINDOW, i])
                if hi > lo and near_rng.random() < NEAR_MISS_SHARE:
                    self.near_miss_of[i] = origins[near_rng.integers(lo, hi)]

    def __len__(self) -> int:
        return self.size

    def role(self, i: int) -> str:
        if self.origin_of[i] >= 0:
            return ROLE_DERIVATIVE
        if self.is_origin[i]:
            return ROLE_ORIGIN
        return ROLE_NEAR_MISS if self.near_miss_of[i] >= 0 else ROLE_UNRELATED

    def _story(self, story: int) -> tuple[Cast, str, list[GenSentence]]:
        rng = random.Random(self.seed * 1_000_003 + story * 2 + 1)
        cast = _cast(rng)
        headline, sents = _origin_sentences(rng, cast)
        return cast, headline, sents

    def _build(
        self, position: int, key: str, story: int, origin_position: int | None, variant_seed: int, role: str
    ) -> Article:
        rng = random.Random(variant_seed)
        if self.realistic and role in (ROLE_UNRELATED, ROLE_NEAR_MISS):
            return self._other_report(position, key, story, variant_seed, role)
        cast, headline, sents = self._story(story)
        if origin_position is None:
            body, outlet, edits = sents, cast.outlet, ()
            gold: tuple[str, ...] = ()
        else:
            body, outlet, edits = _derive(rng, cast, sents, cast.outlet)
            gold = tuple(s.gold for s in body)
            if rng.random() < 0.6:
                headline = headline.replace(" The ", " A ", 1) + ": What We Know"
        lines = [s.text() for s in body]
        fmt = {"outlet": outlet, "year": cast.year}
        top = f"{cast.places[0].upper()} ({outlet}) - " if origin_position is None else ""
        text_body = _paragraphs(lines, rng)
        tail = "\n\n".join(b.format(**fmt) for b in rng.sample(_BOILERPLATE, 2))
        text = f"{headline}\n\n{top}{text_body}\n\n{tail}"
        return Article(position, key, outlet, headline, text, role, story, origin_position, edits, gold, tuple(lines))

    def _other_report(self, position: int, key: str, story: int, variant_seed: int, role: str) -> Article:
        """A realistic archive's unrelated report (another desk's) or near miss (``story``'s cast, another event)."""
        rng = random.Random(variant_seed)
        if role == ROLE_NEAR_MISS:
            cast = self._story(story)[0]
            headline, sents = _origin_sentences(random.Random(variant_seed ^ 0x5EED), cast)
            lines = [s.text() for s in sents[: rng.randint(14, len(sents))]]
            outlet = f"{_name(rng, 2)} {rng.choice(_OUTLET_KINDS)}"
            top = f"{cast.places[0].upper()} ({outlet}) - "
            fmt = {"outlet": outlet, "year": cast.year}
        else:
            headline, lines = beats.report(rng)
            outlet = f"{_name(rng, 2)} {rng.choice(_OUTLET_KINDS)}"
            top = ""
            fmt = {"outlet": outlet, "year": rng.randint(1995, 2024)}
        tail = "\n\n".join(b.format(**fmt) for b in rng.sample(_BOILERPLATE, 2))
        text = f"{headline}\n\n{top}{_paragraphs(lines, rng)}\n\n{tail}"
        return Article(position, key, outlet, headline, text, role, story, None, (), (), tuple(lines))

    def article(self, i: int) -> Article:
        if not 0 <= i < self.size:
            raise IndexError(i)
        origin = int(self.origin_of[i])
        near = int(self.near_miss_of[i])
        story = near if near >= 0 else int(self.story_of[i])
        return self._build(i, f"a{i}", story, origin if origin >= 0 else None, self.seed * 7_000_001 + i, self.role(i))

    def query(self, j: int, unrelated_share: float = 0.1) -> Article:
        """New article number ``j`` arriving after the archive: a derivative of an archive story, or unrelated."""
        rng = random.Random(self.seed * 9_000_011 + j)
        position = self.size + j
        origins = np.flatnonzero(self.is_origin) if not hasattr(self, "_origins") else self._origins
        self._origins = origins
        if rng.random() < unrelated_share or len(origins) == 0:
            if self.realistic and len(origins) and rng.random() < NEAR_MISS_SHARE:
                story = int(origins[rng.randrange(len(origins))])
                return self._build(position, f"q{j}", story, None, self.seed * 5_000_011 + j, ROLE_NEAR_MISS)
            return self._build(position, f"q{j}", position, None, self.seed * 5_000_011 + j, ROLE_UNRELATED)
        origin = int(origins[rng.randrange(len(origins))])
        return self._build(position, f"q{j}", origin, origin, self.seed * 5_000_011 + j, ROLE_DERIVATIVE)

    def iter_articles(self, start: int = 0, stop: int | None = None):
        for i in range(start, self.size if stop is None else min(stop, self.size)):
            yield self.article(i)
