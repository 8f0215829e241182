"""Writing articles: ingest text, HTML or files as articles and versions, idempotently."""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from workbench.claims.services import claims_create_for_version
from workbench.core.errors import IngestError
from workbench.core.extract import Extracted, decode_content, extract_article
from workbench.core.fetch import FetchFailed, FetchResult, FetchUnavailable, UrlRefused, check_url_syntax, fetch_url
from workbench.core.masthead import host_outlet_name, outlet_in_text
from workbench.engine.language import detect_language
from workbench.engine.segment import split_sentences
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
        return _outlet_get_or_create(name=name)
    if domain:
        return _outlet_get_or_create(name=domain, domain=domain)
    return None


# How far each source of an outlet is trusted; ingest replaces an outlet only with one at least as trusted, and never
# one a reviewer set.
_OUTLET_TRUST = {
    Article.OutletSource.REVIEWER: 100,
    Article.OutletSource.GIVEN: 6,
    Article.OutletSource.METADATA: 5,
    Article.OutletSource.URL: 4,
    Article.OutletSource.MASTHEAD: 3,
    Article.OutletSource.CREDIT: 2,
    Article.OutletSource.DATELINE: 1,
    Article.OutletSource.NONE: 0,
}


@dataclass(frozen=True)
class OutletHint:
    """An outlet for an article being ingested, and where it was found."""

    name: str
    source: str
    domain: str = ""
    kind: str = ""


def outlet_recognise(*, extracted: Extracted, url: str = "", hint: OutletHint | None = None) -> OutletHint | None:
    """Who published the article: the outlet given with it (by the submitter or a metadata file), else the URL's
    host, else a masthead, credit line or dateline credit in its text (workbench.core.masthead). None when nothing
    names one."""
    if hint is not None and hint.name:
        return hint
    if url and (domain := _domain_of(url)):
        known = Outlet.objects.filter(domain=domain).values_list("name", flat=True).first()
        return OutletHint(name=known or host_outlet_name(domain), source=Article.OutletSource.URL, domain=domain)
    reading = outlet_in_text([extracted.text, *extracted.removed])
    if reading is None:
        return None
    return OutletHint(name=reading.name, source=reading.evidence)


def _outlet_get_or_create(*, name: str, domain: str = "", kind: str = "") -> Outlet:
    """The outlet with this domain or name, created on first sight; a blank domain or an unknown kind is filled in."""
    if domain and (found := Outlet.objects.filter(domain=domain).first()) is not None:
        return found
    outlet, created = Outlet.objects.get_or_create(
        name=name[:200], defaults={"domain": domain, "kind": kind or Outlet.Kind.UNKNOWN}
    )
    if not created:
        changes = {}
        if domain and not outlet.domain and not Outlet.objects.filter(domain=domain).exists():
            changes["domain"] = domain
        if kind and outlet.kind == Outlet.Kind.UNKNOWN:
            changes["kind"] = kind
        if changes:
            Outlet.objects.filter(pk=outlet.pk).update(**changes)
            for field_name, value in changes.items():
                setattr(outlet, field_name, value)
    return outlet


def _outlet_apply(article: Article, hint: OutletHint | None) -> None:
    """Give the article the hinted outlet unless it holds a more trusted one (a reviewer's correction above all)."""
    if hint is None or _OUTLET_TRUST[hint.source] < _OUTLET_TRUST[article.outlet_source or ""]:
        return
    outlet = _outlet_get_or_create(name=hint.name, domain=hint.domain, kind=hint.kind)
    if article.outlet_id == outlet.pk and article.outlet_source == hint.source:
        return
    article.outlet, article.outlet_source = outlet, hint.source
    article.save(update_fields=["outlet", "outlet_source", "updated_at"])


def article_outlet_correct(*, article: Article, name: str, kind: str = "", by=None) -> Article:
    """A reviewer's correction of an article's outlet, kept when the article is ingested again. Raises IngestError for
    an empty name or an unknown kind."""
    name = (name or "").strip()
    if not name:
        raise IngestError("an outlet needs a name")
    if kind and kind not in Outlet.Kind.values:
        raise IngestError(f"unknown outlet kind {kind!r}; choose one of {', '.join(Outlet.Kind.values)}")
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        article.outlet = _outlet_get_or_create(name=name, kind=kind)
        article.outlet_source = Article.OutletSource.REVIEWER
        article.save(update_fields=["outlet", "outlet_source", "updated_at"])
    return article


