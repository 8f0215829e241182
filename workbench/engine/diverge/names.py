"""Names and attribution: a credit to a party the origin never names, a name put where the origin has another, and
a named speaker's credit dropped."""

from __future__ import annotations

import re
from dataclasses import replace

from ..attribute import find_attribution
from ..lexicon import STOPWORDS, Token, tokens
from ..types import Flag, FlagType
from .base import DATELINE, NAME_VARIANTS, Pair, credited_source, flag
from .mentions import QUOTE

_GENERIC_NAME_WORDS = frozenset("news report reports media agency the outlet article press".split())
_NOT_NAMES = frozenset(
    """the a an this that these those it he she they we i but and however meanwhile according in on at for as
    while when if after before during despite although though earlier later recently also still now then""".split()
)
_NAME_VERBS = frozenset("was is has had were are said says told reported reports".split())
# A claim this close to its origin sentence that drops a named speaker's credit is the same statement, uncredited.
CREDIT_DROP_MIN_SCORE = 0.7


def attribution_flags(pair: Pair) -> list[Flag]:
    """The claim credits a name the origin never uses, where the origin sentence credits someone."""
    claim, origin, context = pair.claim, pair.origin, pair.context
    att = find_attribution(claim)
    if att is None:
        return []
    dateline = DATELINE.match(claim)
    if dateline and att.source and att.source in dateline.group():
        # "April 2 (Reuters) - ..., Bloomberg reported": the dateline credits the rewrite's own wire, and the claim
        # is credited to the source named after it. With no one named after it, the dateline's source is the claim's.
        after = find_attribution(claim[dateline.end() :])
        if after is not None and (after.source or after.speaker):
            att = replace(after, start=after.start + dateline.end(), end=after.end + dateline.end())
    if dateline and att.end <= dateline.end():
        return []
    origin_att = next(((k, a) for k, (_, t) in enumerate(origin) if (a := find_attribution(t)) is not None), None)
    if origin_att is None:
        return []
    k, oatt = origin_att
    for name in (att.source, att.speaker):
        if not name:
            continue
        name_toks = [t for t in tokens(name) if t.is_capitalised and t.norm not in _GENERIC_NAME_WORDS]
        if context.knows_credit(name):
            continue
        if any(t.stem not in context.stems and not pair.knows_name(t) for t in name_toks):
            pos = claim.find(name)
            span = (pos, pos + len(name)) if pos >= 0 else (att.start, att.end)
            return [
                flag(
                    FlagType.ATTRIBUTION_CHANGED,
                    claim,
                    span,
                    origin,
                    (k, oatt.start, oatt.end),
                    f"credited to '{name}', which the origin does not name",
                )
            ]
    return []


def proper_tokens(text: str, known_names: frozenset[str] | None = None) -> list[Token]:
    """Capitalised words that are not sentence-initial or after a colon/quote/bullet; a sentence-initial
    word counts only when it is in `known_names` (stems seen capitalised mid-sentence elsewhere)."""
    out = []
    for t in tokens(text):
        if (
            not t.is_capitalised
            or t.norm in _NOT_NAMES
            or t.norm in NAME_VARIANTS
            or t.norm in STOPWORDS
            or re.search(r"[.\d]", t.text)
        ):
            continue
        before = text[: t.start].rstrip()
        if not before or before[-1] in '.:!?"\u201c\u2014\u2013-(':
            if known_names is None or t.stem not in known_names:
                continue
        out.append(t)
    return out


def entity_flags(pair: Pair) -> list[Flag]:
    """A name the origin never uses stands where the aligned origin sentence has a name the claim dropped."""
    claim, ctoks, origin, context = pair.claim, pair.ctoks, pair.origin, pair.context
    c_stems = {t.stem for t in ctoks}
    credit = credited_source(claim)
    known_credit = credit is not None and (context.is_outlet(credit[0]) or context.knows_credit(credit[0]))
    novel = [
        t
        for t in proper_tokens(claim, context.names)
        if t.stem not in context.stems
        and t.start >= pair.dateline_end
        and not pair.knows_name(t)
        and not (known_credit and credit[1] <= t.start < credit[2])
    ]
    if (
        not novel
        and ctoks
        and ctoks[0].is_capitalised
        and ctoks[0].stem not in context.stems
        and ctoks[0].norm not in STOPWORDS
        and not pair.knows_name(ctoks[0])
    ):
        following = claim[ctoks[0].end :].lstrip()[:1]
        if following and (following.islower() or following in "(,"):
            novel = [ctoks[0]] if _looks_like_name_start(ctoks) else []
    if not novel:
        return []
    otext = origin[0][1]
    dropped = [t for t in proper_tokens(otext, context.names) if t.stem not in c_stems]
    pairs = [(t, d) for t in novel for d in dropped if _same_slot(claim, t, otext, d)]
    if not pairs:
        return []
    t, d = pairs[0]
    catt, oatt = find_attribution(claim), find_attribution(otext)
    credited = (
        (catt is not None and catt.start <= t.start < catt.end)
        or (oatt is not None and oatt.start <= d.start < oatt.end)
        or d.stem in context.credited
    )
    kind = FlagType.ATTRIBUTION_CHANGED if credited else FlagType.ENTITY_CHANGED
    return [
        flag(kind, claim, (t.start, t.end), origin, (0, d.start, d.end), f"'{d.text}' in the origin becomes '{t.text}'")
    ]


