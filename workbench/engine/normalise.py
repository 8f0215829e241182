"""Surface differences every newsroom makes, recognised before a claim is compared with its origin.

A faithful rewrite writes a name another way (a spelling, a transliteration, an acronym, a demonym, an alias of a
country or a wire), adds a stock ticker or a converted figure in brackets, or opens with a dateline. None of these
changes what the sentence says, so none of them may become a divergence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rapidfuzz import fuzz

from .lexicon import MONTHS, WEEKDAYS, Token, strip_accents, tokens

# Names written another way: a transliteration or spelling variant at least this similar (rapidfuzz ratio, 0-100).
NAME_SPELLING_MIN_RATIO = 85
NAME_SPELLING_MIN_CHARS = 5
# A demonym or possessive form starts with the known name minus at most one letter: Japan/Japanese, Canada/Canadian.
DEMONYM_MIN_STEM_CHARS = 4
DEMONYM_MAX_EXTRA_CHARS = 4
# The same country, institution or wire, named in its usual forms.
NAME_ALIASES: tuple[frozenset[str], ...] = tuple(
    frozenset(group.split("|"))
    for group in (
        "uk|u.k|britain|british|united kingdom|great britain",
        "us|u.s|u.s.a|usa|america|american|united states",
        "eu|european union",
        "un|u.n|united nations",
        "uae|emirates|united arab emirates",
        "ap|associated press",
        "afp|agence france-presse|agence france presse",
        "bbc|british broadcasting corporation",
        "reuters|thomson reuters",
    )
)
_RELATIVE_DAYS = frozenset("today yesterday tonight tomorrow".split())
_MONTH_FORMS = MONTHS | {m[:3] for m in MONTHS} | {"sept"}
_TITLES = frozenset(
    """mr mrs ms miss dr sir dame lord lady prof professor president prime minister secretary chancellor senator
    governor mayor judge justice general gen col lt capt sgt rev king queen prince princess sheikh""".split()
)
# A stock ticker or an acronym in brackets: "(AAPL.O)", "(NASDAQ: AAPL)", "(7203.T)", "(LDP)". Either restates what
# stands before it.
TICKER = re.compile(
    r"\(\s*(?:(?:NYSE|NASDAQ|Nasdaq|LSE|TSX|ASX|HKEX|SGX|TSE|NSE|BSE|XETRA|Euronext|OTC)\s*:\s*)?"
    r"(?:[A-Z]{1,6}|\d{3,6})(?:\.[A-Z]{1,3})?(?:\s*[,;]\s*(?:[A-Z]{1,6}|\d{3,6})(?:\.[A-Z]{1,3})?)*\s*\)"
)
_CURRENCY = (
    r"(?:[$\u20ac\u00a3\u00a5\u20b9\u20a9]|US\$|C\$|A\$|HK\$|S\$|Rs\.?|INR|USD|EUR|GBP|JPY|CNY|yuan|yen|euros?|"
    r"dollars?|pounds?|rupees?|won|rand|naira|roubles?|rubles?|lira|pesos?|francs?|crore|lakh)"
)
# A figure converted into another currency or unit and given in brackets beside the original:
# "$5 million (4.6 million euros)", "1 billion yen ($6.7 million)", "15 meters (49 feet)".
CONVERSION = re.compile(
    rf"\(\s*(?:about|around|roughly|approximately|nearly|some|over|almost|or|equivalent to|\u2248|~)?\s*"
    rf"(?:(?:{_CURRENCY}|[A-Z]{{1,3}}\$?)\s*)?\d[\d.,]*\s*(?:[a-zA-Z]+\s*){{0,2}}(?:{_CURRENCY})?\s*\)"
)


def is_date_word(norm: str) -> bool:
    """Months and weekdays: parts of a date, never names."""
    return norm in _MONTH_FORMS or norm in WEEKDAYS


def has_date(text: str) -> bool:
    """Whether a sentence dates what it reports: a weekday, a month, or today / yesterday / tonight."""
    return any(is_date_word(t.norm) or t.norm in _RELATIVE_DAYS for t in tokens(text))


def initials(words: Iterable[str]) -> str:
    """Initials of the capitalised parts of `words` ("Pakistan Tehreek-e-Insaf" -> "pti")."""
    out = []
    for w in words:
        for part in re.split(r"[-\u2010]", w):
            if part[:1].isupper():
                out.append(part[0].lower())
    return "".join(out)


def acronyms(text: str) -> set[str]:
    """The acronyms a text's runs of capitalised words would have ("Liberal Democratic Party" -> "ldp"), linking
    words left out ("Securities & Exchange Commission" -> "sec")."""
    out: set[str] = set()
    run: list[str] = []
    for t in tokens(text) + [None]:
        if t is not None and (t.is_capitalised or (run and t.norm in {"of", "and", "for", "the"})):
            run.append(t.text)
            continue
        while run and not run[-1][:1].isupper():
            run.pop()
        if len(run) >= 2:
            # The whole run, or the run without its leading words ("Khan's Pakistan Tehreek-e-Insaf" -> "pti").
            out.update(initials(run[i:]) for i in range(len(run) - 1))
        run = []
    return {a for a in out if len(a) >= 2}


def alias_group(name: str) -> frozenset[str] | None:
    key = strip_accents(name.lower()).strip(" .")
    return next((g for g in NAME_ALIASES if key in g), None)


def name_is_known(
    t: Token, known_forms: frozenset[str], known_acronyms: frozenset[str], *, dates_known: bool = False
) -> bool:
    """Whether a capitalised word of a claim names what the origin names in another form: a title, an alias ("UK" /
    "British"), an acronym of the origin's words ("PTI"), a demonym ("Japanese" / "Japan"), a spelling or
    transliteration variant ("Zelenskiy" / "Zelensky"), or, when `dates_known` (the origin sentence dates the
    event), a month or weekday: the same date written another way ("Monday" / "February 1")."""
    norm = t.norm
    if is_date_word(norm):
        return dates_known
    if norm in _TITLES or norm in known_forms:
        return True
    group = alias_group(norm)
    if group is not None and group & known_forms:
        return True
    if t.text.isupper() and 2 <= len(norm) <= 6 and norm in known_acronyms:
        return True
    for n in known_forms:
        if len(n) >= DEMONYM_MIN_STEM_CHARS + 1 and norm[: len(n) - 1] == n[:-1] and len(norm) >= len(n):
            if len(norm) - len(n) <= DEMONYM_MAX_EXTRA_CHARS:
                return True
        if len(norm) >= NAME_SPELLING_MIN_CHARS and len(n) >= NAME_SPELLING_MIN_CHARS and norm[0] == n[0]:
            if fuzz.ratio(norm, n) >= NAME_SPELLING_MIN_RATIO:
                return True
    return False


def name_forms(texts: Iterable[str]) -> frozenset[str]:
    """Every capitalised word of the texts, and every multi-word alias they use, in lower case."""
    forms: set[str] = set()
    for text in texts:
        folded = strip_accents(text.lower())
        forms.update(t.norm for t in tokens(text) if t.is_capitalised)
        for group in NAME_ALIASES:
            forms.update(a for a in group if " " in a and a in folded)
    return frozenset(forms)


def masked_spans(text: str) -> list[tuple[int, int]]:
    """Spans of a sentence that add nothing to compare: stock tickers, acronyms and converted figures in brackets."""
    return [(m.start(), m.end()) for pattern in (TICKER, CONVERSION) for m in pattern.finditer(text)]
