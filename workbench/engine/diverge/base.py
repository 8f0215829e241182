"""What every divergence detector is given, and the helpers they share to build reviewer-visible spans.

A detector is a function `(pair: Pair) -> list[Flag]`. `Pair` holds the claim, the origin sentence(s) it aligns to,
what the whole origin article offers (`OriginContext`), and the tokens every detector reads.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

from rapidfuzz import fuzz

from ..attribute import find_attribution
from ..lexicon import FOLD, STOPWORDS, Token, normalise_for_match, number_value, stem, tokens
from ..types import Flag
from .mentions import NUMBER, QUOTE, num_norm

QUOTE_LOCATE_MIN_RATIO = 60.0
DATELINE = re.compile(r"^\s*(?:[A-Z][\w .,'\u2019-]{0,40}?\s)?\([A-Z][\w .&/-]+\)\s*[-\u2013\u2014:]\s*")
NAME_VARIANTS = frozenset(
    """united states kingdom sir mr mrs ms dr inc corp co ltd llc plc president secretary minister chief ceo
    senator governor general professor prof spokesperson spokesman spokeswoman""".split()
)


@dataclass(frozen=True)
class OriginContext:
    """What the whole origin article offers beyond the aligned sentences."""

    stems: frozenset[str]
    norm_text: str
    quote_norms: tuple[str, ...]
    numbers: frozenset[float]
    outlet_stems: frozenset[str]
    names: frozenset[str] = frozenset()
    credited: frozenset[str] = frozenset()


def part_stems(text: str) -> set[str]:
    """Stems of the parts of hyphenated words ("code-named" -> code, name)."""
    return {stem(p) for t in tokens(text) if "-" in t.text for p in t.text.split("-") if p}


def is_novel(t: Token, known: set[str] | frozenset[str]) -> bool:
    if t.stem in known:
        return False
    if "-" in t.text:
        return not any(stem(p) in known for p in t.text.split("-") if p)
    return True


def origin_context(origin_texts: Sequence[str], outlet_names: Sequence[str] = ()) -> OriginContext:
    stems: set[str] = set()
    names: set[str] = set()
    credited: set[str] = set()
    quotes: list[str] = []
    numbers: set[float] = set()
    for text in origin_texts:
        stems.update(t.stem for t in tokens(text))
        stems.update(part_stems(text))
        for line in text.split("\n"):
            for part in re.split(r"(?<=[.!?])\s+", line):
                att = find_attribution(part)
                if att is not None:
                    credited.update(
                        t.stem for n in (att.source, att.speaker) if n for t in tokens(n) if t.is_capitalised
                    )
        for t in tokens(text):
            before = text[: t.start].rstrip()
            if t.is_capitalised and before and before[-1] not in '.:!?"\u201c\u2014\u2013-(\n':
                names.add(t.stem)
        quotes.extend(normalise_for_match(m.group("q")) for m in QUOTE.finditer(text))
        numbers.update(v for m in NUMBER.finditer(text) if (v := number_value(num_norm(m.group("n")))) is not None)
    outlet = {t.stem for name in outlet_names if name for t in tokens(name)}
    return OriginContext(
        stems=frozenset(stems | outlet),
        norm_text=" " + normalise_for_match(" ".join(origin_texts)) + " ",
        quote_norms=tuple(quotes),
        numbers=frozenset(numbers),
        outlet_stems=frozenset(outlet),
        names=frozenset(names | outlet),
        credited=frozenset(credited | outlet),
    )


@dataclass(frozen=True)
class Pair:
    """A claim and the origin sentences `(index, text)` it aligns to; `score` is the alignment's, when known."""

    claim: str
    origin: Sequence[tuple[int, str]]
    context: OriginContext
    score: float | None = None

    @cached_property
    def dateline_end(self) -> int:
        m = DATELINE.match(self.claim)
        return m.end() if m else 0

    @cached_property
    def ctoks(self) -> list[Token]:
        """The claim's words after its dateline."""
        return [t for t in tokens(self.claim) if t.start >= self.dateline_end]

    @cached_property
    def otoks(self) -> list[Token]:
        return [t for _, text in self.origin for t in tokens(text)]

    @cached_property
    def c_stems(self) -> set[str]:
        return {t.stem for t in self.ctoks}

    @cached_property
    def c_norms(self) -> set[str]:
        return {t.norm for t in self.ctoks}

    @cached_property
    def o_stems(self) -> set[str]:
        return {t.stem for t in self.otoks}

    @cached_property
    def o_norms(self) -> set[str]:
        return {t.norm for t in self.otoks}

    @cached_property
    def o_join(self) -> str:
        return " ".join(text for _, text in self.origin)


Detector = Callable[[Pair], list[Flag]]


def flag(
    type_: str,
    claim: str,
    span: tuple[int, int],
    origin: Sequence[tuple[int, str]],
    origin_span: tuple[int, int, int] | None,
    explanation: str,
) -> Flag:
    """A flag over `claim[span]` and, when given, `origin[k][1][start:end]` for `origin_span == (k, start, end)`."""
    s, e = span
    if origin_span is None:
        return Flag(str(type_), claim[s:e], s, e, None, None, None, explanation, None)
    k, os_, oe = origin_span
    idx, otext = origin[k]
    return Flag(str(type_), claim[s:e], s, e, otext[os_:oe], os_, oe, explanation, idx if k > 0 else None)


def word_bounds(text: str, s: int, e: int) -> tuple[int, int]:
    """`(s, e)` widened to whole words and trimmed of the punctuation and spaces at its ends, so a span never
    starts or ends inside a word."""
    while s > 0 and text[s - 1].isalnum() and s < len(text) and text[s].isalnum():
        s -= 1
    while e < len(text) and e > 0 and text[e - 1].isalnum() and text[e].isalnum():
        e += 1
    while s < e and not text[s].isalnum():
        s += 1
    while e > s and not text[e - 1].isalnum():
        e -= 1
    return s, e


def locate(needle: str, origin: Sequence[tuple[int, str]]) -> tuple[int, int, int] | None:
    """Where `needle` best matches inside one of the aligned origin sentences, on word boundaries."""
    best: tuple[float, int, int, int] | None = None
    low_needle = needle.translate(FOLD).lower()
    for k, (_, otext) in enumerate(origin):
        hay = otext.translate(FOLD).lower()
        if len(hay) != len(otext):
            hay = otext
        al = fuzz.partial_ratio_alignment(low_needle, hay)
        if al is None:
            continue
        if best is None or al.score > best[0]:
            best = (al.score, k, al.dest_start, al.dest_end)
    if best is None or best[0] < QUOTE_LOCATE_MIN_RATIO:
        return None
    _, k, s, e = best
    s, e = word_bounds(origin[k][1], s, e)
    return (k, s, e) if e > s else None


def first_token(origin: Sequence[tuple[int, str]], pred: Callable[[Token], bool]) -> tuple[int, int, int] | None:
    for k, (_, otext) in enumerate(origin):
        for t in tokens(otext):
            if pred(t):
                return k, t.start, t.end
    return None


def claim_anchor(ctoks: Sequence[Token], o_stems: set[str], claim: str) -> tuple[int, int]:
    """The claim's words from the first to the last it shares with the origin; the whole claim when none."""
    shared = [t for t in ctoks if t.stem in o_stems and t.norm not in STOPWORDS]
    if shared:
        return shared[0].start, shared[-1].end
    return 0, len(claim)