def article_ingest(
    *,
    content: str | bytes,
    arrival: str,
    ingest_key: str = "",
    url: str = "",
    outlet_name: str = "",
    outlet: OutletHint | None = None,
    headline: str = "",
    published_at: datetime | None = None,
    fetched_at: datetime | None = None,
    http_etag: str = "",
    http_last_modified: str = "",
) -> IngestResult:
    """Store content as a version of its article, splitting it into claims.

    Idempotent: the article is found by its natural key (URL, file path or text hash) and a version is written only
    when the clean text is new. The outlet is `outlet_name` (or the `outlet` hint, e.g. from a metadata file), else
    recognised from the URL or the text (outlet_recognise); a re-ingest may name it better but never replaces a
    reviewer's correction. Raises IngestError for content that cannot be an article; nothing is written then.
    """
    max_bytes = settings.INGEST_MAX_BYTES
    raw = decode_content(content, max_bytes=max_bytes) if isinstance(content, bytes) else content
    extracted = extract_article(raw, max_bytes=max_bytes)
    content_hash = hashlib.sha256(extracted.text.encode("utf-8")).hexdigest()
    key = url or ingest_key or f"sha256:{content_hash}"
    if outlet_name:
        outlet = OutletHint(name=outlet_name[:200], source=Article.OutletSource.GIVEN)
    hint = outlet_recognise(extracted=extracted, url=url, hint=outlet)
    language = detect_language(extracted.text)
    with transaction.atomic():
        article, created = Article.objects.get_or_create(
            ingest_key=key,
            defaults={
                "language": language,
                "canonical_url": url,
                "outlet": _outlet_get_or_create(name=hint.name, domain=hint.domain, kind=hint.kind) if hint else None,
                "outlet_source": hint.source if hint else Article.OutletSource.NONE,
                "headline": (headline or extracted.headline)[:500],
                "byline": extracted.byline[:500],
                "published_at": published_at or extracted.published,
            },
        )
        previous = None
        if not created:
            # Serialise versioning per article: two ingests of one article must not both take number n+1. (An
            # article created here has no versions, and its row is ours until this transaction commits.)
            article = Article.objects.select_for_update().get(pk=article.pk)
            _outlet_apply(article, hint)
            existing = article.versions.filter(content_hash=content_hash).first()
            if existing is not None:
                return IngestResult(article=article, version=existing, created_version=False)
            previous = article.versions.order_by("-number").first()
        number = (previous.number if previous else 0) + 1
        version = ArticleVersion.objects.create(
            article=article,
            number=number,
            raw_content=raw,
            content_type=extracted.content_type,
            clean_text=extracted.text,
            content_hash=content_hash,
            removed_lines=extracted.removed,
            language=language,
            arrival=arrival,
            fetched_at=fetched_at or timezone.now(),
            http_etag=http_etag,
            http_last_modified=http_last_modified,
            diff=version_diff(previous.clean_text, extracted.text, before=previous.number, after=number)
            if previous
            else "",
        )
        claims_create_for_version(version=version)
        new_headline = (headline or extracted.headline)[:500]
        if new_headline and new_headline != article.headline:
            article.headline = new_headline
            article.save(update_fields=["headline", "updated_at"])
        if language != article.language:
            article.language = language  # the article's language is its newest version's
            article.save(update_fields=["language", "updated_at"])
    return IngestResult(article=article, version=version, created_version=True)


def version_diff(before_text: str, after_text: str, *, before: int, after: int) -> str:
    """A readable unified diff of two clean texts, one sentence per line so a changed sentence stands out."""

    def lines(text: str) -> list[str]:
        return [sentence.text for sentence in split_sentences(text)] or text.splitlines()

    return "\n".join(
        difflib.unified_diff(
            lines(before_text), lines(after_text), f"version {before}", f"version {after}", lineterm="", n=1
        )
    )


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
    return article_ingest(
        content=data, arrival=arrival, ingest_key=f"file:{path.resolve()}", outlet=outlet_from_metadata(path)
    )


METADATA_FILE_NAME = "metadata.json"