def _name_run_neighbours(text: str, tok: Token) -> tuple[str | None, str | None]:
    """The words just before and just after the run of capitalised words that holds `tok`."""
    toks = tokens(text)
    i = next(n for n, x in enumerate(toks) if x.start == tok.start)
    a = i
    while a > 0 and toks[a - 1].is_capitalised and not re.search(r"[.,;:()]", text[toks[a - 1].end : toks[a].start]):
        a -= 1
    b = i
    while (
        b + 1 < len(toks)
        and toks[b + 1].is_capitalised
        and not re.search(r"[.,;:()]", text[toks[b].end : toks[b + 1].start])
    ):
        b += 1
    before = toks[a - 1].norm if a > 0 else None
    after = toks[b + 1].norm if b + 1 < len(toks) else None
    return before, after


def _same_slot(claim: str, novel: Token, otext: str, dropped: Token) -> bool:
    """Whether the claim's new name stands where the origin's dropped one stood: the same word just before or just
    after it ("told Reuters" -> "told CNN"). A name added elsewhere in the sentence is added detail, not a change."""
    c_before, c_after = _name_run_neighbours(claim, novel)
    o_before, o_after = _name_run_neighbours(otext, dropped)
    return (c_before is not None and c_before == o_before) or (c_after is not None and c_after == o_after)


def _looks_like_name_start(ctoks: list[Token]) -> bool:
    """A sentence-initial capitalised word directly followed by a verb-like word (was/is/has/said...)."""
    return len(ctoks) > 1 and ctoks[1].norm in _NAME_VERBS


# The claim restates what the speaker is credited with when it keeps at least this share of that clause's words.
CREDITED_KEPT_SHARE = 0.3
_CLAUSE_END = re.compile(r"[,;:\u2014\u2013]\s")


def _credited_words(text: str, start: int, end: int) -> list[Token]:
    """The content words of the clause a credit governs: the clause holding it ("Rwanda says eight people have died")
    or, when the credit closes its sentence ("..., the minister said"), the clause before it."""
    bounds = [0, *(m.end() for m in _CLAUSE_END.finditer(text)), len(text) + 1]
    pieces = [(a, b) for a, b in zip(bounds, bounds[1:], strict=False)]
    here = next(((a, b) for a, b in pieces if a <= start < b), (0, len(text)))
    words = [t for t in tokens(text[here[0] : here[1]]) if t.norm not in STOPWORDS and len(t.norm) > 2]
    credit = {t.stem for t in tokens(text[start:end])}
    content = [t for t in words if t.stem not in credit]
    if not content and here[0] > 0:
        before = max((a, b) for a, b in pieces if b <= here[0] + 1)
        content = [t for t in tokens(text[before[0] : before[1]]) if t.norm not in STOPWORDS and len(t.norm) > 2]
    return content


def dropped_attribution_flags(pair: Pair) -> list[Flag]:
    """The origin credits a named speaker or a spokesperson for this; the claim, close to it, states it with no
    credit. Judged only when the alignment's score is known and high (`CREDIT_DROP_MIN_SCORE`)."""
    claim, origin = pair.claim, pair.origin
    if pair.score is None or pair.score < CREDIT_DROP_MIN_SCORE:
        return []
    if find_attribution(claim) is not None or QUOTE.search(claim):
        return []
    oatt = find_attribution(origin[0][1])
    if oatt is None or oatt.source:
        return []
    named = oatt.speaker or (oatt.hedge if oatt.hedge and re.search(r"spokes|representative", oatt.hedge) else None)
    if not named:
        return []
    claim_stems = {t.stem for t in tokens(claim)}
    if any(t.stem in claim_stems for t in tokens(named) if t.is_capitalised and t.norm not in NAME_VARIANTS):
        return []
    credited = _credited_words(origin[0][1], oatt.start, oatt.end)
    if credited and sum(t.stem in claim_stems for t in credited) < CREDITED_KEPT_SHARE * len(credited):
        return []  # the claim restates another clause of the sentence, not what the speaker is credited with
    return [
        flag(
            FlagType.HEDGE_DROPPED,
            claim,
            (0, len(claim)),
            origin,
            (0, oatt.start, oatt.end),
            f"the origin credits this to '{oatt.label}'; the claim states it without attribution",
        )
    ]
