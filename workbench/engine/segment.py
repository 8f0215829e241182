"""Split clean article text into claim-sized sentences with exact character offsets."""

from __future__ import annotations

import bisect
import re

from .types import Sentence

QUOTE_SPAN_MAX_CHARS = 320

_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof gen col lt sgt capt maj adm gov sen rep rev st jr sr inc corp co ltd llc plc no nos vs
    etc al fig jan feb mar apr jun jul aug sep sept oct nov dec ala ariz ark calif colo conn del fla ga ill ind
    kan ky la md mass mich minn miss mo mont neb nev okla ore pa tenn tex va vt wash wis wyo ft mt approx est
    dept univ assn bros pres supt cmdr gens reps sens""".split()
)
_SENTENCE_STARTERS = frozenset(
    """the a an he she it they we i this that these those there but and so yet in on at for after before
    while when as if however meanwhile still his her their its our some many most one two three""".split()
)
_BULLET = re.compile(r"^(?:[\u2022\u25cf\u25aa\u2023\u2043*\-\u2013\u2014]|\d{1,2}[.)])\s+")
_END = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019)\]]*")
_OPEN_TO_CLOSE = {"\u201c": "\u201d", "\u00ab": "\u00bb", "\u201e": "\u201d"}
_CLOSERS = frozenset(_OPEN_TO_CLOSE.values())
_QUOTE_MARK = re.compile("[" + "".join(sorted({*_OPEN_TO_CLOSE, *_CLOSERS, '"'})) + "]")


# Every look around a candidate sentence end is bounded (a word, the whitespace after it), so splitting a line costs
# time linear in its length however it is built: one long line of quotes or dots must not stall a worker.
WORD_LOOKBACK_MAX_CHARS = 64
_NEXT_VISIBLE = re.compile(r"\S")
_WORD = re.compile(r"[\w']+")
_WORD_STOP = frozenset(' \t\r\f\v(["\u201c')


def _quote_spans(line: str) -> list[tuple[int, int]]:
    """Spans of paired quotations (each curly opening quote to the next closing one, then straight quotes paired in
    order), at most QUOTE_SPAN_MAX_CHARS long, sorted by start. Only the quote characters are visited, from the
    right, so that each opening quote finds its closing one at once: linear in the line's length."""
    next_close: dict[str, int] = {}
    spans: list[tuple[int, int]] = []
    marks = [(m.start(), m.group()) for m in _QUOTE_MARK.finditer(line)]
    for i, ch in reversed(marks):
        if ch in _OPEN_TO_CLOSE:
            j = next_close.get(_OPEN_TO_CLOSE[ch], -1)
            if j != -1 and j - i <= QUOTE_SPAN_MAX_CHARS:
                spans.append((i, j))
        if ch in _CLOSERS:
            next_close[ch] = i
    straight = [i for i, ch in marks if ch == '"']
    for k in range(0, len(straight) - 1, 2):
        if straight[k + 1] - straight[k] <= QUOTE_SPAN_MAX_CHARS:
            spans.append((straight[k], straight[k + 1]))
    spans.sort()
    return spans


def _inside_quote(pos: int, quotes: list[tuple[int, int]], starts: list[int]) -> bool:
    """Whether `pos` lies strictly inside a quotation. Quotations are short, so only those starting within
    QUOTE_SPAN_MAX_CHARS before `pos` can hold it."""
    k = bisect.bisect_left(starts, pos) - 1
    while k >= 0 and pos - starts[k] <= QUOTE_SPAN_MAX_CHARS:
        a, b = quotes[k]
        if a < pos < b:
            return True
        k -= 1
    return False


def _word_before(line: str, pos: int) -> str:
    """The word ending at `pos` (back to a space, bracket or opening quote), at most WORD_LOOKBACK_MAX_CHARS long:
    a longer run is no abbreviation."""
    start = pos
    floor = max(0, pos - WORD_LOOKBACK_MAX_CHARS)
    while start > floor and line[start - 1] not in _WORD_STOP and not line[start - 1].isspace():
        start -= 1
    return line[start:pos]


def _is_split(line: str, m: re.Match[str], quotes: list[tuple[int, int]], starts: list[int]) -> bool:
    end = m.end()
    glued = not line[end : end + 1].isspace()
    visible = _NEXT_VISIBLE.search(line, end)
    if visible is None:
        return False
    nxt_at = visible.start()
    first = line[nxt_at]
    if glued:
        before = line[max(0, m.start() - 2) : m.start()]
        if not (first.isupper() and before.isalpha() and before.islower() and m.group(0)[0] in ".!?"):
            return False
    elif not (
        first.isupper()
        or first.isdigit()
        or first in "\"'\u201c\u2018([\u2022-\u2013\u2014"
        or not first.isascii()
        and first.isalpha()
        and not first.islower()
    ):
        return False
    if m.group(0).startswith("."):
        word = _word_before(line, m.start() + 1).rstrip(".")
        bare = word.lower().lstrip("(")
        if bare in _ABBREVIATIONS:
            return False
        if re.fullmatch(r"[A-Za-z]", bare):
            return False
        if re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", word):
            next_word = _WORD.match(line, nxt_at)
            if not next_word or next_word.group(0).lower() not in _SENTENCE_STARTERS:
                return False
    return not _inside_quote(m.start(), quotes, starts)


def _line_sentences(text: str, line_start: int, line_end: int) -> list[tuple[int, int]]:
    line = text[line_start:line_end]
    offset = 0
    bullet = _BULLET.match(line.lstrip())
    lead = len(line) - len(line.lstrip())
    if bullet:
        offset = lead + bullet.end()
    quotes = _quote_spans(line)
    starts = [a for a, _ in quotes]
    cuts = [offset]
    for m in _END.finditer(line, offset):
        if _is_split(line, m, quotes, starts):
            cuts.append(m.end())
    cuts.append(len(line))
    spans: list[tuple[int, int]] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        piece = line[a:b]
        stripped = piece.strip()
        if not stripped or not re.search(r"\w", stripped):
            continue
        s = a + (len(piece) - len(piece.lstrip()))
        spans.append((line_start + s, line_start + s + len(stripped)))
    return spans


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of `text` in order; each satisfies `text[start:end] == sentence.text`.

    Lines are paragraphs: a sentence never crosses a line break, so headings and list items are their
    own segments. Bullet markers are left outside the sentence span.
    """
    text = text or ""
    out: list[Sentence] = []
    for line_match in re.finditer(r"[^\n]+", text):
        for s, e in _line_sentences(text, line_match.start(), line_match.end()):
            out.append(Sentence(index=len(out), start=s, end=e, text=text[s:e]))
    return out
