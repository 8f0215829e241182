"""Writes the API owns: tokens, idempotent article submission, webhooks and their deliveries.

Each service that changes state writes an ApiEvent row in the same transaction. No network I/O happens while a
transaction is open: webhook deliveries are enqueued after commit and sent by a Celery task.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from urllib.parse import urlsplit

import urllib3
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from workbench.api.models import ApiEvent, ApiToken, IdempotencyKey, Scope, Webhook, WebhookDelivery, hash_token_key
from workbench.api.permissions import scopes_beyond_role
from workbench.api.tokens import tokens_changed
from workbench.claims.models import Claim
from workbench.core import fetch
from workbench.core.extract import decode_content
from workbench.core.fetch import Resolver, UrlRefused, guard_url
from workbench.core.tasks import task_send
from workbench.provenance.models import StoryMembership
from workbench.provenance.services import trace_job_create
from workbench.sources.models import Article, ArticleVersion
from workbench.sources.services import article_ingest

TOKEN_KEY_PREFIX = "wbt_"
TOKEN_KEY_RANDOM_BYTES = 32
WEBHOOK_SECRET_BYTES = 32
WEBHOOK_TIMEOUT_S = 10.0
WEBHOOK_MAX_RESPONSE_BYTES = 64 * 1024
SIGNATURE_HEADER = "X-Workbench-Signature"
IDEMPOTENCY_KEY_TTL = timedelta(hours=24)

DELIVER_WEBHOOK = "workbench.api.deliver_webhook"  # the task's stable name (workbench.api.tasks.deliver_webhook)


class DeliveryFailed(Exception):
    """A webhook delivery attempt failed in a way worth retrying (network error, timeout, 5xx, 429)."""


def _event(*, actor, action: str, target: str, **extra) -> None:
    ApiEvent.objects.create(actor=actor, action=action, target=target[:200], extra=extra)


# ---------------------------------------------------------------- tokens


@dataclass(frozen=True)
class CreatedToken:
    token: ApiToken
    key: str


def api_token_create(*, user, name: str, scopes: Iterable[str], by=None) -> CreatedToken:
    """Create a token and return it with its key. The key is returned only here; only its hash is stored.

    Raises ValueError for an unknown or empty scope list, or a scope beyond the user's role. Runs in its own
    transaction.
    """
    scope_list = sorted(set(scopes), key=Scope.values.index) if set(scopes) <= set(Scope.values) else None
    if not scope_list:
        raise ValueError(f"Give one or more scopes from: {', '.join(Scope.values)}.")
    refusal = scopes_beyond_role(user, scope_list)
    if refusal:
        raise ValueError(refusal)
    key = TOKEN_KEY_PREFIX + secrets.token_urlsafe(TOKEN_KEY_RANDOM_BYTES)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name[:100],
            prefix=key[: len(TOKEN_KEY_PREFIX) + 6],
            key_hash=hash_token_key(key),
            scopes=scope_list,
        )
        _event(actor=by or user, action="token.created", target=str(token.pk), scopes=scope_list, name=token.name)
    return CreatedToken(token=token, key=key)


def api_token_revoke(*, token: ApiToken, by) -> ApiToken:
    """Revoke the token from now on. Idempotent: revoking a revoked token changes nothing."""
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        if updated:
            _event(actor=by, action="token.revoked", target=str(token.pk))
            tokens_changed(key_hashes=[token.key_hash])
    token.refresh_from_db()
    return token


# ---------------------------------------------------------------- submission


def article_submit(
    *,
    by,
    url: str = "",
    content: str = "",
    headline: str = "",
    outlet: str = "",
    published_at=None,
    origin: Article | None = None,
    trace_with: Iterable[Article] = (),
):
    """Start tracing a submitted article; returns the TraceJob (sent to the workers after commit).

    A URL is fetched by the worker. Text or HTML up to INGEST_INLINE_MAX_BYTES is stored now, with its metadata, as an
    article keyed by its text's hash (so the worker's ingest of the same content finds it), and bad content raises
    IngestError before any job exists; larger text is checked for size and encoding only and read by the worker.
    Needs the caller's transaction, so the job and the idempotency record commit together.
    """
    others = list(trace_with)
    if url:
        return trace_job_create(articles=others, url=url, origin=origin, requested_by=by)
    data = content.encode("utf-8") if isinstance(content, str) else content
    if len(data) > settings.INGEST_INLINE_MAX_BYTES:
        # Large text is read by a worker: the request only checks that it is text within the limits, so a web
        # process is never held by it. Problems found later end the job failed, naming them.
        decode_content(data, max_bytes=settings.INGEST_MAX_BYTES)
        meta = {
            "headline": headline,
            "outlet": outlet,
            "published_at": published_at.isoformat() if published_at else "",
        }
        return trace_job_create(articles=others, content=data, origin=origin, requested_by=by, upload_meta=meta)
    article_ingest(
        content=content,
        arrival=ArticleVersion.Arrival.UPLOAD,
        outlet_name=outlet,
        headline=headline,
        published_at=published_at,
    )
    return trace_job_create(articles=others, content=content, origin=origin, requested_by=by)


# ---------------------------------------------------------------- idempotency


def request_fingerprint(*, method: str, path: str, body: dict) -> str:
    canonical = json.dumps({"method": method, "path": path, "body": body}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class IdempotencyMismatch(Exception):
    """The Idempotency-Key was used before with a different request."""


@dataclass(frozen=True)
class Replay:
    status: int
    body: dict


def idempotent_replay(*, user, key: str, fingerprint: str) -> Replay | None:
    """The stored answer for (user, key), or None. Raises IdempotencyMismatch if the key came with another request.

    Keys are remembered for IDEMPOTENCY_KEY_TTL; an older one is forgotten (deleted) and the request runs again.
    """
    IdempotencyKey.objects.filter(user=user, created_at__lt=timezone.now() - IDEMPOTENCY_KEY_TTL).delete()
    stored = IdempotencyKey.objects.filter(user=user, key=key).first()
    if stored is None:
        return None
    if stored.request_hash != fingerprint:
        raise IdempotencyMismatch()
    return Replay(status=stored.response_status, body=stored.response_body)


def idempotent_store(*, user, key: str, fingerprint: str, status: int, body: dict) -> None:
    """Remember the answer; needs the caller's transaction. Raises IntegrityError when a concurrent request won."""
    with transaction.atomic():
        IdempotencyKey.objects.create(
            user=user, key=key, request_hash=fingerprint, response_status=status, response_body=body
        )


