"""Split clean article text into claim-sized sentences with exact character offsets."""

from __future__ import annotations

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


def _quote_spans(line: str) -> list[tuple[int, int]]:
    """Spans of paired quotations (curly pairs, then straight quotes paired in order)."""
    spans: list[tuple[int, int]] = []
    for i, ch in enumerate(line):
        if ch in _OPEN_TO_CLOSE:
            j = line.find(_OPEN_TO_CLOSE[ch], i + 1)
            if j != -1:
                spans.append((i, j))
    straight = [i for i, ch in enumerate(line) if ch == '"']
    for k in range(0, len(straight) - 1, 2):
        spans.append((straight[k], straight[k + 1]))
    return [(a, b) for a, b in spans if b - a <= QUOTE_SPAN_MAX_CHARS]


def _word_before(line: str, pos: int) -> str:
    m = re.search(r"([^\s(\[\"\u201c]+)$", line[:pos])
    return m.group(1) if m else ""


def _is_split(line: str, m: re.Match[str], quotes: list[tuple[int, int]]) -> bool:
    end = m.end()
    rest = line[end:]
    glued = not rest[:1].isspace()
    nxt = rest.lstrip()
    if not nxt:
        return False
    first = nxt[0]
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
            next_word = re.match(r"[\w']+", nxt)
            if not next_word or next_word.group(0).lower() not in _SENTENCE_STARTERS:
                return False
    pos = m.start()
    return not any(a < pos < b and b > m.start() for a, b in quotes if not (pos >= b))


def _line_sentences(text: str, line_start: int, line_end: int) -> list[tuple[int, int]]:
    line = text[line_start:line_end]
    offset = 0
    bullet = _BULLET.match(line.lstrip())
    lead = len(line) - len(line.lstrip())
    if bullet:
        offset = lead + bullet.end()
    quotes = _quote_spans(line)
    cuts = [offset]
    for m in _END.finditer(line, offset):
        if _is_split(line, m, quotes):
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
