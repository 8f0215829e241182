"""Wire credit: recognise wire copy and flag a republication that reproduces a wire story's sentences without
crediting the wire (`credit_missing`) or crediting another one (`credit_changed`).

An origin is wire copy when its outlet, byline or opening dateline names a wire service ("LONDON (Reuters) -",
"By ..., Bloomberg News", "(AP) —"). A derivative reproduces it when enough of its claims align with the origin's
sentences; it credits a wire when it names one in a credit's usual forms anywhere in its text or byline.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .types import LABEL_ALTERED, LABEL_SUPPORTED, ArticleInput, ArticleTrace, Flag, FlagType

# Each wire's name as a credit spells it; names that are also ordinary words or people (AP, PA, Bloomberg) need the
# forms of a credit: a dateline in brackets, "News", or the wire as the subject of reporting.
_REPORTING = r"(?=\s+(?:reported|reports|said|says|cited|quoted|wrote|has learned|News\b))"
WIRES: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern)
    for name, pattern in {
        "Reuters": r"\bReuters\b",
        "Associated Press": r"\bAssociated Press\b|\(AP\)|\bAP\b" + _REPORTING + r"|\bAP News\b",
        "AFP": r"\bAFP\b|\bAgence France[- ]Presse\b",
        "Bloomberg": r"\(Bloomberg\)|\bBloomberg News\b|\bBloomberg\b"
        + _REPORTING
        + r"|\b(?:told|according to) Bloomberg\b",
        "dpa": r"\bdpa\b|\bDeutsche Presse-Agentur\b",
        "Kyodo": r"\bKyodo\b",
        "Yonhap": r"\bYonhap\b",
        "PA": r"\(PA\)|\bPA Media\b|\bPress Association\b",
        "ANSA": r"\bANSA\b",
        "EFE": r"\bEFE\b",
        "Xinhua": r"\bXinhua\b",
        "UPI": r"\bUnited Press International\b|\(UPI\)",
    }.items()
}
# The opening of an article in which a dateline credit stands ("LONDON, Dec 4 (Reuters) -").
DATELINE_CHARS = 200
# A derivative reproduces the wire story when at least this many of its claims, and this share, align with it.
REPRODUCED_MIN_CLAIMS = 3
REPRODUCED_MIN_SHARE = 0.3


def wires_named(text: str) -> list[str]:
    """The wires a text credits, in the order of the WIRES table."""
    return [name for name, pattern in WIRES.items() if pattern.search(text or "")]


def origin_wire(article: ArticleInput) -> str | None:
    """The wire an origin article comes from: named by its outlet, its byline or its opening dateline; else None."""
    for source in (article.outlet or "", article.byline or "", article.text[:DATELINE_CHARS]):
        names = wires_named(source) or ([w for w in WIRES if source.strip().lower() == w.lower()] if source else [])
        if names:
            return names[0]
    return None


def credit_check(derivative: ArticleTrace, article: ArticleInput, wire: str | None) -> ArticleTrace:
    """The derivative's trace with a credit flag on its first reproduced claim when it reproduces the ``wire``
    story without crediting it; unchanged otherwise (and when ``wire`` is None: the origin is not wire copy)."""
    if wire is None:
        return derivative
    aligned = [s for s in derivative.sentences if s.label in (LABEL_SUPPORTED, LABEL_ALTERED)]
    claims = [s for s in derivative.sentences if s.label != "boilerplate"]
    if len(aligned) < REPRODUCED_MIN_CLAIMS or len(aligned) < REPRODUCED_MIN_SHARE * max(1, len(claims)):
        return derivative
    credited = (
        set(wires_named(article.text)) | set(wires_named(article.byline or "")) | set(wires_named(article.outlet or ""))
    )
    if wire in credited:
        return derivative
    first = aligned[0]
    if credited:
        others = ", ".join(sorted(credited))
        flag_type, span = FlagType.CREDIT_CHANGED, _credit_span(first.text, credited) or first.text
        explanation = (
            f"This article reproduces {len(aligned)} sentences of a {wire} story but credits {others}, not {wire}."
        )
    else:
        flag_type, span = FlagType.CREDIT_MISSING, first.text
        explanation = f"This article reproduces {len(aligned)} sentences of a {wire} story without crediting {wire}."
    start = max(0, first.text.find(span))
    flag = Flag(flag_type, span, start, start + len(span), None, None, None, explanation)
    sentences = [replace(s, flags=[*s.flags, flag]) if s is first else s for s in derivative.sentences]
    return replace(derivative, sentences=sentences)


def _credit_span(text: str, wires: set[str]) -> str | None:
    for name in wires:
        m = WIRES[name].search(text)
        if m:
            return m.group(0)
    return None