# ---------------------------------------------------------------- webhooks


def webhook_url_check(url: str, *, resolver: Resolver | None = None) -> None:
    """Raise UrlRefused unless the URL passes the fetcher's SSRF guard (resolves the host unless given a resolver)."""
    guard_url(url, resolver=resolver)


@dataclass(frozen=True)
class CreatedWebhook:
    webhook: Webhook
    secret: str


def webhook_create(
    *, owner, token: ApiToken | None, url: str, events: list[str], stories, resolver=None
) -> CreatedWebhook:
    """Register a webhook; returns it with its signing secret (shown once). Raises UrlRefused for a guarded URL."""
    webhook_url_check(url, resolver=resolver)
    secret = secrets.token_hex(WEBHOOK_SECRET_BYTES)
    with transaction.atomic():
        webhook = Webhook.objects.create(owner=owner, token=token, url=url, secret=secret, events=list(events))
        webhook.stories.set(stories)
        _event(actor=owner, action="webhook.created", target=str(webhook.pk), url=url, events=list(events))
    return CreatedWebhook(webhook=webhook, secret=secret)


def webhook_update(*, webhook: Webhook, by, resolver=None, **changes) -> Webhook:
    """Change url / events / stories / is_active. Raises UrlRefused for a guarded URL; nothing is saved then."""
    if "url" in changes:
        webhook_url_check(changes["url"], resolver=resolver)
    stories = changes.pop("stories", None)
    with transaction.atomic():
        webhook = Webhook.objects.select_for_update().get(pk=webhook.pk)
        for field_name in ("url", "events", "is_active"):
            if field_name in changes:
                setattr(webhook, field_name, changes[field_name])
        webhook.save()
        if stories is not None:
            webhook.stories.set(stories)
        _event(
            actor=by,
            action="webhook.updated",
            target=str(webhook.pk),
            fields=sorted([*changes, *(["stories"] if stories is not None else [])]),
        )
    return webhook


def webhook_delete(*, webhook: Webhook, by) -> None:
    with transaction.atomic():
        _event(actor=by, action="webhook.deleted", target=str(webhook.pk), url=webhook.url)
        webhook.delete()


EVENT_FOR_REVIEW_KIND = {"approved": Webhook.Event.VERDICT_APPROVED, "marked_stale": Webhook.Event.VERDICT_STALE}


def webhook_deliveries_for_verdict(*, verdict, kind: str) -> list[WebhookDelivery]:
    """Queue deliveries for a review event of kind `approved` or `marked_stale`; other kinds are ignored."""
    event = EVENT_FOR_REVIEW_KIND.get(kind)
    if event is None:
        return []
    claim = Claim.objects.select_related("version").get(pk=verdict.claim_id)
    story_id = (
        StoryMembership.objects.filter(article_id=claim.version.article_id).values_list("story_id", flat=True).first()
    )
    payload = {
        "occurred_at": timezone.now().isoformat(),
        "story": story_id,
        "article": claim.version.article_id,
        "claim": {"id": claim.pk, "text": claim.text},
        "verdict": {
            "id": verdict.pk,
            "label": verdict.label,
            "state": verdict.state,
            "is_stale": verdict.is_stale,
            "stale_reason": verdict.stale_reason,
            "revision": verdict.revision,
            "url": reverse("api:verdict-detail", kwargs={"pk": verdict.pk}),
        },
    }
    return webhook_deliveries_create(event=event, story_id=story_id, payload=payload)


