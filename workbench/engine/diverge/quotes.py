"""Quotations: words in quotation marks the origin never says verbatim, and the origin's quoted words restated as
unattributed fact."""

from __future__ import annotations

import re

from ..attribute import find_attribution
from ..lexicon import normalise_for_match
from ..types import Flag, FlagType
from .base import OriginContext, Pair, credited_source, flag, locate, word_bounds
from .mentions import QUOTE

QUOTE_MIN_WORDS = 2
# The origin sentence is mostly a quotation: at least this share of its characters are inside quotation marks.
QUOTED_SENTENCE_SHARE = 0.5


def quote_flags(pair: Pair) -> list[Flag]:
    claim, origin, context = pair.claim, pair.origin, pair.context
    flags: list[Flag] = []
    credit = credited_source(claim, own_words=True)
    outlet_credited = credit is not None and context.is_outlet(credit[0])
    for m in QUOTE.finditer(claim):
        inner = m.group("q")
        qn = normalise_for_match(inner)
        if len(qn.split()) < QUOTE_MIN_WORDS:
            continue
        if _quoted_in_origin(inner, context):
            continue
        loc = locate(inner, origin)
        if f" {qn} " in context.norm_text:
            if outlet_credited:
                continue  # the origin outlet's own words, quoted as its words ("as Bloomberg noted")
            expl = "words the origin uses without quotation marks are presented as a direct quote"
        else:
            expl = "the quoted words are not a verbatim quote in the origin"
        flags.append(
            flag(FlagType.QUOTE_ALTERED, claim, word_bounds(claim, m.start("q"), m.end("q")), origin, loc, expl)
        )
    return flags


def _quoted_in_origin(inner: str, context: OriginContext) -> bool:
    """Whether the origin quotes these words: as one quotation, or sentence by sentence in quotations it gives apart
    ("Marburg is a rare disease. We are intensifying ..." from two quotations of the same speaker)."""
    parts = [normalise_for_match(p) for p in re.split(r"(?<=[.!?])\s+", inner)]
    return all(any(part in oq for oq in context.quote_norms) for part in parts if part)


def unquoted_statement_flags(pair: Pair) -> list[Flag]:
    """A statement the origin quotes, restated by the claim with neither quotation marks nor a credit."""
    claim, origin = pair.claim, pair.origin
    if QUOTE.search(claim) or find_attribution(claim) is not None:
        return []
    for k, (_, otext) in enumerate(origin):
        quoted = sum(len(q.group(0)) for q in QUOTE.finditer(otext))
        q = QUOTE.search(otext)
        if q is not None and quoted >= QUOTED_SENTENCE_SHARE * len(otext):
            return [
                flag(
                    FlagType.HEDGE_DROPPED,
                    claim,
                    (0, len(claim)),
                    origin,
                    (k, q.start("q"), q.end("q")),
                    "a quoted statement in the origin is restated as unattributed fact",
                )
            ]
    return []
