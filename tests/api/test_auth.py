from __future__ import annotations

import io
import socket
import time

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from tests import factories
from workbench.api.models import ApiEvent, ApiToken, hash_token_key
from workbench.api.services import api_token_create, api_token_revoke

pytestmark = pytest.mark.django_db

READ_ENDPOINTS = [
    "/api/v1/me/",
    "/api/v1/outlets/",
    "/api/v1/articles/",
    "/api/v1/jobs/",
    "/api/v1/stories/",
    "/api/v1/claims/",
    "/api/v1/divergences/",
    "/api/v1/verdicts/",
    "/api/v1/webhooks/",
]


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["status"] == status
    assert error["message"]
    if code:
        assert error["code"] == code
    return error


@pytest.mark.parametrize("path", READ_ENDPOINTS)
def test_anonymous_requests_get_nothing(path):
    response = APIClient().get(path)
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Token")


def test_anonymous_requests_get_no_schema():
    response = APIClient().get("/api/schema/")
    assert response.status_code == 401
    assert b"paths" not in response.content


def test_anonymous_submit_is_refused_and_stores_nothing():
    response = APIClient().post("/api/v1/articles/", {"content": "Some text."}, format="json")
    assert_error(response, 401)
    from workbench.provenance.models import TraceJob

    assert not TraceJob.objects.exists()


