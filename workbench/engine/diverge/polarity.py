"""Polarity: the claim says the opposite of its origin sentence. A negation added or removed ("will not raise" /
"will raise"), a word swapped for its opposite ("narrowed" / "widened", "approved" / "rejected"), a figure said to
move the other way ("up from" / "down from"). The flag names the reversing words on both sides."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..lexicon import (
    LIGHT_WORDS,
    NEGATIVE_CONTEXT,
    NEGATIVE_VERBS,
    NEGATOR_BREAKERS,
    NEGATORS,
    OPPOSITES,
    STOPWORDS,
    Token,
    tokens,
)
from ..types import Flag, FlagType
from .base import Pair, flag

# A negator reaches the predicate at most this many words after it ("did not immediately respond").
NEGATION_WINDOW = 4
# The claim and the origin sentence must say the same thing otherwise: this share of the claim's content words is
# found in the aligned origin sentences.
SAME_STATEMENT_MIN_SHARE = 0.5
# Swapped opposites must stand among the same words: a content word this close on either side is shared.
NEIGHBOUR_WORDS = 3
NEGATION_NEIGHBOURS = 2
_SKIPPED = frozenset(
    """be is are was were been being am have has had do does did will would shall should can could may might must
    to yet even also still one immediately currently always ever so the a an any its their his her""".split()
)
_SENTENCE_BREAK = re.compile(r"[;:()\"\u201c\u201d]")
_CLAUSE_BREAK = re.compile(r"[,;:()\u2014\u2013\"\u201c\u201d]|\s-\s|\b(?:but|and|or|while|because|although)\b")
_REPORTING = frozenset("say says said tell told".split())
_DIRECTIONS = (frozenset({"up"}), frozenset({"down"}))
_PREFIXES = ("un", "non")


def polarity_flags(pair: Pair) -> list[Flag]:
    claim = pair.claim
    ctoks = pair.ctoks
    content = [t for t in ctoks if _is_content(t)]
    if not content:
        return []
    shared = sum(1 for t in content if t.stem in pair.o_stems)
    if shared < SAME_STATEMENT_MIN_SHARE * len(content):
        return []
    for k, (_, otext) in enumerate(pair.origin):
        otoks = tokens(otext)
        found = _negation_reversal(claim, ctoks, otext, otoks) or _opposite_reversal(claim, ctoks, otext, otoks)
        if found is not None:
            (cs, ce), (os_, oe) = found
            explanation = f"the origin says '{otext[os_:oe]}'; the claim says the opposite: '{claim[cs:ce]}'"
            return [flag(FlagType.POLARITY_REVERSED, claim, (cs, ce), pair.origin, (k, os_, oe), explanation)]
    return []


def _is_content(t: Token) -> bool:
    return t.norm not in STOPWORDS and len(t.norm) > 2 and t.norm not in LIGHT_WORDS


def _breaks(text: str, a: Token, b: Token) -> bool:
    """Whether a clause boundary stands between tokens `a` and `b` (a before b)."""
    return bool(_CLAUSE_BREAK.search(text[a.end : b.start]))


def _negator_at(toks: Sequence[Token], i: int) -> bool:
    t = toks[i]
    nxt = toks[i + 1].norm if i + 1 < len(toks) else ""
    if nxt in NEGATOR_BREAKERS:
        return False
    if t.norm in NEGATORS or t.norm.endswith("n't"):
        return True
    return t.norm in NEGATIVE_VERBS and nxt == "to"


def _negated_predicates(text: str, toks: Sequence[Token]) -> list[tuple[int, int]]:
    """(negator, predicate) token positions: the first content word a negator reaches within its clause."""
    out = []
    for i in range(len(toks)):
        if not _negator_at(toks, i):
            continue
        for j in range(i + 1, min(i + 2 + NEGATION_WINDOW, len(toks))):
            if _breaks(text, toks[j - 1], toks[j]):
                break
            t = toks[j]
            if t.norm in _SKIPPED or t.norm in NEGATORS or t.norm.endswith("ly"):
                continue
            if t.norm not in STOPWORDS or t.norm in _REPORTING:
                out.append((i, j))
            break
    return out


def _is_negated(text: str, toks: Sequence[Token], j: int) -> bool:
    """Whether a negator, or a word that puts what follows in the negative ("run afoul of"), stands within reach
    before token `j`. Read loosely, across commas and dashes ("never, ever happen"): a reversal is reported only when
    the plain side is plainly not negated."""
    for i in range(j - 1, max(-1, j - 2 - NEGATION_WINDOW), -1):
        if _SENTENCE_BREAK.search(text[toks[i].end : toks[i + 1].start]):
            return False
        if _negator_at(toks, i) or toks[i].norm in NEGATIVE_CONTEXT:
            return True
    return False


def _negation_reversal(
    claim: str, ctoks: Sequence[Token], otext: str, otoks: Sequence[Token]
) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """A predicate negated on one side and stated plainly on the other."""
    for negated_side, plain_side, claim_negated in ((otext, claim, False), (claim, otext, True)):
        n_toks = ctoks if claim_negated else otoks
        p_toks = otoks if claim_negated else ctoks
        for i, j in _negated_predicates(negated_side, n_toks):
            pred = n_toks[j]
            matches = [m for m, t in enumerate(p_toks) if _same_word(t, pred)]
            if not matches or any(_is_negated(plain_side, p_toks, m) for m in matches):
                continue
            matches = [m for m in matches if _same_place(n_toks, j, p_toks, m, NEGATION_NEIGHBOURS)]
            if not matches:
                continue
            plain = p_toks[matches[0]]
            neg_span = (n_toks[i].start, pred.end)
            plain_span = (plain.start, plain.end)
            return (neg_span, plain_span) if claim_negated else (plain_span, neg_span)
    return None


def _same_word(a: Token, b: Token) -> bool:
    """The same word in another form ("comment" / "commented"), beyond what the light stemmer folds."""
    if a.stem == b.stem:
        return True
    short, long_ = sorted((a.norm, b.norm), key=len)
    return len(short) >= 4 and long_.startswith(short) and len(long_) - len(short) <= 3


def _sides(toks: Sequence[Token], i: int) -> list[tuple[int, int]]:
    """The (opposite pair, side) entries of word `i`: "rose" is on the rising side of the direction pair."""
    t = toks[i]
    out = [(p, s) for p, pair in enumerate(OPPOSITES) for s in (0, 1) if t.norm in pair[s]]
    nxt = toks[i + 1].norm if i + 1 < len(toks) else ""
    if (nxt == "from" or nxt[:1].isdigit()) and t.norm in _DIRECTIONS[0] | _DIRECTIONS[1]:
        out.append((len(OPPOSITES), 0 if t.norm in _DIRECTIONS[0] else 1))
    return out


def _same_place(a_toks: Sequence[Token], i: int, b_toks: Sequence[Token], j: int, reach: int) -> bool:
    """Whether words `a_toks[i]` and `b_toks[j]` stand among the same words: a content word (or figure) within `reach`
    before both, or within `reach` after both."""

    def near(toks: Sequence[Token], k: int) -> tuple[set[str], set[str]]:
        before = [t.stem for t in toks[:k] if _is_content(t) or t.norm[:1].isdigit()][-reach:]
        after = [t.stem for t in toks[k + 1 :] if _is_content(t) or t.norm[:1].isdigit()][:reach]
        return set(before), set(after)

    a_before, a_after = near(a_toks, i)
    b_before, b_after = near(b_toks, j)
    return bool(a_before & b_before or a_after & b_after)


def _opposite_reversal(
    claim: str, ctoks: Sequence[Token], otext: str, otoks: Sequence[Token]
) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """A word of the origin swapped for its opposite among the same neighbours, neither side negated."""
    c_stems = {t.stem for t in ctoks}
    o_stems = {t.stem for t in otoks}
    c_norms = {t.norm for t in ctoks}
    o_norms = {t.norm for t in otoks}
    for ci, c in enumerate(ctoks):
        c_sides = _sides(ctoks, ci)
        for oi, o in enumerate(otoks):
            if c.stem in o_stems or o.stem in c_stems or c.norm in o_norms or o.norm in c_norms:
                continue
            opposite = any((p, 1 - s) in c_sides for p, s in _sides(otoks, oi)) or _prefixed(c.norm, o.norm)
            if not opposite or not _same_place(ctoks, ci, otoks, oi, NEIGHBOUR_WORDS):
                continue
            if _leads_a_verb(ctoks, ci) or _leads_a_verb(otoks, oi):
                continue
            if _is_negated(claim, ctoks, ci) != _is_negated(otext, otoks, oi):
                continue
            return (c.start, c.end), (o.start, o.end)
    return None


def _leads_a_verb(toks: Sequence[Token], i: int) -> bool:
    """Whether the word only leads another verb ("begin to exit", "continue to fall"): its own direction is not the
    claim's."""
    return i + 1 < len(toks) and toks[i + 1].norm == "to"


def _prefixed(a: str, b: str) -> bool:
    """Whether one word is the other with a negative prefix ("unclear" / "clear")."""
    for p in _PREFIXES:
        for x, y in ((a, b), (b, a)):
            if x == p + y and len(y) >= 4:
                return True
    return False
