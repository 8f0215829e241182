"""Safe HTML for article text: sanitised with nh3, with spans marked from stored offsets.

Text is never string-replaced into HTML: it is cut at the offsets, each piece is turned into inert text by
nh3.clean_text, and the marks are built with format_html.
"""

from __future__ import annotations

from dataclasses import dataclass

import nh3
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    css_class: str
    title: str = ""
    ref: str = ""


def plain(text: str) -> SafeString:
    """Any stored text as inert HTML text: tags and scripts are shown as characters, never run."""
    return mark_safe(nh3.clean_text(text or ""))  # nh3 escapes every markup character


def highlight(text: str, spans: list[Span]) -> SafeString:
    """`text` as safe HTML with each valid span wrapped in <mark>. Overlapping spans share the overlap (classes
    joined); spans outside the text or empty are ignored."""
    text = text or ""
    valid = [s for s in spans if 0 <= s.start < s.end <= len(text)]
    cuts = sorted({0, len(text), *[s.start for s in valid], *[s.end for s in valid]})
    pieces: list[SafeString] = []
    for left, right in zip(cuts, cuts[1:], strict=False):
        piece = plain(text[left:right])
        active = [s for s in valid if s.start <= left and right <= s.end]
        if not active:
            pieces.append(piece)
            continue
        pieces.append(
            format_html(
                '<mark class="{}" title="{}" data-flag="{}">{}</mark>',
                " ".join(sorted({"flag", *[s.css_class for s in active]})),
                "; ".join(s.title for s in active if s.title),
                " ".join(s.ref for s in active if s.ref),
                piece,
            )
        )
    return format_html_join("", "{}", ((p,) for p in pieces))


def sentences_in_text(text: str, sentences: list[tuple[int, int, str]], *, located: str = "") -> SafeString:
    """A whole article text with each (start, end, element id) sentence wrapped in a span with that id; the sentence
    whose id is `located` is a <mark>. Paragraph breaks become <br>."""
    text = text or ""
    pieces: list[SafeString] = []
    cursor = 0
    for start, end, element_id in sorted(sentences):
        if start < cursor or not (0 <= start < end <= len(text)):
            continue
        pieces.append(_with_breaks(text[cursor:start]))
        tag = "mark" if element_id == located else "span"
        pieces.append(
            format_html('<{} id="{}" class="sentence">{}</{}>', tag, element_id, _with_breaks(text[start:end]), tag)
        )
        cursor = end
    pieces.append(_with_breaks(text[cursor:]))
    return format_html_join("", "{}", ((p,) for p in pieces))


def _with_breaks(text: str) -> SafeString:
    return format_html_join(mark_safe("<br>"), "{}", ((plain(line),) for line in text.split("\n")))
