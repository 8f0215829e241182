"""Hedges and certainty: the origin's hedge dropped, a certainty or causal word the origin never uses."""

from __future__ import annotations

from ..lexicon import CAUSAL_WORDS, CERTAINTY_WORDS, STOPWORDS, STRONG_HEDGES, tokens
from ..types import Flag, FlagType
from .base import Pair, claim_anchor, first_token, flag

WEAK_MODALS = frozenset("would could may might likely probably possibly plans planning plan expected".split())
# A hedge in the origin counts when one of the next few content words after it is kept in the claim.
HEDGE_SCOPE_WORDS = 3


def hedge_flags(pair: Pair) -> list[Flag]:
    c_hedges = [t for t in pair.ctoks if t.norm in STRONG_HEDGES and t.norm != "would"]
    if c_hedges:
        return []
    first_toks = tokens(pair.origin[0][1])
    o_hedges = [
        t
        for i, t in enumerate(first_toks)
        if t.norm in STRONG_HEDGES
        and t.norm != "would"
        and any(
            x.stem in pair.c_stems
            for x in [y for y in first_toks[i + 1 :] if y.norm not in STOPWORDS][:HEDGE_SCOPE_WORDS]
        )
    ]
    if not o_hedges:
        return []
    h = o_hedges[0]
    return [
        flag(
            FlagType.HEDGE_DROPPED,
            pair.claim,
            claim_anchor(pair.ctoks, pair.o_stems, pair.claim),
            pair.origin,
            first_token(pair.origin, lambda t: t.norm == h.norm),
            f"the origin hedges this with '{h.text}'; the claim states it without a hedge",
        )
    ]


_HEADED = frozenset("led leading".split())


def certainty_flags(pair: Pair) -> list[Flag]:
    ctoks = pair.ctoks
    for i, t in enumerate(ctoks):
        if t.norm in _HEADED and i + 1 < len(ctoks) and ctoks[i + 1].norm == "by":
            continue  # "reforms led by X": who headed them, not a cause
        if t.norm in CERTAINTY_WORDS | CAUSAL_WORDS and t.stem not in pair.o_stems and t.norm not in pair.o_norms:
            if t.norm == "will" and (not (pair.o_norms & WEAK_MODALS) or pair.c_norms & WEAK_MODALS):
                continue
            if t.norm == "will":
                loc = first_token(pair.origin, lambda x: x.norm in WEAK_MODALS)
                expl = "the claim says 'will' where the origin has a conditional or planned outcome"
            else:
                loc = None
                expl = f"'{t.text}' raises certainty or asserts cause beyond what the origin says"
            return [flag(FlagType.CERTAINTY_RAISED, pair.claim, (t.start, t.end), pair.origin, loc, expl)]
    return []
