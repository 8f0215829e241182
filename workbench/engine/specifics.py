"""The specifics of a sentence: the names, numbers, dates and quoted words that tie it to one event.

Two articles on one subject share subject words ("measles", "Texas", "outbreak") and stock phrases ("did not
respond to requests for comment"); two reports of one event also share its specifics in matching sentences. Wire
and outlet names carry no weight: every wire story credits its wire.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .lexicon import STOPWORDS, is_number, tokens

# Names that credit or carry a report rather than take part in an event.
_CARRIER_WORDS = frozenset(
    "reuters bloomberg ap afp associated press agence france presse xinhua pti ani ians upi dpa efe ansa kyodo yonhap "
    "tass news staff wire reporter reporters correspondent editor editors".split()
)
_QUOTED = re.compile(r"[\"\u201c\u201d]([^\"\u201c\u201d]{10,})[\"\u201c\u201d]")
QUOTE_NGRAM = 3
# A sentence matches another as a report of the same event when they share this many specifics (a quoted run of
# words counts once however long) and do not give different numbers.
EVENT_SPECIFICS_MIN = 2

QUOTE_PREFIX = "q:"
NUMBER_PREFIX = "#"


@lru_cache(maxsize=16384)
def specifics(text: str) -> frozenset[str]:
    """Stems of capitalised words (single letters too: "Q*") that are not stopwords or carrier names,
    `#`-prefixed digit numbers, and `q:`-prefixed runs of three content words inside quotation marks."""
    out: set[str] = set()
    for t in tokens(text):
        if t.norm[:1].isdigit() and is_number(t.norm):
            out.add(NUMBER_PREFIX + t.norm.replace(",", ""))
        elif t.is_capitalised and t.norm not in STOPWORDS and t.norm not in _CARRIER_WORDS:
            out.add(t.stem)
    for quoted in _QUOTED.findall(text):
        words = [w.norm for w in tokens(quoted) if w.norm not in STOPWORDS]
        out.update(QUOTE_PREFIX + " ".join(words[k : k + QUOTE_NGRAM]) for k in range(len(words) - QUOTE_NGRAM + 1))
    return frozenset(out)


def same_event(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two sentences' specifics say they report the same event: enough shared, and no number conflict
    (both give numbers and none agree)."""
    shared = a & b
    if not shared:
        return False
    numbers_a = {x for x in a if x.startswith(NUMBER_PREFIX)}
    numbers_b = {x for x in b if x.startswith(NUMBER_PREFIX)}
    if numbers_a and numbers_b and not numbers_a & numbers_b:
        return False
    quoted = any(x.startswith(QUOTE_PREFIX) for x in shared)
    return sum(not x.startswith(QUOTE_PREFIX) for x in shared) + quoted >= EVENT_SPECIFICS_MIN
