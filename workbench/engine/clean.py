"""Strip site furniture from collected page text and pick the headline.

Rules are generic page-furniture patterns (share bars, donation appeals, link lists, credits, disclaimers);
none names a particular story or outlet.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache

from .types import Prepared

HEADLINE_MAX_WORDS = 25
SHORT_LINE_MAX_WORDS = 14
# A prose sentence: at least this many words and a sentence's ending, or PROSE_LONG_WORDS words whatever its end
# (collected pages often stop mid-sentence).
PROSE_MIN_WORDS = 3
PROSE_LONG_WORDS = 10
# After a link list the body resumes at a full sentence of this many words that is not in title case.
RESUME_MIN_WORDS = 8
TITLE_CASE_SHARE = 0.6

_BOILERPLATE_PHRASES = (
    "support local journalism",
    "journalism needs your help",
    "tax-deductible donation",
    "community funded journalism",
    "all rights reserved",
    "\u00a9",
    "(c) 20",
    "editorial board is not responsible",
    "for informational purposes only",
    "for illustrative purposes only",
    "not the original image",
    "read full article",
    "more stories like this",
    "with inputs from agencies",
    "contributed to this report",
    "read more about",
    "filed in ",
    "click here",
    "follow us",
    "download the app",
    "receives support from",
    "image source:",
    "file photo",
    "photo credit",
    "getty images",
    "min read",
    "advertisement",
    "this week's cover",
    "this week\u2019s cover",
    "prime headlines",
    "you may be interested in",
    "you may also like",
    "recommended for you",
    "share this article",
    "copy link",
    "privacy policy",
    "terms of use",
    "reporting by",
    "editing by",
    "writing by",
    "additional reporting",
    "is solely responsible for",
    "the views expressed",
    "loading...",
    "skip to content",
    "back to top",
    "sponsored content",
    "listen to this article",
    "trending now",
)
_SHORT_LINE_PHRASES = ("subscribe", "sign up", "newsletter", "cookie", "advertisement", "share on", "watch:")

_LINK_LIST_MARKERS = re.compile(
    r"^(?:similar content|related(?: articles| stories| content| news)?|more stories|more from\b.*|you may also like|"
    r"recommended(?: stories| articles)?|read more|most read|most popular|trending(?: now)?|latest news|"
    r"also read|see also)[:.]?$",
    re.IGNORECASE,
)
_SOCIAL_WORDS = frozenset(
    "share shares facebook twitter x linkedin pinterest whatsapp telegram reddit email e-mail print copy link "
    "tumblr messenger flipboard mail sms paylaş compartir partager teilen tweet".split()
)
_PREFIX_LINK = re.compile(
    r"^(?:earlier|related|read more|also read|see also|photos?|video|watch|listen|source|more|recommended)\s*:",
    re.IGNORECASE,
)
_DATE_PREFIX = re.compile(r"^\s*date\s+(\d{4}-\d{2}(?:-\d{2})?)\s+")
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WEEKDAY = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
_DATE_LINE = re.compile(
    rf"^(?:(?:published|updated|posted|last updated|first published)\s*:?\s*)?(?:{_WEEKDAY},?\s*)?"
    rf"(?:{_MONTH}\s+\d{{1,2}}\s*,?\s*\d{{4}}|\d{{1,2}}\s+{_MONTH}\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})"
    rf"[\s,/|\-\u2013\u2014:apmAPMGTUTC0-9.]*(?:a day ago|\d+ \w+ ago|ago)?[\s/]*$",
    re.IGNORECASE,
)
_PUBLISHED = re.compile(r"^(?:published|updated|posted)\s*:", re.IGNORECASE)
_BYLINE = re.compile(r"^(?:[Bb][Yy]\s+[A-Z][^.!?]{1,120}|[A-Z][\w.'\-]+(?:\s+[A-Z][\w.'\-]+){0,3}\s+staff)$")
_READ_TIME = re.compile(r"^\d+\s*min(?:ute)?s?\s+read$", re.IGNORECASE)
_SEPARATOR = re.compile(r"^(?:_{3,}|\*\s*\*\s*\*|={3,})$")
_ALT_TEXT = re.compile(r"\b(?:image|photo|logo|icon|thumbnail|illustration)$", re.IGNORECASE)
_HTML = re.compile(r"^\s*<[^>]*>\s*$|<img\b|<iframe\b|<script\b", re.IGNORECASE)
_CAPTION_CREDIT = re.compile(
    r"\((?:[^()]*\bvia\s+[A-Z][\w ]*|[A-Z]{2,}\s+Photo[^()]*|Photo[^()]*)\)\s*$|\b[A-Z]{2,}/[A-Z][\w .]*?/File Photo\b|"
    r"\bImage source:|\bPhoto(?:graph)?:\s|\bCredit:\s",
)
_INLINE_FURNITURE = (
    re.compile(r"\s*Read Full Article at \S+?\.?(?=\s|$)", re.IGNORECASE),
    re.compile(r"\s*\((?:Reporting|Writing|Editing|Additional reporting) by [^()]*\)", re.IGNORECASE),
    re.compile(r"\s*\((?:https?://)?[\w-]+(?:\.[\w-]+)+/[\w/\-.?=&%#]*\)"),
    re.compile(r"\s*\b[A-Z]{2,}/[A-Z][\w .]*?/File Photo\b"),
)
_TERMINAL = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*$")
_ELLIPSIS_END = re.compile(r"(?:\.\.\.|\u2026)\s*$")


def _words(line: str) -> list[str]:
    return re.findall(r"[^\W_]+(?:['\u2019\-][^\W_]+)*", line)


def _is_share_bar(line: str) -> bool:
    words = [w.lower() for w in _words(line)]
    if not words:
        return False
    social = sum(w in _SOCIAL_WORDS for w in words)
    return social >= 2 and social >= 0.5 * len(words)


def _is_breadcrumb(line: str) -> bool:
    parts = [p.strip() for p in re.split(r"\s+[/>|\u203a\u00bb]\s+", line)]
    if len(parts) < 2 or _TERMINAL.search(line):
        return False
    return all(p and len(_words(p)) <= 4 and p[:1].isupper() for p in parts)


def is_boilerplate(sentence_text: str) -> bool:
    """True when a line or sentence is page furniture (credits, appeals, widgets, link labels), not a claim."""
    return _is_boilerplate(sentence_text or "")


@lru_cache(maxsize=8192)
def _is_boilerplate(sentence_text: str) -> bool:
    line = sentence_text.strip().strip("\u2022*-\u2013 \t")
    if not line:
        return True
    low = line.lower().replace("\u2019", "'")
    words = _words(line)
    if not words:
        return True
    if _HTML.search(line):
        return True
    if any(p in low for p in _BOILERPLATE_PHRASES):
        return True
    if len(words) <= SHORT_LINE_MAX_WORDS and any(p in low for p in _SHORT_LINE_PHRASES):
        return True
    if _LINK_LIST_MARKERS.match(line) or _PREFIX_LINK.match(line):
        return True
    if _is_share_bar(line) or _is_breadcrumb(line) or _DATE_LINE.match(line) or _READ_TIME.match(line):
        return True
    if _SEPARATOR.match(line) or _CAPTION_CREDIT.search(line):
        return True
    if re.fullmatch(r"\(?(?:https?://)?[\w-]+(?:\.[\w-]+)+(?:/\S*)?\)?\.?", line):
        return True
    if len(words) == 1 and line.isupper() and len(line) <= 6:
        return True
    if len(words) <= 6 and not _TERMINAL.search(line) and _ALT_TEXT.search(line):
        return True
    return False


def _strip_inline(line: str, removed: list[str]) -> str:
    for pattern in _INLINE_FURNITURE:
        for m in pattern.finditer(line):
            removed.append(m.group(0).strip())
        line = pattern.sub("", line)
    return line.rstrip()


def _looks_like_headline(line: str) -> bool:
    words = _words(line)
    if not words or len(words) > HEADLINE_MAX_WORDS:
        return False
    return not re.search(r"[.][\"'\u201d\u2019)\]]*$", line)


def _parse_date(value: str) -> datetime | None:
    for fmt in ("%Y-%m-%d", "%Y-%m"):
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None


def prepare(raw_text: str) -> Prepared:
    """Split page text into headline, clean body text and removed furniture lines.

    The headline is the first kept line when it reads like one (short, no final full stop); it is not
    part of `text`. Lines repeating an earlier line, and teasers repeated in full later, are removed.
    """
    raw = (raw_text or "").replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    published: datetime | None = None
    m = _DATE_PREFIX.match(raw)
    if m:
        published = _parse_date(m.group(1))
        raw = raw[m.end() :]
    removed: list[str] = []
    byline: str | None = None
    kept: list[str] = []
    seen: set[str] = set()
    lines = raw.split("\n")
    in_link_list = False
    for i, original in enumerate(lines):
        line = original.strip()
        if not line:
            continue
        if _SEPARATOR.match(line) or _LINK_LIST_MARKERS.match(line):
            # A link list ("Recommended", "Related stories") runs until prose resumes: above or inside the body it
            # must not cut the body; after the body, the rest of the page is furniture and nothing resumes.
            in_link_list = True
            removed.append(line)
            continue
        if in_link_list:
            if not _resumes_body(line):
                removed.append(line)
                continue
            in_link_list = False
        if _BYLINE.match(line) and len(_words(line)) <= SHORT_LINE_MAX_WORDS:
            byline = byline or re.sub(r"^by\s+", "", line, flags=re.IGNORECASE)
            removed.append(line)
            continue
        if _PUBLISHED.match(line):
            removed.append(line)
            continue
        if _CAPTION_CREDIT.search(line):
            removed.append(line)
            continue
        line = _strip_inline(line, removed)
        key = re.sub(r"\W+", " ", line.lower()).strip()
        if not key:
            if line:
                removed.append(line)
            continue
        if key in seen or is_boilerplate(line):
            removed.append(line)
            continue
        if _caption_precedes_credit(line, lines[i + 1 :]):
            removed.append(line)
            continue
        seen.add(key)
        kept.append(line)
    headline = ""
    if kept and _looks_like_headline(kept[0]) and len(kept) > 1:
        headline = kept.pop(0)
    body = "\n".join(kept)
    final: list[str] = []
    for line in kept:
        if _ELLIPSIS_END.search(line):
            stem = _ELLIPSIS_END.sub("", line)[:60]
            rest = body.replace(line, "", 1)
            if len(stem) >= 30 and stem in rest:
                removed.append(line)
                continue
        final.append(line)
    text = "\n".join(final)
    if not any(_is_prose(line) for line in final):
        # Cleaning left no prose: the page's longest run of prose lines is its body.
        run = longest_prose_run(raw)
        if run:
            text = "\n".join(run)
            removed = [x for x in removed if x not in run]
    return Prepared(headline=headline, text=text, removed=removed, byline=byline, published=published)


def _is_prose(line: str) -> bool:
    """A sentence a reader would read as text: enough words and a sentence's ending, or many words."""
    words = _words(line)
    return len(words) >= PROSE_LONG_WORDS or (len(words) >= PROSE_MIN_WORDS and bool(_TERMINAL.search(line)))


