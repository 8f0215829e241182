"""Added detail: runs of words and names the origin article never uses, and outcomes it never states."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..lexicon import HEDGE_WORDS, LIGHT_WORDS, STOPWORDS, Token, prefix_variants, tokens
from ..types import Flag, FlagType
from .base import NAME_VARIANTS, OriginContext, Pair, credited_source, flag, is_novel

ADDED_RUN_MIN_WORDS = 4
SLOT_MAX_WORDS = 12
PREDICATE_MAX_WORDS = 3
_MODALS = frozenset("will would could may might".split())
_PREDICATE_SKIP = frozenset("also likely probably possibly soon eventually still then not never further only".split())


def _is_content(t: Token) -> bool:
    return (
        t.norm not in STOPWORDS
        and len(t.norm) > 2
        and not t.norm.isdigit()
        and t.norm not in LIGHT_WORDS
        and t.norm not in HEDGE_WORDS
    )


def added_detail_flags(pair: Pair) -> list[Flag]:
    claim, ctoks, origin, context = pair.claim, pair.ctoks, pair.origin, pair.context
    o_stems = pair.o_stems
    flags: list[Flag] = []
    run: list[Token] = []
    runs: list[list[Token]] = []
    credit = _credit_span(claim)
    for t in ctoks:
        if not _is_content(t) or credit[0] <= t.start < credit[1]:
            continue
        if t.is_capitalised and t.start > 0 and pair.knows_name(t):
            if run:
                runs.append(run)
            run = []
            continue
        if is_novel(t, context.stems) and is_novel(t, o_stems):
            run.append(t)
        else:
            if run:
                runs.append(run)
            run = []
    if run:
        runs.append(run)
    for r in runs:
        names = [
            t
            for t in r
            if t.is_capitalised and t.start > 0 and t.norm not in NAME_VARIANTS and not re.search(r"[.\d]", t.text)
        ]
        if len(r) >= ADDED_RUN_MIN_WORDS or names:
            s, e = r[0].start, r[-1].end
            what = "names" if names and len(r) < ADDED_RUN_MIN_WORDS else "specifics"
            slot = _origin_slot(ctoks, (s, e), origin)
            explanation = f"{what} not found anywhere in the origin: '{claim[s:e]}'"
            if slot is not None:
                explanation += f"; where the claim has them, the origin says '{origin[0][1][slot[1] : slot[2]]}'"
            flags.append(flag(FlagType.ADDED_DETAIL, claim, (s, e), origin, slot, explanation))
    flagged = [t for r in runs for t in r if any(f.span_start <= t.start < f.span_end for f in flags)]
    for r in _novel_predicates(ctoks, o_stems, context, flagged, origin):
        s, e = r[0].start, r[-1].end
        flags.append(
            flag(
                FlagType.ADDED_DETAIL,
                claim,
                (s, e),
                origin,
                None,
                f"an outcome the origin never states: '{claim[s:e]}'",
            )
        )
    return flags


def _credit_span(claim: str) -> tuple[int, int]:
    """Where the claim credits a named source ("..., Geo News reported", "according to the BBC"): who is credited
    is for the attribution detector to judge, not added detail."""
    credit = credited_source(claim)
    return (0, 0) if credit is None else (credit[1], credit[2])


def _novel_predicates(
    ctoks: Sequence[Token],
    o_stems: set[str],
    context: OriginContext,
    flagged: Sequence[Token],
    origin: Sequence[tuple[int, str]],
) -> list[list[Token]]:
    """What the claim says will or could happen, in a verb the origin never uses ("... will likely dominate future
    negotiations"): the origin may support the subject, but not this outcome. The verb and the novel words after it
    form the run; words already `flagged` are not flagged again. When the aligned origin sentence itself says what
    will or could happen, the claim's verb is read as a paraphrase of it and left alone."""
    if any(t.norm in _MODALS for _, text in origin for t in tokens(text)):
        return []
    seen = {t.start for t in flagged}
    found: list[list[Token]] = []
    for i, t in enumerate(ctoks):
        if t.norm not in _MODALS:
            continue
        j = i + 1
        while j < len(ctoks) and ctoks[j].norm in _PREDICATE_SKIP:
            j += 1
        if j >= len(ctoks):
            continue
        verb = ctoks[j]
        if verb.norm in STOPWORDS or verb.norm in LIGHT_WORDS or verb.start in seen or len(verb.norm) <= 2:
            continue
        if not (is_novel(verb, context.stems) and is_novel(verb, o_stems)):
            continue
        run = [verb]
        for nxt in ctoks[j + 1 : j + 1 + PREDICATE_MAX_WORDS]:
            if nxt.norm in STOPWORDS or not (is_novel(nxt, context.stems) and is_novel(nxt, o_stems)):
                break
            run.append(nxt)
        found.append(run)
    return found


def _origin_slot(
    ctoks: Sequence[Token], span: tuple[int, int], origin: Sequence[tuple[int, str]]
) -> tuple[int, int, int] | None:
    """The origin words standing where the claim put its added words, between the same two shared words.

    "double its efforts, [delivering ... vehicles] to Kyiv" against "redoubling efforts to [rush more weapons to the
    war-torn country] as Kyiv forces ..." gives the bracketed origin words: what the added detail replaced. None when
    the added words are not bracketed by words both sentences share, in the same order, with a gap of comparable size.
    """
    if not origin:
        return None
    otoks = tokens(origin[0][1])

    def same(c: Token, o: Token) -> bool:
        return c.norm not in STOPWORDS and (c.stem == o.stem or c.stem in prefix_variants({o.stem}))

    before = next((c for c in reversed(ctoks) if c.end <= span[0] and any(same(c, o) for o in otoks)), None)
    after = next((c for c in ctoks if c.start >= span[1] and any(same(c, o) for o in otoks)), None)
    if before is None or after is None:
        return None
    left = next((i for i, o in enumerate(otoks) if same(before, o)), None)
    right = next((i for i, o in enumerate(otoks) if left is not None and i > left and same(after, o)), None)
    if left is None or right is None:
        return None
    inner = list(otoks[left + 1 : right])
    while inner and inner[0].norm in STOPWORDS:
        inner.pop(0)
    while inner and inner[-1].norm in STOPWORDS:
        inner.pop()
    added_words = sum(1 for c in ctoks if span[0] <= c.start and c.end <= span[1])
    if not inner or len(inner) > min(SLOT_MAX_WORDS, 2 * added_words + 2):
        return None
    return 0, inner[0].start, inner[-1].end