def webhook_deliveries_create(*, event: str, story_id: int | None, payload: dict) -> list[WebhookDelivery]:
    """Queue a delivery of the event to each active webhook following the story, sent after commit.

    A webhook registered with a token that has since been revoked, or owned by a deactivated user, gets nothing.

    Needs no transaction of its own; when called inside one, the tasks are enqueued only if it commits.
    """
    if story_id is None:
        return []
    webhooks = (
        Webhook.objects.filter(is_active=True, owner__is_active=True, stories__id=story_id)
        .filter(Q(token__isnull=True) | Q(token__revoked_at__isnull=True))
        .distinct()
    )
    deliveries = []
    with transaction.atomic():
        for webhook in webhooks:
            if event not in webhook.events:
                continue
            delivery = WebhookDelivery.objects.create(webhook=webhook, event=event, payload={})
            delivery.payload = {**payload, "event": event, "event_id": str(delivery.event_id)}
            delivery.save(update_fields=["payload"])
            deliveries.append(delivery)
            transaction.on_commit(partial(task_send, DELIVER_WEBHOOK, delivery.pk))
    return deliveries


def webhook_signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." + body>`: what receivers recompute to authenticate a call."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def webhook_deliver(
    *, delivery_id: int, resolver: Resolver | None = None, final_attempt: bool = False
) -> WebhookDelivery:
    """Send one delivery. Idempotent: a delivered or failed delivery is not sent again.

    Raises DeliveryFailed for a retryable failure (the row records it; on the final attempt it is marked failed).
    A refused URL or a 4xx answer marks the delivery failed at once. No transaction is held during the request.
    """
    delivery = WebhookDelivery.objects.select_related("webhook").get(pk=delivery_id)
    if delivery.state != WebhookDelivery.State.PENDING:
        return delivery
    webhook = delivery.webhook
    body = json.dumps(delivery.payload, sort_keys=True, separators=(",", ":")).encode("utf-8")
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "ProvenanceWorkbench-Webhook/1",
        "X-Workbench-Event": delivery.event,
        "X-Workbench-Delivery": str(delivery.event_id),
        SIGNATURE_HEADER: webhook_signature(secret=webhook.secret, timestamp=timestamp, body=body),
    }
    try:
        status = _post(webhook.url, body=body, headers=headers, resolver=resolver)
    except UrlRefused as exc:
        return _delivery_record(delivery, state=WebhookDelivery.State.FAILED, error=str(exc))
    except DeliveryFailed as exc:
        state = WebhookDelivery.State.FAILED if final_attempt else WebhookDelivery.State.PENDING
        _delivery_record(delivery, state=state, error=str(exc))
        raise
    if 200 <= status < 300:
        return _delivery_record(delivery, state=WebhookDelivery.State.DELIVERED, status=status)
    if status in (408, 425, 429) or status >= 500:
        state = WebhookDelivery.State.FAILED if final_attempt else WebhookDelivery.State.PENDING
        _delivery_record(delivery, state=state, status=status, error=f"answered {status}")
        raise DeliveryFailed(f"{webhook.url} answered {status}")
    return _delivery_record(delivery, state=WebhookDelivery.State.FAILED, status=status, error=f"answered {status}")


def _delivery_record(
    delivery: WebhookDelivery, *, state: str, status: int | None = None, error: str = ""
) -> WebhookDelivery:
    WebhookDelivery.objects.filter(pk=delivery.pk, state=WebhookDelivery.State.PENDING).update(
        state=state,
        attempts=F("attempts") + 1,
        last_status_code=status,
        last_error=error[:500],
        delivered_at=timezone.now() if state == WebhookDelivery.State.DELIVERED else None,
    )
    delivery.refresh_from_db()
    return delivery


def _post(url: str, *, body: bytes, headers: dict[str, str], resolver: Resolver | None) -> int:
    """POST to the address the guard checked (the name is resolved once). Returns the status code."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    scheme = parts.scheme.lower()
    port = parts.port or (443 if scheme == "https" else 80)
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        try:
            addresses = list((resolver or fetch.system_resolver)(host, port))
        except Exception as exc:
            raise DeliveryFailed(f"cannot resolve {host!r}: {exc}") from None
    guard_url(url, resolver=lambda _host, _port: addresses)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    timeout = urllib3.Timeout(connect=WEBHOOK_TIMEOUT_S, read=WEBHOOK_TIMEOUT_S)
    if scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            addresses[0],
            port,
            timeout=timeout,
            retries=False,
            cert_reqs="CERT_REQUIRED",
            server_hostname=host,
            assert_hostname=host,
        )
    else:
        pool = urllib3.HTTPConnectionPool(addresses[0], port, timeout=timeout, retries=False)
    default_port = 443 if scheme == "https" else 80
    host_header = host if port == default_port else f"{host}:{port}"
    try:
        response = pool.urlopen(
            "POST",
            target,
            body=body,
            headers={**headers, "Host": host_header},
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
        response.read(WEBHOOK_MAX_RESPONSE_BYTES)
        response.release_conn()
        return response.status
    except urllib3.exceptions.HTTPError as exc:
        raise DeliveryFailed(f"cannot reach {scheme}://{host_header}: {exc.__class__.__name__}") from None
    finally:
        pool.close()
