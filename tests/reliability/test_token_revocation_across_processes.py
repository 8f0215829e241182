"""With a shared cache (CACHE_URL), gunicorn's workers remember token look-ups; a token revoked, or a user deactivated,
in another process is still refused by every worker on the next request.

A real gunicorn with two sync worker processes shares the test database and a Redis database with this test process,
which revokes through the service as the admin does. Each request opens a new connection, so both workers serve them.
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from tests import factories
from tests.loopback import free_port
from tests.reliability.workers import broker_url, gunicorn_serving, purge_broker, require_services
from workbench.api.models import ApiToken, hash_token_key
from workbench.api.services import api_token_create, api_token_revoke

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

REQUESTS = 20


def _statuses(base: str, key: str, count: int = REQUESTS) -> list[int]:
    statuses = []
    for _ in range(count):
        request = urllib.request.Request(f"{base}/api/v1/me/", headers={"Authorization": f"Token {key}"})
        try:
            with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310 - loopback only
                statuses.append(response.status)
        except urllib.error.HTTPError as exc:
            statuses.append(exc.code)
    return statuses


@pytest.fixture
def shared_cache_app(transactional_db, tmp_path: Path):
    """gunicorn (2 sync workers) and this process on one Redis cache; yields the base URL."""
    require_services()
    cache_url = broker_url()
    purge_broker()
    db = settings.DATABASES["default"]
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{db.get('USER') or 'postgres'}@{db.get('HOST') or '127.0.0.1'}:"
            f"{db.get('PORT') or 5432}/{db['NAME']}"
        ),
        "CACHE_URL": cache_url,
        "SECRET_KEY": settings.SECRET_KEY,
        "CELERY_BROKER_URL": "",
        "STATIC_MANIFEST": "false",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_THREADS": "1",
    }
    shared = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": cache_url,
        "KEY_PREFIX": "workbench",
    }
    args = ["-c", "deploy/gunicorn.conf.py"]
    try:
        with (
            gunicorn_serving(args=args, env=env, port=port, log_path=tmp_path / "gunicorn.log") as base,
            override_settings(CACHES={"default": shared}, API_TOKEN_CACHE_S=60),
        ):
            yield base
    finally:
        purge_broker()


def _remembered(key: str) -> bool:
    from django.core.cache import cache

    return cache.get(f"api-token:{hash_token_key(key)}") is not None


def test_a_token_revoked_in_another_process_is_refused_by_every_worker_at_once(shared_cache_app):
    tom = factories.UserFactory(username="tom")
    key = api_token_create(user=tom, name="tool", scopes=["read"]).key
    assert _statuses(shared_cache_app, key) == [200] * REQUESTS
    assert _remembered(key), "the workers did not remember the look-up: this test would prove nothing"

    api_token_revoke(token=ApiToken.objects.get(key_hash=hash_token_key(key)), by=tom)
    assert _statuses(shared_cache_app, key) == [401] * REQUESTS


def test_a_user_deactivated_in_another_process_is_refused_by_every_worker_at_once(shared_cache_app):
    tom = factories.UserFactory(username="tom")
    key = api_token_create(user=tom, name="tool", scopes=["read"]).key
    assert _statuses(shared_cache_app, key) == [200] * REQUESTS
    assert _remembered(key)

    tom.is_active = False
    tom.save()
    assert _statuses(shared_cache_app, key) == [401] * REQUESTS
