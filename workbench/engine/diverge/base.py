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
from ..normalise import acronyms, alias_group, has_date, initials, masked_spans, name_forms, name_is_known
from ..types import Flag
from .mentions import NUMBER, QUOTE, num_norm

QUOTE_LOCATE_MIN_RATIO = 60.0
# "CAIRO, Apr 29 (Reuters/AFP) - ", "NEW YORK - ", "Washington DC - ", "Kigali: ": a place (and the wires) opening
# the sentence.
DATELINE = re.compile(
    r"^\s*(?:(?:[A-Z][\w .,'\u2019-]{0,40}?\s)?\([A-Z][\w .&/-]+\)\s*[-\u2013\u2014:]\s*"
    r"|(?:[A-Z][A-Za-z.'\u2019]+(?:\s+[A-Z][A-Za-z.'\u2019]+){0,2})(?:,\s+[A-Z][\w.]+\s+\d{1,2})?\s+[-\u2013\u2014]\s+"
    r"|[A-Z][A-Z.'\u2019]+(?:\s+[A-Z][A-Z.'\u2019]+){0,2}:\s+)"
)
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
    name_forms: frozenset[str] = frozenset()
    acronyms: frozenset[str] = frozenset()
    outlet_forms: frozenset[str] = frozenset()

    def knows_name(self, t: Token, claim: str = "", *, dates_known: bool = False) -> bool:
        """Whether the origin names what capitalised word `t` names, in any of the forms newsrooms write it; an
        acronym the claim itself spells out ("Pakistan Tehreek-e-Insaf (PTI)") counts as known too. A month or
        weekday is known when `dates_known` (see `normalise.name_is_known`)."""
        found = self.acronyms | (frozenset(acronyms(claim)) if claim and t.text.isupper() else frozenset())
        return name_is_known(t, self.name_forms, found, dates_known=dates_known)

    def is_outlet(self, name: str) -> bool:
        """Whether a credited name is the origin's own outlet in any of its forms ("The Associated Press" for "AP")."""
        bare = re.sub(r"^(?:the|The)\s+", "", name).strip()
        group = alias_group(bare)
        words = [w for w in bare.split() if w[:1].isupper()]
        return bool(
            bare.lower() in self.outlet_forms
            or (group is not None and group & self.outlet_forms)
            or (len(words) >= 2 and initials(words) in self.outlet_forms)
            or (words and all(stem(w) in self.outlet_stems for w in words))
        )

    def knows_credit(self, name: str) -> bool:
        """Whether a credited name ("The Associated Press") is one the origin uses in another form ("AP")."""
        group = alias_group(re.sub(r"^(?:the|The)\s+", "", name))
        if group is not None and group & self.name_forms:
            return True
        words = [w for w in name.split() if w[:1].isupper() and w.lower() != "the"]
        return len(words) >= 2 and initials(words) in self.name_forms


# "..., as Bloomberg noted", "as the Associated Press reported": a credit the attribution finder may not read.
_AS_CREDIT = re.compile(
    r"\bas\s+(?:the\s+)?(?P<src>[A-Z][\w&.'\u2019-]*(?:\s+[A-Z][\w&.'\u2019-]*){0,3})\s+"
    r"(?:first\s+|previously\s+|earlier\s+)?(?:noted|reported|wrote|said|put it|observed|described it|revealed)\b"
)


# "citing people familiar with the matter", "according to sources close to the talks": an unnamed source.
_HEDGED_CREDIT = re.compile(
    r"\b(?:citing|according to|said)\s+(?:(?:two|three|several|multiple|some)\s+)?(?:people|sources?|persons?|"
    r"officials?|a person|a source|insiders?)\s+(?:familiar with|close to|with (?:direct )?knowledge of|briefed on|"
    r"involved in|aware of)\s+(?:the\s+)?[a-z]+(?:\s+[a-z]+)?"
)
# The day of reporting after a credit: "..., the BBC reported on Tuesday", "X said late on Monday".
_CREDIT_DAY = re.compile(
    r"^\s*(?:(?:on|late|early|last)\s+)*(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|"
    r"yesterday|tonight)\b",
    re.IGNORECASE,
)


def credited_source(claim: str, *, own_words: bool = False) -> tuple[str, int, int] | None:
    """The source a claim credits and the span of its credit (with the day of reporting after it), or None. With
    `own_words`, only a named source credited for its own words ("X reported", "as X noted"), not one a speaker
    talked to ("a diplomat told X") nor unnamed people."""
    found: tuple[str, int, int] | None = None
    att = find_attribution(claim)
    if att is not None and (att.source or att.speaker):
        told = att.hedge is not None or re.search(r"\b(?:told|quoted|citing|cited)\b", att.text) is not None
        if not (own_words and (told or att.speaker)):
            found = (att.source or att.speaker or "", att.start, att.end)
    if found is None and (m := _AS_CREDIT.search(claim)) is not None:
        found = (m.group("src"), m.start(), m.end())
    if found is None and not own_words and (m := _HEDGED_CREDIT.search(claim)) is not None:
        found = (m.group(0), m.start(), m.end())
    if found is None:
        return None
    name, start, end = found
    day = _CREDIT_DAY.match(claim[end:])
    return name, start, end + (day.end() if day else 0)


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
        name_forms=name_forms([*origin_texts, *outlet_names]),
        acronyms=frozenset(a for text in origin_texts for a in acronyms(text)),
        outlet_forms=frozenset(n.lower().strip() for n in outlet_names if n),
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
    def masked(self) -> list[tuple[int, int]]:
        """Spans of the claim that add nothing to compare: tickers and converted figures in brackets."""
        return masked_spans(self.claim)

    def is_masked(self, start: int) -> bool:
        return any(s <= start < e for s, e in self.masked)

    @cached_property
    def ctoks(self) -> list[Token]:
        """The claim's words after its dateline, without tickers and converted figures."""
        return [t for t in tokens(self.claim) if t.start >= self.dateline_end and not self.is_masked(t.start)]

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
    def origin_dated(self) -> bool:
        """Whether the aligned origin sentences date what they report: then a date in the claim rewrites theirs."""
        return any(has_date(text) for _, text in self.origin)

    def knows_name(self, t: Token) -> bool:
        return self.context.knows_name(t, self.claim, dates_known=self.origin_dated)

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
    """A flag over `claim[span]` and, when given, `origin[k][1][start:end]` for `origin_span == (k, start, end)`;
    both spans are widened to whole words, so a reviewer never sees a word cut in two."""
    s, e = word_bounds(claim, *span)
    if origin_span is None:
        return Flag(str(type_), claim[s:e], s, e, None, None, None, explanation, None)
    k, os_, oe = origin_span
    idx, otext = origin[k]
    os_, oe = word_bounds(otext, os_, oe)
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