def _resumes_body(line: str) -> bool:
    """After a link list, a line that reads as the article again: a full sentence, not a title-case link label."""
    words = _words(line)
    if len(words) < RESUME_MIN_WORDS or not _TERMINAL.search(line) or _ELLIPSIS_END.search(line):
        return False
    long_words = [w for w in words if len(w) > 3]
    return sum(w[0].isupper() for w in long_words) < TITLE_CASE_SHARE * len(long_words)


def longest_prose_run(raw_text: str) -> list[str]:
    """The longest run of consecutive prose lines (blank lines do not break a run) that are not furniture."""
    best: list[str] = []
    run: list[str] = []
    for original in raw_text.split("\n"):
        line = original.strip()
        if not line:
            continue
        if _is_prose(line) and not is_boilerplate(line):
            run.append(line)
            if sum(map(len, run)) > sum(map(len, best)):
                best = list(run)
        else:
            run = []
    return best


def has_prose(text: str) -> bool:
    """Whether the text holds at least one prose sentence (a single claim to check is enough)."""
    return any(_is_prose(line) for line in text.splitlines())


def _caption_precedes_credit(line: str, following: list[str]) -> bool:
    """A short unpunctuated line directly before an image-credit line is that image's caption."""
    nxt = next((x.strip() for x in following if x.strip()), "")
    if not nxt or _TERMINAL.search(line) or len(_words(line)) > SHORT_LINE_MAX_WORDS:
        return False
    return bool(_CAPTION_CREDIT.search(nxt))
