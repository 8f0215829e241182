"""Brute-force protection on the password login (django-axes): username + address pairs lock after repeated failures."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client

from tests import factories

PASSWORD = "correct horse battery staple"


def _login(client: Client, username: str, password: str, *, address: str = "10.0.0.7"):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password}, REMOTE_ADDR=address)


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def erin(db):
    return factories.erin()


def _fail_to_the_limit(client: Client, username: str, *, address: str = "10.0.0.7") -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = _login(client, username, "wrong password", address=address)
        assert not _logged_in(client)
        assert response.status_code in (200, 429)


def test_the_right_password_works_before_any_failure(erin):
    client = Client()
    response = _login(client, "erin", PASSWORD)
    assert response.status_code == 302 and _logged_in(client)


def test_after_the_failure_limit_the_right_password_is_refused(erin):
    from axes.models import AccessAttempt

    client = Client()
    _fail_to_the_limit(client, "erin")
    response = _login(client, "erin", PASSWORD)
    assert response.status_code == 429
    assert not _logged_in(client)
    attempt = AccessAttempt.objects.get(username="erin", ip_address="10.0.0.7")
    assert attempt.failures_since_start >= settings.AXES_FAILURE_LIMIT
    assert "wrong password" not in str(attempt.post_data)


def test_the_lock_holds_one_username_from_one_address_only(erin):
    factories.alice()
    client = Client()
    _fail_to_the_limit(client, "erin")
    other_address = Client()
    assert _login(other_address, "erin", PASSWORD, address="10.0.0.8").status_code == 302
    other_user = Client()
    assert _login(other_user, "alice", PASSWORD).status_code == 302


def test_the_lock_clears_after_the_cool_off(erin, settings):
    settings.AXES_COOLOFF_TIME = timedelta(seconds=1)
    client = Client()
    _fail_to_the_limit(client, "erin")
    assert _login(client, "erin", PASSWORD).status_code == 429
    time.sleep(1.5)
    response = _login(client, "erin", PASSWORD)
    assert response.status_code == 302 and _logged_in(client)


def test_failures_below_the_limit_are_forgotten_after_a_success(erin):
    from axes.models import AccessAttempt

    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "erin", "wrong password")
    assert _login(client, "erin", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username="erin").exists()


def test_api_tokens_are_not_subject_to_the_password_lock(erin):
    from rest_framework.test import APIClient

    from workbench.api.services import api_token_create

    _fail_to_the_limit(Client(), "erin", address="127.0.0.1")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=erin, name='t', scopes=['read']).key}")
    assert api.get("/api/v1/me/").status_code == 200
