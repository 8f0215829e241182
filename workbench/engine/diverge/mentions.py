"""Figures and quotations as they are written in a sentence, with their offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..lexicon import APPROXIMATORS, MONTHS, NUMBER_WORDS, UNIT_WORDS, number_value

NUMBER_WORDS_RE = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
NUMBER = re.compile(
    rf"(?:(?P<q>\b(?:{APPROXIMATORS}))\s+)?(?P<n>\$?\d+(?:[.,]\d+)*|\b(?:{NUMBER_WORDS_RE})\b)"
    rf"(?:[\s-]*(?:(?:of|many|more|new|other|additional)\s+)?(?P<u>%|per ?cent\b|[A-Za-z]+))?",
    re.IGNORECASE,
)
# Quotation marks as typeset: curly, straight, guillemets, and two apostrophes standing for one double mark.
QUOTE = re.compile(r"(?:[\u201c\"\u00ab]|'')(?P<q>(?:(?!'')[^\u201c\u201d\"\u00ab\u00bb]){2,}?)(?:[\u201d\"\u00bb]|'')")
_MONTH_WORDS = MONTHS | {m[:3] for m in MONTHS} | {"sept"}


def num_norm(raw: str) -> str:
    return raw.lower().lstrip("$")


def unit_of(raw: str | None) -> str | None:
    """The unit a figure counts ("percent", "year", "million"...), or None when the following word is not a unit."""
    if not raw:
        return None
    u = raw.lower().replace(" ", "")
    if u in ("%", "percent"):
        return "percent"
    singular = u[:-1] if u.endswith("s") else u
    if singular in {w[:-1] if w.endswith("s") else w for w in UNIT_WORDS}:
        return singular
    return None


@dataclass(frozen=True)
class NumberMention:
    value: float
    unit: str | None
    qualifier: str | None
    start: int
    end: int
    unit_word: str | None


def number_mentions(text: str) -> list[NumberMention]:
    """The figures of `text` with their approximators ("about", "more than") and units; days of a month are not
    figures."""
    out: list[NumberMention] = []
    for m in NUMBER.finditer(text):
        value = number_value(
            num_norm(m.group("n")).replace(",", "")
            if "," in m.group("n") and "." in m.group("n")
            else num_norm(m.group("n"))
        )
        if value is None:
            continue
        n_word = m.group("n").lower()
        if n_word in ("one", "single") and not m.group("u"):
            continue
        raw_unit = m.group("u")
        unit = unit_of(raw_unit)
        if n_word in ("decade", "decades"):
            unit = "decade"
        if n_word in ("decade", "decades") and not re.search(
            r"\d|\b(?:" + NUMBER_WORDS_RE + r")\s+$", text[: m.start("n")][-12:]
        ):
            value, unit = 10.0, "year"
        if (
            text[max(0, m.start() - 1) : m.start()] in (":", ".")
            and m.start() > 0
            and text[m.start() - 2 : m.start() - 1].isdigit()
        ):
            continue  # the minutes of a time ("7:00"), not a figure
        prev = text[: m.start()].rstrip().rsplit(None, 1)
        if prev and prev[-1].lower().rstrip(".,") in _MONTH_WORDS:
            continue
        q = m.group("q")
        start = m.start("q") if q else m.start("n")
        end = m.end("u") if raw_unit and unit else m.end("n")
        out.append(NumberMention(value, unit, q.lower() if q else None, start, end, raw_unit))
    return out
