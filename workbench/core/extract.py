"""Turn received bytes into an article's clean text, or refuse them with a one-line reason.

Framework-free so the API, the fetcher and the command line share one set of rules. HTML goes through
trafilatura; plain text (and trafilatura's output) through the engine's furniture filter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

import trafilatura
from lxml import etree

from workbench.core.errors import IngestError
from workbench.engine import clean

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_HTML_DOCUMENT = re.compile(r"^\s*(?:<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])", re.IGNORECASE)
_HTML_BLOCK_TAG = re.compile(r"</?(?:p|div|article|section|span|h[1-6]|li|ul|table|br)\b[^>]*>", re.IGNORECASE)
HTML_BLOCK_TAGS_MIN = 3
CONTROL_CHAR_RATIO_MAX = 0.01
PARSER_MAX_DEPTH = 256  # libxml2's limit without its huge-tree option


@dataclass(frozen=True)
class Extracted:
    content_type: str
    raw: str
    text: str
    headline: str = ""
    byline: str = ""
    published: datetime | None = None
    removed: list[str] = field(default_factory=list)


def decode_content(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Decode UTF-8 bytes. Raises IngestError for empty, oversized, binary or undecodable content."""
    if len(data) > max_bytes:
        raise IngestError(f"too large: {len(data):,} bytes, the limit is {max_bytes:,}")
    if not data.strip():
        raise IngestError("empty: no text in it")
    if b"\x00" in data:
        raise IngestError("binary content: it contains NUL bytes, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(
            f"not UTF-8 text: byte 0x{data[exc.start]:02x} at offset {exc.start} cannot be decoded"
        ) from None
    return text


def looks_like_html(text: str) -> bool:
    head = text[:4096]
    return bool(_HTML_DOCUMENT.match(head)) or len(_HTML_BLOCK_TAG.findall(head)) >= HTML_BLOCK_TAGS_MIN


def extract_article(raw: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Extracted:
    """Extract the article body from text or HTML. Raises IngestError when nothing article-like is left."""
    if len(raw.encode("utf-8", "surrogatepass")) > max_bytes:
        raise IngestError(f"too large: more than {max_bytes:,} bytes")
    if not raw.strip():
        raise IngestError("empty: no text in it")
    if len(_CONTROL_CHARS.findall(raw)) > CONTROL_CHAR_RATIO_MAX * len(raw):
        raise IngestError("binary content: too many control characters to be text")
    if looks_like_html(raw):
        return _extract_html(raw)
    prepared = clean.prepare(raw)
    if not clean.has_prose(prepared.text):
        raise IngestError("no article body: not one prose sentence was found, only site furniture")
    return Extracted(
        content_type="text",
        raw=raw,
        text=prepared.text,
        headline=prepared.headline,
        byline=prepared.byline or "",
        published=_aware(prepared.published),
        removed=list(prepared.removed),
    )


def _extract_html(raw: str) -> Extracted:
    document = trafilatura.bare_extraction(raw, with_metadata=True, include_comments=False, include_tables=False)
    body = (getattr(document, "text", None) or "").strip() if document is not None else ""
    prepared = clean.prepare(body)
    if not clean.has_prose(prepared.text):
        # The extractor missed the body (or took furniture for it): the page's own text, cleaned the same way.
        prepared = clean.prepare(_page_text(raw))
    if not clean.has_prose(prepared.text):
        if _nested_too_deep(raw):
            raise IngestError(
                f"no article body: the HTML nests elements more than {PARSER_MAX_DEPTH} levels deep, "
                "deeper than the HTML parser reads"
            )
        raise IngestError("no article body: the HTML has no main text")
    title = (getattr(document, "title", None) or "").strip()
    return Extracted(
        content_type="html",
        raw=raw,
        text=prepared.text,
        headline=title or prepared.headline,
        byline=(getattr(document, "author", None) or prepared.byline or "").strip(),
        published=_parse_date(getattr(document, "date", None)) or _aware(prepared.published),
        removed=list(prepared.removed),
    )


def _page_text(raw: str) -> str:
    """The visible text of an HTML page, one line per block, scripts and styles left out."""
    try:
        root = etree.fromstring(raw, etree.HTMLParser())
    except (ValueError, etree.LxmlError):
        return ""
    if root is None:
        return ""
    for bad in root.xpath("//script|//style|//noscript|//template"):
        bad.getparent().remove(bad)
    lines = []
    for block in root.xpath("//p|//h1|//h2|//h3|//li|//blockquote"):
        text = " ".join("".join(block.itertext()).split())
        if text:
            lines.append(text)
    return "\n".join(lines)


def _nested_too_deep(raw: str) -> bool:
    """Whether libxml2 stopped at its nesting limit: text nested deeper never reaches trafilatura, which parses
    without the huge-tree option (a guard against hostile pages)."""
    parser = etree.HTMLParser()
    try:
        etree.fromstring(raw, parser)
    except (ValueError, etree.LxmlError):
        return False
    return any("Excessive depth" in entry.message for entry in parser.error_log)


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return _aware(datetime.fromisoformat(value))
    except ValueError:
        return None


def _aware(moment: datetime | None) -> datetime | None:
    """Dates found in page text carry no zone; they are taken as UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)