@pytest.mark.parametrize("header", ["Token wbt_not-a-real-key", "Bearer wbt_not-a-real-key", "Token", "Token a b"])
def test_a_bad_token_is_refused(header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert_error(client.get("/api/v1/articles/"), 401, "authentication_failed")


def test_a_revoked_token_is_refused(tom, token_for):
    key = token_for(tom, "read")
    token = ApiToken.objects.get(key_hash=hash_token_key(key))
    api_token_revoke(token=token, by=tom)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    error = assert_error(client.get("/api/v1/articles/"), 401)
    assert "revoked" in error["message"]
    assert ApiEvent.objects.filter(action="token.revoked", target=str(token.pk)).exists()


def test_a_token_of_an_inactive_user_is_refused(tom, client_for):
    client = client_for(tom, "read")
    tom.is_active = False
    tom.save()
    assert_error(client.get("/api/v1/articles/"), 401)


def test_a_read_token_cannot_submit(tom, client_for):
    response = client_for(tom, "read").post("/api/v1/articles/", {"content": "A sentence here."}, format="json")
    error = assert_error(response, 403, "permission_denied")
    assert "submit" in error["message"]


def test_a_submit_only_token_cannot_read(tom, client_for):
    assert_error(client_for(tom, "submit").get("/api/v1/claims/"), 403)


def test_a_read_token_cannot_record_verdicts(alice, client_for, story_graph):
    response = client_for(alice, "read").post(
        "/api/v1/verdicts/", {"claim": story_graph["c1"].pk, "label": "altered"}, format="json"
    )
    assert_error(response, 403)
    from workbench.review.models import Verdict

    assert not Verdict.objects.exists()


def test_me_reports_the_token_and_its_scopes(alice, client_for):
    response = client_for(alice, "read", "review").get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json() == {"username": "alice", "token_name": "tool", "scopes": ["read", "review"]}


def test_a_review_scope_is_refused_to_a_user_in_no_reviewer_group(tom):
    with pytest.raises(ValueError, match="tom may not hold the review scope.*no reviewer group"):
        api_token_create(user=tom, name="tool", scopes=["read", "review"])
    assert not ApiToken.objects.exists()
    with pytest.raises(CommandError, match="may not hold the review scope"):
        call_command("create_api_token", "tom", "--scopes", "read,review", stdout=io.StringIO())


def test_a_token_loses_the_review_scope_when_its_user_leaves_the_reviewer_roles(alice, client_for, story_graph):
    client = client_for(alice, "read", "review")
    alice.groups.clear()
    assert client.get("/api/v1/me/").json()["scopes"] == ["read"]
    response = client.post("/api/v1/verdicts/", {"claim": story_graph["c1"].pk, "label": "altered"}, format="json")
    assert "'review' scope" in assert_error(response, 403)["message"]
    assert client.get("/api/v1/verdicts/").json()["results"] == [], "no draft verdicts for a reader"


def test_stored_tokens_beyond_their_users_role_are_narrowed(tom, alice):
    from django.apps import apps

    from workbench.api.scopes import api_tokens_narrow_to_roles

    wide = ApiToken.objects.create(user=tom, name="old", prefix="wbt_x", key_hash="1" * 64, scopes=["read", "review"])
    only = ApiToken.objects.create(user=tom, name="old2", prefix="wbt_y", key_hash="2" * 64, scopes=["review"])
    fine = ApiToken.objects.create(user=alice, name="ok", prefix="wbt_z", key_hash="3" * 64, scopes=["read", "review"])
    assert api_tokens_narrow_to_roles(apps) == 2
    assert [ApiToken.objects.get(pk=t.pk).scopes for t in (wide, only, fine)] == [
        ["read"],
        ["read"],
        ["read", "review"],
    ]


def test_the_token_updates_last_used_but_never_stores_the_key(tom, token_for):
    key = token_for(tom, "read")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/me/").status_code == 200
    token = ApiToken.objects.get()
    assert token.last_used_at is not None
    assert token.key_hash == hash_token_key(key) and key not in token.key_hash
    assert key.startswith(token.prefix) and len(token.prefix) < len(key) // 3
    stored = [str(value) for value in ApiToken.objects.values_list(flat=False).get()]
    assert not any(key in value for value in stored)


def test_session_users_use_the_browsable_api(alice):
    client = APIClient()
    client.force_login(alice)
    response = client.get("/api/v1/claims/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"Claim" in response.content
    assert client.get("/api/v1/me/").json()["scopes"] == ["read", "review"]


def test_session_writes_need_the_csrf_token(alice, story_graph):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post("/api/v1/verdicts/", {"claim": story_graph["c1"].pk, "label": "altered"}, format="json")
    assert_error(response, 403)


class TestCreateApiTokenCommand:
    def test_prints_a_working_key_once_and_stores_its_hash(self, alice):
        out, err = io.StringIO(), io.StringIO()
        call_command("create_api_token", "alice", "--scopes", "read,submit,review", stdout=out, stderr=err)
        key = out.getvalue().strip()
        assert key.startswith("wbt_") and "\n" not in key
        assert key not in err.getvalue()
        token = ApiToken.objects.get(user=alice)
        assert token.scopes == ["read", "submit", "review"]
        assert token.key_hash == hash_token_key(key)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        assert client.get("/api/v1/me/").json()["scopes"] == ["read", "submit", "review"]
        assert ApiEvent.objects.filter(action="token.created", target=str(token.pk)).exists()

    def test_refuses_an_unknown_scope(self, tom):
        with pytest.raises(CommandError, match="Unknown"):
            call_command("create_api_token", "tom", "--scopes", "read,admin", stdout=io.StringIO())
        assert not ApiToken.objects.exists()

    def test_refuses_an_unknown_user(self):
        with pytest.raises(CommandError, match="No user"):
            call_command("create_api_token", "nobody", stdout=io.StringIO())


class TestAdmin:
    @pytest.fixture
    def admin_client(self, client):
        admin = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
        client.force_login(admin)
        return client

    def test_creating_a_token_shows_the_key_once(self, admin_client, tom):
        response = admin_client.post(
            "/admin/api/apitoken/add/",
            {"user": tom.pk, "name": "factchecker-bot", "scopes": ["read", "submit"]},
            follow=True,
        )
        assert response.status_code == 200
        token = ApiToken.objects.get(name="factchecker-bot")
        assert token.scopes == ["read", "submit"]
        shown = [str(m) for m in response.context["messages"]]
        key = shown[0].split("<code>")[1].split("</code>")[0]
        assert token.key_hash == hash_token_key(key)
        again = admin_client.get(f"/admin/api/apitoken/{token.pk}/change/")
        assert key.encode() not in again.content

    def test_the_revoke_action_revokes(self, admin_client, tom, token_for):
        key = token_for(tom, "read")
        token = ApiToken.objects.get()
        admin_client.post("/admin/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}, follow=True)
        token.refresh_from_db()
        assert token.revoked_at is not None and token.revoked_at <= timezone.now()
        assert ApiEvent.objects.filter(action="token.revoked", target=str(token.pk), actor__username="root").exists()
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        assert client.get("/api/v1/me/").status_code == 401


class TestRememberedTokens:
    """With a shared cache, token look-ups are remembered (workbench.api.tokens); a change takes effect at once."""

    @pytest.fixture(autouse=True)
    def _remembering(self, settings):
        settings.API_TOKEN_CACHE_S = 60

    @pytest.fixture
    def used(self, tom, token_for):
        """A key already used once, so its look-up is remembered and its last use recorded."""
        key = token_for(tom, "read")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        assert client.get("/api/v1/me/").status_code == 200
        return client, ApiToken.objects.get(key_hash=hash_token_key(key))

    def test_a_remembered_token_costs_no_query(self, used, django_assert_num_queries):
        client, _ = used
        with django_assert_num_queries(0):
            assert client.get("/api/v1/me/").json()["username"] == "tom"

    def test_a_token_revoked_after_use_is_refused_on_the_next_request(
        self, used, tom, django_capture_on_commit_callbacks
    ):
        client, token = used
        with django_capture_on_commit_callbacks(execute=True):
            api_token_revoke(token=token, by=tom)
        assert "revoked" in assert_error(client.get("/api/v1/me/"), 401)["message"]

    def test_a_token_of_a_user_deactivated_after_use_is_refused(self, used, tom, django_capture_on_commit_callbacks):
        client, _ = used
        with django_capture_on_commit_callbacks(execute=True):
            tom.is_active = False
            tom.save()
        assert_error(client.get("/api/v1/me/"), 401)

    def test_a_look_up_read_before_the_revocation_committed_is_never_used(
        self, used, tom, monkeypatch, django_capture_on_commit_callbacks
    ):
        """Another process read the row just before the commit and remembers it just after the first stamp: the stamp
        made after commit still outdates it."""
        from workbench.api import tokens

        monkeypatch.setattr(tokens, "CLOCK_MARGIN_S", 0.0)
        client, token = used
        with django_capture_on_commit_callbacks(execute=False) as after_commit:
            api_token_revoke(token=token, by=tom)
            time.sleep(0.01)
            stale = tokens.TokenLookup(ApiToken.objects.select_related("user").get(pk=token.pk), time.time())
            stale.token.revoked_at = None  # what that process's read saw
            tokens.token_remember(stale)
            time.sleep(0.01)
        for callback in after_commit:
            callback()
        assert_error(client.get("/api/v1/me/"), 401)

    def test_the_last_use_is_still_recorded(self, used, django_assert_num_queries):
        client, token = used
        long_ago = timezone.now() - timezone.timedelta(hours=1)
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=long_ago)
        from workbench.api import tokens

        tokens.token_remember(tokens.TokenLookup(ApiToken.objects.select_related("user").get(pk=token.pk), time.time()))
        with django_assert_num_queries(1):  # the last-used write, once
            client.get("/api/v1/me/")
        with django_assert_num_queries(0):
            client.get("/api/v1/me/")
        token.refresh_from_db()
        assert token.last_used_at > long_ago

    def test_an_unreachable_cache_leaves_the_api_working(self, tom, token_for, settings):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            closed_port = probe.getsockname()[1]
        settings.API_THROTTLE_RATES = {"token": "1/hour", "submit": None}
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(tom, 'read')}")
        unreachable = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port}/0",
        }
        with override_settings(CACHES={"default": unreachable}):
            assert [client.get("/api/v1/me/").status_code for _ in range(2)] == [200, 200]


def test_the_admin_refuses_a_review_token_for_a_user_in_no_reviewer_group(tom):
    from django.test import Client

    admin_client = Client()
    admin_client.force_login(factories.UserFactory(username="root", is_staff=True, is_superuser=True))
    response = admin_client.post(
        "/admin/api/apitoken/add/", {"user": tom.pk, "name": "cms", "scopes": ["read", "review"]}
    )
    assert response.status_code == 200 and b"may not hold the review scope" in response.content
    assert not ApiToken.objects.exists()
