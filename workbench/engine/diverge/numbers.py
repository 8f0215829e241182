"""Figures: a number changed, its approximator changed or dropped, a figure or a weekday the origin never gives."""

from __future__ import annotations

from ..lexicon import WEEKDAYS, tokens
from ..types import Flag, FlagType
from .base import Pair, credited_source, flag
from .mentions import NumberMention, number_mentions

_APPROX_CLASS = {
    **dict.fromkeys(
        "about approximately around roughly some nearly almost estimated close to an estimated".split(), "approx"
    ),
    "an estimated": "approx",
    "close to": "approx",
    "more than": "lower",
    "over": "lower",
    "at least": "lower",
    "upwards of": "lower",
    "just over": "lower",
    "up to": "upper",
    "as much as": "upper",
    "as many as": "upper",
    "less than": "upper",
    "fewer than": "upper",
    "under": "upper",
    "just under": "upper",
    "as early as": "earliest",
    "as soon as": "earliest",
    "no earlier than": "earliest",
    "no later than": "latest",
    "as few as": "lower",
}
_VAGUE_NUMBERS = frozenset("one couple single dozen few".split())


def number_flags(pair: Pair) -> list[Flag]:
    claim, origin, context = pair.claim, pair.origin, pair.context
    flags: list[Flag] = []
    o_mentions = [(k, m) for k, (_, text) in enumerate(origin) for m in number_mentions(text)]
    mentions = number_mentions(claim)
    for m in mentions:
        if pair.is_masked(m.start) or _converted_beside(pair, m, mentions, context.numbers):
            continue
        same = [(k, om) for k, om in o_mentions if om.value == m.value]
        if same:
            k, om = same[0]
            loc = (k, om.start, om.end)
            if om.unit and m.unit and m.unit != om.unit and not any(x.unit == m.unit for _, x in same):
                flags.append(
                    flag(
                        FlagType.NUMBER_CHANGED,
                        claim,
                        (m.start, m.end),
                        origin,
                        loc,
                        f"the origin's '{origin[k][1][om.start : om.end]}' becomes '{claim[m.start : m.end]}'",
                    )
                )
            elif om.qualifier and not m.qualifier:
                flags.append(
                    flag(
                        FlagType.OMITTED_QUALIFIER,
                        claim,
                        (m.start, m.end),
                        origin,
                        loc,
                        f"the origin qualifies the figure ('{om.qualifier}'); the claim drops it",
                    )
                )
            elif om.qualifier and m.qualifier and _APPROX_CLASS.get(om.qualifier) != _APPROX_CLASS.get(m.qualifier):
                flags.append(
                    flag(
                        FlagType.NUMBER_CHANGED,
                        claim,
                        (m.start, m.end),
                        origin,
                        loc,
                        f"'{om.qualifier}' in the origin becomes '{m.qualifier}'",
                    )
                )
            continue
        rivals = [(k, om) for k, om in o_mentions if om.unit and om.unit == m.unit]
        if any(_rounded(m, om) for _, om in rivals) or m.value in context.numbers:
            continue  # rounded as its approximator says, or a figure the origin gives for something else nearby
        if rivals:
            k, om = rivals[0]
            flags.append(
                flag(
                    FlagType.NUMBER_CHANGED,
                    claim,
                    (m.start, m.end),
                    origin,
                    (k, om.start, om.end),
                    f"the origin gives '{origin[k][1][om.start : om.end]}', the claim '{claim[m.start : m.end]}'",
                )
            )
        elif m.value not in context.numbers and claim[m.start : m.end].lower().split()[-1] not in _VAGUE_NUMBERS:
            flags.append(
                flag(
                    FlagType.ADDED_DETAIL,
                    claim,
                    (m.start, m.end),
                    origin,
                    None,
                    f"the figure '{claim[m.start : m.end]}' is not in the origin",
                )
            )
    return flags


# A figure rounded the way its approximator says: "more than 12 billion" for 12.6 billion, "about 140" for 138.
ROUNDING_MAX_SHARE = 0.1


def _rounded(m: NumberMention, om: NumberMention) -> bool:
    """Whether the claim's figure `m` states the origin's `om` rounded, in the direction its qualifier allows."""
    if not m.value or not om.value or (om.qualifier and _APPROX_CLASS.get(om.qualifier) != "approx"):
        return False
    share = abs(om.value - m.value) / max(abs(om.value), abs(m.value))
    if share > ROUNDING_MAX_SHARE:
        return False
    kind = _APPROX_CLASS.get(m.qualifier or "")
    return (
        kind == "approx"
        or (kind == "lower" and om.value > m.value)
        or (kind == "upper" and om.value < m.value)
        or (m.qualifier is None and om.qualifier is not None)
    )


def _converted_beside(pair: Pair, m: NumberMention, mentions: list[NumberMention], known: frozenset[float]) -> bool:
    """Whether the figure is one side of a conversion in brackets ("Rs 4,000 crore ($480 million)") whose other
    side is the origin's: the claim's own figure is the same amount in other money or units."""
    for s, e in pair.masked:
        if 0 <= s - m.end <= BESIDE_MAX_CHARS:
            inside = [x for x in mentions if s <= x.start < e]
            if any(x.value in known for x in inside):
                return True
    return False


BESIDE_MAX_CHARS = 16


def weekday_flags(pair: Pair) -> list[Flag]:
    """A day of the week the origin gives differently, or never gives."""
    claim, origin = pair.claim, pair.origin
    flags: list[Flag] = []
    o_days = [(k, t) for k, (_, text) in enumerate(origin) for t in tokens(text) if t.norm in WEEKDAYS]
    credit = credited_source(claim)
    for t in tokens(claim):
        if credit is not None and credit[1] <= t.start < credit[2]:
            continue  # the day of reporting added to the credit ("X News reported on Tuesday")
        if t.norm in WEEKDAYS and not any(x.norm == t.norm for _, x in o_days):
            if o_days:
                k, x = o_days[0]
                flags.append(
                    flag(
                        FlagType.NUMBER_CHANGED,
                        claim,
                        (t.start, t.end),
                        origin,
                        (k, x.start, x.end),
                        f"the origin's day '{x.text}' becomes '{t.text}'",
                    )
                )
            elif t.stem not in pair.context.stems:
                flags.append(
                    flag(
                        FlagType.ADDED_DETAIL,
                        claim,
                        (t.start, t.end),
                        origin,
                        None,
                        f"the day '{t.text}' is not in the origin",
                    )
                )
    return flags