def outlet_from_metadata(path: Path) -> OutletHint | None:
    """The outlet that the metadata file beside an article file gives it, or None when there is no such file or
    entry. The file maps file names to their metadata: ``{"000.txt": {"outlet": {"name": "RT", "domain": "rt.com",
    "kind": "state_media"}}}``. Raises IngestError naming the file when it is not that shape."""
    metadata_path = path.parent / METADATA_FILE_NAME
    if not metadata_path.is_file():
        return None
    try:
        metadata = json.loads(metadata_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise IngestError(f"{metadata_path}: cannot read it ({exc})") from None
    except json.JSONDecodeError as exc:
        raise IngestError(f"{metadata_path}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    entry = metadata.get(path.name) if isinstance(metadata, dict) else None
    if entry is None:
        return None
    outlet = entry.get("outlet") if isinstance(entry, dict) else None
    if not isinstance(outlet, dict) or not isinstance(outlet.get("name"), str) or not outlet["name"].strip():
        raise IngestError(f'{metadata_path}: {path.name} needs an "outlet" with a "name"')
    kind = outlet.get("kind", "")
    if kind and kind not in Outlet.Kind.values:
        raise IngestError(f"{metadata_path}: {path.name}: unknown outlet kind {kind!r}")
    return OutletHint(
        name=outlet["name"].strip()[:200],
        source=Article.OutletSource.METADATA,
        domain=str(outlet.get("domain", "")).lower().removeprefix("www."),
        kind=kind,
    )


def _domain_of(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


@dataclass(frozen=True)
class FileOutcome:
    path: str
    result: IngestResult | None = None
    error: str = ""


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


# ------------------------------------------------------------------------------------------- fetching and re-fetching

# Re-fetch cadence by the article's age: fresh stories change often, old ones rarely.
REFETCH_CADENCE = (
    (timedelta(days=1), timedelta(minutes=30)),
    (timedelta(days=7), timedelta(hours=6)),
    (timedelta(days=30), timedelta(days=1)),
)
REFETCH_OLD_INTERVAL = timedelta(days=7)
REFETCH_FAILURE_BACKOFF_FIRST = timedelta(minutes=5)


def refetch_interval(*, article: Article, now: datetime) -> timedelta:
    """How long to wait before fetching the article again, from its age (published, else first seen)."""
    age = now - (article.published_at or article.created_at or now)
    for younger_than, every in REFETCH_CADENCE:
        if age < younger_than:
            return every
    return REFETCH_OLD_INTERVAL


def _failure_backoff(*, article: Article, failures: int, now: datetime) -> timedelta:
    return min(REFETCH_FAILURE_BACKOFF_FIRST * (2 ** min(failures - 1, 10)), refetch_interval(article=article, now=now))


def _decoded(result: FetchResult) -> str | bytes:
    """Bytes decoded by the charset the server declared; UTF-8 (checked by ingest) when it declared none."""
    charset = ""
    for part in result.content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset":
            charset = value.strip().strip('"').lower()
    if not charset or charset in {"utf-8", "utf8"}:
        return result.body
    try:
        return result.body.decode(charset)
    except (LookupError, UnicodeDecodeError):
        raise IngestError(f"cannot decode the page as its declared charset {charset!r}") from None


def _schedule(article: Article, *, now: datetime, error: str = "", failed: bool = False, stop: bool = False) -> None:
    failures = article.fetch_failures + 1 if failed else 0
    next_at = now + (
        _failure_backoff(article=article, failures=failures, now=now)
        if failed
        else refetch_interval(article=article, now=now)
    )
    Article.objects.filter(pk=article.pk).update(
        tracking=not stop,
        last_fetched_at=now,
        next_fetch_at=None if stop else next_at,
        fetch_failures=failures,
        fetch_error=error[:500],
        updated_at=now,
    )


def page_fetch(url: str, **validators) -> FetchResult:
    """The fetcher with this site's limits: a page larger than the ingest limit, or slower than FETCH_TIMEOUT_S, is
    given up while it arrives rather than read whole and refused afterwards."""
    return fetch_url(url, max_bytes=settings.INGEST_MAX_BYTES, total_timeout_s=settings.FETCH_TIMEOUT_S, **validators)


def article_ingest_url(*, url: str, fetch=None, track: bool = True) -> IngestResult:
    """Fetch url (SSRF-guarded, see workbench.core.fetch) and ingest the page as a version of the article it names.

    Idempotent (the URL is the natural key; an unchanged page stores nothing). The article is then tracked for
    re-verification. Raises UrlRefused / FetchFailed / IngestError (bad input, permanent) or FetchUnavailable
    (transient). Network I/O happens before any transaction is opened.
    """
    fetch = fetch or page_fetch
    check_url_syntax(url)
    result = fetch(url)
    ingested = article_ingest(
        content=_decoded(result),
        arrival=ArticleVersion.Arrival.URL_FETCH,
        url=url,
        http_etag=result.etag[:500],
        http_last_modified=result.last_modified[:100],
    )
    if track:
        article = Article.objects.get(pk=ingested.article.pk)
        _schedule(article, now=timezone.now())
    return ingested


@dataclass(frozen=True)
class RefetchOutcome:
    article: Article
    changed: bool = False
    not_modified: bool = False
    version: ArticleVersion | None = None
    error: str = ""


def article_refetch(*, article: Article, fetch=None, now: datetime | None = None) -> RefetchOutcome:
    """Fetch a tracked article again (conditional on its last ETag / Last-Modified) and store a new version if the
    clean text changed, with a readable diff of the change.

    Idempotent. Records the outcome and the next fetch time on the article. A refused URL stops tracking; a failed
    fetch is recorded and returned as ``error``; a transient failure is recorded (next try after a growing backoff)
    and re-raised as FetchUnavailable so the caller may retry.
    """
    fetch = fetch or page_fetch
    now = now or timezone.now()
    url = article.canonical_url
    if not url:
        raise IngestError(f"article {article.pk} has no URL to fetch")
    latest = article.versions.order_by("-number").first()
    validators = {}
    if latest is not None and latest.arrival == ArticleVersion.Arrival.URL_FETCH:
        validators = {"etag": latest.http_etag, "last_modified": latest.http_last_modified}
    try:
        result = fetch(url, **validators)
    except UrlRefused as exc:
        _schedule(article, now=now, error=str(exc), failed=True, stop=True)
        return RefetchOutcome(article=article, error=str(exc))
    except FetchFailed as exc:
        _schedule(article, now=now, error=str(exc), failed=True)
        return RefetchOutcome(article=article, error=str(exc))
    except FetchUnavailable as exc:
        _schedule(article, now=now, error=str(exc), failed=True)
        raise
    if result.not_modified:
        _schedule(article, now=now)
        return RefetchOutcome(article=article, not_modified=True, version=latest)
    try:
        ingested = article_ingest(
            content=_decoded(result),
            arrival=ArticleVersion.Arrival.URL_FETCH,
            ingest_key=article.ingest_key,
            http_etag=result.etag[:500],
            http_last_modified=result.last_modified[:100],
            fetched_at=now,
        )
    except IngestError as exc:
        _schedule(article, now=now, error=str(exc), failed=True)
        return RefetchOutcome(article=article, error=str(exc))
    _schedule(article, now=now)
    return RefetchOutcome(article=ingested.article, changed=ingested.created_version, version=ingested.version)


REFETCH_CLAIM_S = 15 * 60


def articles_due_for_refetch(*, now: datetime | None = None, limit: int = 200) -> list[Article]:
    """Tracked articles whose next fetch time has passed, oldest due first, each claimed for REFETCH_CLAIM_S by
    moving its next fetch time on (a conditional UPDATE), so the next pass does not send it twice; the re-fetch
    sets the real next time, and an article whose message was lost is simply due again after the claim."""
    now = now or timezone.now()
    due = list(
        Article.objects.filter(tracking=True, next_fetch_at__lte=now)
        .exclude(canonical_url="")
        .order_by("next_fetch_at", "pk")
        .values_list("pk", "next_fetch_at")[:limit]
    )
    claimed = [
        pk
        for pk, next_at in due
        if Article.objects.filter(pk=pk, next_fetch_at=next_at).update(
            next_fetch_at=now + timedelta(seconds=REFETCH_CLAIM_S)
        )
    ]
    return list(Article.objects.filter(pk__in=claimed).select_related("outlet").order_by("pk"))
