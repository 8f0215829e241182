"""Remembered token look-ups, so an API request need not query the database to know its caller.

A look-up is remembered in the shared cache (Redis, `CACHE_URL`) for `API_TOKEN_CACHE_S` seconds, together with the
moment it was read. Whatever changes a token or its user (revocation, deactivation, deletion) stamps the token as
changed at that moment, once at once and once more after commit; a remembered look-up read before the latest stamp is
never used, so a revocation takes effect on the next request in every process. The stamp outlives any look-up read
before it. Without a shared cache (`API_TOKEN_CACHE_S = 0`) every request reads the database, as one process's
memory cannot hear of a revocation made in another.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from redis.exceptions import RedisError

from workbench.api.models import ApiToken

log = logging.getLogger(__name__)

CHANGED_STAMP_S = 24 * 3600
# Look-ups read less than this long after a change stamp are read again, so clocks a little apart cannot hide it.
CLOCK_MARGIN_S = 1.0


class TokenLookup(NamedTuple):
    token: ApiToken
    read_at: float  # time.time() when the database read began


def _entry_key(key_hash: str) -> str:
    return f"api-token:{key_hash}"


def _changed_key(key_hash: str) -> str:
    return f"api-token-changed:{key_hash}"


def _from_database(key_hash: str) -> TokenLookup | None:
    read_at = time.time()
    token = ApiToken.objects.select_related("user").filter(key_hash=key_hash).first()
    return TokenLookup(token, read_at) if token is not None else None


def token_lookup(*, key_hash: str) -> TokenLookup | None:
    """The token with this key hash, with its user, and when it was read; None for an unknown key. Read from the
    database unless a remembered look-up is newer than the token's latest change stamp."""
    if not settings.API_TOKEN_CACHE_S:
        return _from_database(key_hash)
    try:
        found = cache.get_many([_entry_key(key_hash), _changed_key(key_hash)])
    except RedisError:
        log.warning("cache unreachable: token looked up in the database")
        return _from_database(key_hash)
    entry, changed_at = found.get(_entry_key(key_hash)), found.get(_changed_key(key_hash))
    if entry is not None and (changed_at is None or entry.read_at > changed_at + CLOCK_MARGIN_S):
        return entry
    lookup = _from_database(key_hash)
    if lookup is not None:
        token_remember(lookup)
    return lookup


def token_remember(lookup: TokenLookup) -> None:
    """Remember a look-up under the time its read began; only its last-used time may have moved on since."""
    if not settings.API_TOKEN_CACHE_S:
        return
    try:
        cache.set(_entry_key(lookup.token.key_hash), lookup, settings.API_TOKEN_CACHE_S)
    except RedisError:
        log.warning("cache unreachable: token look-up not remembered")


def tokens_changed(*, key_hashes: Iterable[str]) -> None:
    """Stamp these tokens as changed now and again after the current transaction commits (the second stamp covers
    a look-up that read the old row before the commit). Safe outside a transaction."""
    hashes = list(key_hashes)
    if not hashes or not settings.API_TOKEN_CACHE_S:
        return
    _stamp(hashes)
    transaction.on_commit(lambda: _stamp(hashes))


def _stamp(key_hashes: list[str]) -> None:
    now = time.time()
    try:
        cache.set_many({_changed_key(key_hash): now for key_hash in key_hashes}, CHANGED_STAMP_S)
    except RedisError:
        log.error(
            "cache unreachable: %d token change stamp(s) lost; remembered look-ups expire within %d s",
            len(key_hashes),
            settings.API_TOKEN_CACHE_S,
        )
