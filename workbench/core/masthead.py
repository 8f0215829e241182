"""Who published an article, read from its own words: a masthead or copyright line, a credit line, a dateline.

Framework-free: ingest asks it for a name when neither the submitter, a metadata file nor the URL names the outlet.
Each reading says where it came from, so the caller can rank it against the other sources; nothing is guessed from
the subject of the story (an article *about* Bloomberg's report names Bloomberg without being Bloomberg's).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# Where a name was read, most telling first: a masthead names the page's publisher, a credit line the outlet the text
# was written for, a dateline credit the agency the text came from (republishers keep it).
MASTHEAD = "masthead"
CREDIT = "credit"
DATELINE = "dateline"
EVIDENCE_ORDER = (MASTHEAD, CREDIT, DATELINE)

NAME_MAX_CHARS = 60
_NAME = r"[A-Z][\w&.'\u2019-]*(?:[ ][A-Z&][\w&.'\u2019-]*){0,5}"
# A host name: a plain word of letters with a dot and a top-level domain ("RT.com", "apnews.com").
_HOST = r"(?:www\.)?[A-Za-z][\w-]*(?:\.[A-Za-z][\w-]*)*\.[a-z]{2,6}"

_MASTHEAD_PATTERNS = (
    # "Read Full Article at RT.com", "Read the full story on apnews.com"
    re.compile(rf"\bread (?:the )?full (?:article|story) (?:at|on) (?P<host>{_HOST})\b", re.IGNORECASE),
    # "Prime Headlines | © 2024 | News"
    re.compile(rf"^\s*(?P<name>{_NAME})\s*\|\s*(?:©|\([cC]\)|(?i:copyright))\s*\d{{4}}", re.MULTILINE),
    # "© 2024 The Columbian. All rights reserved."
    re.compile(rf"(?:©|\([cC]\)|(?i:copyright)\s*©?)\s*(?:\d{{4}}\s*)?(?P<name>{_NAME})"),
)
_CREDIT_PATTERNS = (
    # "Mark B Thomas contributed to this report for TROIB News"
    re.compile(rf"\bcontributed to this (?:report|story|article) for (?P<name>{_NAME})"),
    # "By Iain Marlow and Andrea Palasciano, Bloomberg News" (a byline line ending with the outlet)
    re.compile(rf"^\s*By [^\n,]{{2,80}}, (?P<name>{_NAME})\s*$", re.MULTILINE),
)
# "(Bloomberg) —", "WASHINGTON (AP) —", "KYIV, Dec 4 (Reuters) -" at the start of a line.
_DATELINE = re.compile(
    r"^\s*(?:[A-Z][\w .,'\u2019-]{0,40}?\s)?\((?P<name>[A-Z][\w .&-]{1,30})\)\s*[-\u2013\u2014]", re.MULTILINE
)
# Host names whose outlet is usually written otherwise.
_HOST_NAMES = {"rt.com": "RT", "apnews.com": "AP", "reuters.com": "Reuters", "bloomberg.com": "Bloomberg"}
_NOT_NAMES = frozenset({"all", "the", "copyright", "news", "by", "photo", "image", "getty images", "afp photo"})


@dataclass(frozen=True)
class OutletReading:
    """A name read from the text, where it was read (masthead, credit or dateline) and the words that gave it."""

    name: str
    evidence: str
    words: str


def outlet_readings(texts: Iterable[str]) -> list[OutletReading]:
    """Every outlet name the texts give, strongest evidence first (mastheads, then credits, then datelines), in
    reading order within each kind; the same name is listed once, at its strongest."""
    joined = "\n".join(t for t in texts if t)
    found: list[OutletReading] = []
    for pattern in _MASTHEAD_PATTERNS:
        found.extend(_readings(pattern, joined, MASTHEAD))
    for pattern in _CREDIT_PATTERNS:
        found.extend(_readings(pattern, joined, CREDIT))
    found.extend(_readings(_DATELINE, joined, DATELINE))
    found.sort(key=lambda r: EVIDENCE_ORDER.index(r.evidence))
    seen: set[str] = set()
    unique = []
    for reading in found:
        if reading.name.lower() not in seen:
            seen.add(reading.name.lower())
            unique.append(reading)
    return unique


def outlet_in_text(texts: Iterable[str]) -> OutletReading | None:
    """The best reading of who published the text, or None when it names no outlet in a masthead, credit or
    dateline."""
    readings = outlet_readings(texts)
    return readings[0] if readings else None


def host_outlet_name(host: str) -> str:
    """A readable outlet name for a host name: "rt.com" -> "RT", "www.columbian.com" -> "columbian.com"."""
    host = host.lower().removeprefix("www.")
    return _HOST_NAMES.get(host, host)


def _readings(pattern: re.Pattern, text: str, evidence: str) -> list[OutletReading]:
    out = []
    for match in pattern.finditer(text):
        groups = match.groupdict()
        name = host_outlet_name(groups["host"]) if groups.get("host") else _tidy(groups.get("name") or "")
        if name and name.lower() not in _NOT_NAMES:
            out.append(OutletReading(name=name, evidence=evidence, words=match.group(0).strip()))
    return out


def _tidy(name: str) -> str:
    name = re.split(r"\.\s", name.strip())[0]  # "The Columbian. All rights reserved" ends at its full stop
    name = re.sub(r"[\s.,;:|]+$", "", name)
    return name[:NAME_MAX_CHARS]
