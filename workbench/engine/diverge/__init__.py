"""Type the divergences between a claim and the origin sentence(s) it aligns to.

Every flag rests on visible evidence: the opposite said, numbers, quotations, hedge and certainty words, names and
credits, words the origin never uses, qualifiers left out. One module per family of evidence; each detector takes a
`Pair` and returns its flags, and `DETECTORS` runs them in order, most telling first. Spans are exact slices of the
claim and of one origin sentence, on word boundaries.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..lexicon import normalise_for_match, tokens
from ..types import Flag
from .base import Detector, OriginContext, Pair, origin_context
from .certainty import certainty_flags, hedge_flags
from .detail import added_detail_flags
from .names import attribution_flags, dropped_attribution_flags, entity_flags
from .numbers import number_flags, weekday_flags
from .polarity import polarity_flags
from .qualifiers import qualifier_flags
from .quotes import quote_flags, unquoted_statement_flags

DETECTORS: tuple[Detector, ...] = (
    polarity_flags,
    number_flags,
    weekday_flags,
    quote_flags,
    unquoted_statement_flags,
    hedge_flags,
    certainty_flags,
    attribution_flags,
    entity_flags,
    added_detail_flags,
    qualifier_flags,
    dropped_attribution_flags,
)


def detect_flags(
    claim: str,
    origin: Sequence[tuple[int, str]],
    context: OriginContext,
    *,
    score: float | None = None,
) -> list[Flag]:
    """Divergence flags of `claim` against its aligned origin sentences `(index, text)`, best first, each reported
    once. `score` is the alignment's; detectors that judge only close copies need it."""
    if not claim.strip() or not origin:
        return []
    pair = Pair(claim, tuple(origin), context, score)
    cut = _origin_cut(pair)
    return _dedupe([f for detect in DETECTORS for f in detect(pair) if f.span_start < cut])


def _origin_cut(pair: Pair) -> int:
    """Where in the claim the aligned origin text stops, when the origin as collected breaks off: mid-word ("More than
    460 people have died in the past tw" against the claim's "... in the past two decades"), or unpunctuated where the
    origin article ends. What the claim says past that point cannot be compared, so it is not flagged. The claim's
    end when the origin sentence is whole (a sentence merely unpunctuated inside the origin is whole)."""
    otext = pair.origin[-1][1].rstrip()
    otoks = tokens(otext)
    if len(otoks) < CUT_MIN_WORDS or not otext[-1:].isalnum():
        return len(pair.claim)
    stub = otoks[-1].norm
    completed = [t for t in pair.ctoks if t.norm != stub and t.norm.startswith(stub)]
    if completed:
        return completed[-1].start
    if not pair.context.norm_text.rstrip().endswith(normalise_for_match(otext)):
        return len(pair.claim)
    # The origin article itself stops here, unpunctuated: the claim is compared up to the origin's last words.
    last_whole = otoks[-2]
    match = [t for t in pair.ctoks if t.stem == last_whole.stem]
    return match[-1].end if match else len(pair.claim)


CUT_MIN_WORDS = 4


def _dedupe(flags: list[Flag]) -> list[Flag]:
    """Each divergence once: a flag is dropped when an earlier one of the same type covers any of its words (two
    detectors reading the same change), and an empty span is no flag."""
    out: list[Flag] = []
    for f in flags:
        if f.span_end <= f.span_start:
            continue
        if any(g.type == f.type and g.span_start < f.span_end and f.span_start < g.span_end for g in out):
            continue
        out.append(f)
    return out


__all__ = ["DETECTORS", "Detector", "OriginContext", "Pair", "detect_flags", "origin_context"]
