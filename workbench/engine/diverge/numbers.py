"""Figures: a number changed, its approximator changed or dropped, a figure or a weekday the origin never gives."""

from __future__ import annotations

from ..lexicon import WEEKDAYS, tokens
from ..types import Flag, FlagType
from .base import Pair, flag
from .mentions import number_mentions

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
    for m in number_mentions(claim):
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


def weekday_flags(pair: Pair) -> list[Flag]:
    """A day of the week the origin gives differently, or never gives."""
    claim, origin = pair.claim, pair.origin
    flags: list[Flag] = []
    o_days = [(k, t) for k, (_, text) in enumerate(origin) for t in tokens(text) if t.norm in WEEKDAYS]
    for t in tokens(claim):
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
