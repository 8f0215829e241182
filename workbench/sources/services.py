"""Writing articles: ingest text, HTML or files as articles and versions, idempotently."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from workbench.claims.services import claims_create_for_version
from workbench.core.errors import IngestError
from workbench.core.extract import decode_content, extract_article
from workbench.sources.models import Article, ArticleVersion, Outlet


@dataclass(frozen=True)
class IngestResult:
    article: Article
    version: ArticleVersion
    created_version: bool


def outlet_for(*, name: str = "", url: str = "") -> Outlet | None:
    """The outlet named, or the one owning the URL's host; created as kind 'unknown' on first sight."""
    domain = _domain_of(url) if url else ""
    if name:
        outlet, _ = Outlet.objects.get_or_create(name=name[:200], defaults={"domain": ""})
        return outlet
    if domain:
        outlet, _ = Outlet.objects.get_or_create(domain=domain, defaults={"name": domain})
        return outlet
    return None


def article_ingest(
    *,
    content: str | bytes,
    arrival: str,
    ingest_key: str = "",
    url: str = "",
    outlet_name: str = "",
    headline: str = "",
    published_at: datetime | None = None,
    fetched_at: datetime | None = None,
    http_etag: str = "",
    http_last_modified: str = "",
) -> IngestResult:
    """Store content as a version of its article, splitting it into claims.

    Idempotent: the article is found by its natural key (URL, file path or text hash) and a version is written only
    when the clean text is new. Raises IngestError for content that cannot be an article; nothing is written then.
    """
    max_bytes = settings.INGEST_MAX_BYTES
    raw = decode_content(content, max_bytes=max_bytes) if isinstance(content, bytes) else content
    extracted = extract_article(raw, max_bytes=max_bytes)
    content_hash = hashlib.sha256(extracted.text.encode("utf-8")).hexdigest()
    key = url or ingest_key or f"sha256:{content_hash}"
    with transaction.atomic():
        article, _ = Article.objects.get_or_create(
            ingest_key=key,
            defaults={
                "canonical_url": url,
                "outlet": outlet_for(name=outlet_name, url=url),
                "headline": (headline or extracted.headline)[:500],
                "byline": extracted.byline[:500],
                "published_at": published_at or extracted.published,
            },
        )
        # Serialise versioning per article: two ingests of one article must not both take number n+1.
        article = Article.objects.select_for_update().get(pk=article.pk)
        existing = article.versions.filter(content_hash=content_hash).first()
        if existing is not None:
            return IngestResult(article=article, version=existing, created_version=False)
        number = (article.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = ArticleVersion.objects.create(
            article=article,
            number=number,
            raw_content=raw,
            content_type=extracted.content_type,
            clean_text=extracted.text,
            content_hash=content_hash,
            removed_lines=extracted.removed,
            arrival=arrival,
            fetched_at=fetched_at or timezone.now(),
            http_etag=http_etag,
            http_last_modified=http_last_modified,
        )
        claims_create_for_version(version=version)
        new_headline = (headline or extracted.headline)[:500]
        if new_headline and new_headline != article.headline:
            article.headline = new_headline
            article.save(update_fields=["headline", "updated_at"])
    return IngestResult(article=article, version=version, created_version=True)


def article_ingest_file(*, path: Path, arrival: str = ArticleVersion.Arrival.UPLOAD) -> IngestResult:
    """Ingest one file; its resolved path is the article's natural key. Raises IngestError naming the problem."""
    max_bytes = settings.INGEST_MAX_BYTES
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise IngestError(f"cannot read: {exc.strerror}") from None
    if size > max_bytes:
        raise IngestError(f"too large: {size:,} bytes, the limit is {max_bytes:,}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"cannot read: {exc.strerror}") from None
    return article_ingest(content=data, arrival=arrival, ingest_key=f"file:{path.resolve()}")


def _domain_of(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


ARTICLE_FILE_SUFFIXES = frozenset({".txt", ".text", ".html", ".htm"})


@dataclass(frozen=True)
class FileOutcome:
    path: str
    result: IngestResult | None = None
    error: str = ""


def article_files(paths: list[str]) -> list[str]:
    """The files named, with folders expanded to the article files inside them (sorted, hidden ones skipped)."""
    found: list[str] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found.extend(
                str(child)
                for child in sorted(path.rglob("*"))
                if child.is_file()
                and child.suffix.lower() in ARTICLE_FILE_SUFFIXES
                and not any(part.startswith(".") for part in child.relative_to(path).parts)
            )
        else:
            found.append(given)
    return found


def articles_ingest_files(
    *, paths: list[str], arrival: str = ArticleVersion.Arrival.UPLOAD, on_each=None
) -> list[FileOutcome]:
    """Ingest each file on its own, so one bad file never stops the others. Errors are returned, not raised."""
    outcomes = []
    for path in paths:
        try:
            outcome = FileOutcome(path=path, result=article_ingest_file(path=Path(path), arrival=arrival))
        except IngestError as exc:
            outcome = FileOutcome(path=path, error=str(exc))
        outcomes.append(outcome)
        if on_each is not None:
            on_each(outcome)
    return outcomes
