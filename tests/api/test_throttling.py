from __future__ import annotations

import pytest

from tests import factories
from tests.api.test_auth import assert_error
from workbench.provenance.models import TraceJob

pytestmark = pytest.mark.django_db


def test_a_token_over_its_rate_gets_429_with_retry_after(tom, client_for, settings):
    settings.API_THROTTLE_RATES = {"token": "3/min", "submit": None}
    client = client_for(tom, "read")
    assert [client.get("/api/v1/me/").status_code for _ in range(3)] == [200, 200, 200]
    response = client.get("/api/v1/me/")
    error = assert_error(response, 429, "throttled")
    assert 0 < int(response["Retry-After"]) <= 60
    assert "available in" in error["message"]


def test_the_limit_is_per_token(tom, client_for, settings):
    settings.API_THROTTLE_RATES = {"token": "2/min", "submit": None}
    first, second = client_for(tom, "read"), client_for(tom, "read")
    first.get("/api/v1/me/"), first.get("/api/v1/me/")
    assert first.get("/api/v1/me/").status_code == 429
    assert second.get("/api/v1/me/").status_code == 200
    other_user = client_for(factories.UserFactory(username="otto"), "read")
    assert other_user.get("/api/v1/me/").status_code == 200


def test_submissions_have_their_own_tighter_limit(tom, client_for, settings):
    settings.API_THROTTLE_RATES = {"token": "100/min", "submit": "2/hour"}
    client = client_for(tom, "read", "submit")
    for _ in range(2):
        assert client.post("/api/v1/articles/", {"url": "https://a.example/x"}, format="json").status_code == 202
    response = client.post("/api/v1/articles/", {"url": "https://a.example/y"}, format="json")
    assert_error(response, 429)
    assert int(response["Retry-After"]) > 60
    assert TraceJob.objects.count() == 2
    assert client.get("/api/v1/jobs/").status_code == 200


def test_anonymous_requests_are_refused_before_any_rate_is_spent(tom, client_for, settings):
    from rest_framework.test import APIClient

    settings.API_THROTTLE_RATES = {"token": "1/min", "submit": None}
    for _ in range(3):
        assert APIClient().get("/api/v1/me/").status_code == 401
    assert client_for(tom, "read").get("/api/v1/me/").status_code == 200


def test_other_writes_do_not_spend_the_submission_limit(alice, client_for, settings, story_graph):
    settings.API_THROTTLE_RATES = {"token": "100/min", "submit": "1/hour"}
    client = client_for(alice, "read", "review", "submit")
    created = client.post("/api/v1/verdicts/", {"claim": story_graph["c1"].pk, "label": "altered"}, format="json")
    assert created.status_code == 201
    assert client.post("/api/v1/articles/", {"url": "https://a.example/x"}, format="json").status_code == 202
