"""The specifics of a sentence: the names, numbers, dates and quoted words that tie it to one event.

Two articles on one subject share subject words ("measles", "Texas", "outbreak") and stock phrases ("did not
respond to requests for comment"); two reports of one event also share its specifics in matching sentences. Wire
and outlet names carry no weight: every wire story credits its wire.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .lexicon import STOPWORDS, tokens

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


_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*(?![\w])")


@lru_cache(maxsize=16384)
def _parts(text: str) -> tuple[frozenset[str], str | None]:
    """(the specifics, the stem of the sentence's first word when it is capitalised and not a stopword)."""
    out: set[str] = set()
    opening: str | None = None
    for k, t in enumerate(tokens(text)):
        if t.norm[:1].isdigit() or not t.is_capitalised or t.norm in STOPWORDS or t.norm in _CARRIER_WORDS:
            continue
        if k == 0:
            opening = t.stem
        else:
            out.add(t.stem)
    for number in _NUMBER.findall(text):
        out.add(NUMBER_PREFIX + number.replace(",", "").rstrip("."))
    for quoted in _QUOTED.findall(text):
        content = [w.norm for w in tokens(quoted) if w.norm not in STOPWORDS]
        out.update(QUOTE_PREFIX + " ".join(content[k : k + QUOTE_NGRAM]) for k in range(len(content) - QUOTE_NGRAM + 1))
    return frozenset(out), opening


def specifics(text: str, names: frozenset[str] = frozenset()) -> frozenset[str]:
    """The names (stems of capitalised words, single letters too: "Q*", that are not stopwords or carrier names),
    `#`-prefixed numbers ("5,200" is one number) and `q:`-prefixed quoted runs of three content words of a sentence.
    Its first word counts only when it is among `names` (the article's words capitalised mid-sentence): "Critics of
    the plan say" names no one; "Zelenskiy said" does."""
    found, opening = _parts(text)
    return found | {opening} if opening is not None and opening in names else found


@lru_cache(maxsize=4096)
def article_names(texts: tuple[str, ...]) -> frozenset[str]:
    """The stems an article capitalises in the middle of a sentence: its names."""
    return frozenset(x for t in texts for x in _parts(t)[0] if not x.startswith((NUMBER_PREFIX, QUOTE_PREFIX)))


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
