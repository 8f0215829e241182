"""One error shape for every failure, and secrets kept out of logs."""

from __future__ import annotations

import logging

import pytest
from rest_framework.test import APIClient

from tests.api.test_auth import assert_error
from workbench.api import selectors
from workbench.core.json_depth import json_depth

pytestmark = pytest.mark.django_db


def test_an_unexpected_error_is_a_500_in_the_error_shape_and_is_logged(tom, client_for, monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(selectors, "claim_list", broken)
    with caplog.at_level(logging.ERROR, logger="workbench.api.exceptions"):
        response = client_for(tom, "read").get("/api/v1/claims/")
    error = assert_error(response, 500, "server_error")
    assert "database went away" not in error["message"]
    assert any("database went away" in str(record.exc_info[1]) for record in caplog.records if record.exc_info)


def test_an_unknown_api_path_is_a_json_404(tom, client_for):
    assert_error(client_for(tom, "read").get("/api/v1/nothing-here/"), 404, "not_found")
    assert_error(client_for(tom, "read").post("/api/v1/nothing-here/", {}, format="json"), 404)


def test_an_unservable_accept_header_is_a_406(tom, client_for):
    response = client_for(tom, "read").get("/api/v1/claims/", HTTP_ACCEPT="application/xml")
    assert_error(response, 406, "not_acceptable")


def test_keys_never_reach_the_logs(tom, token_for, caplog, client_for, story_graph):
    good = token_for(tom, "read")
    bad = "wbt_" + "x" * 43
    with caplog.at_level(logging.DEBUG):
        for key in (good, bad):
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
            client.get("/api/v1/claims/?fields=nope")
            client.post("/api/v1/articles/", {"content": ""}, format="json")
    text = caplog.text + " ".join(str(record.__dict__) for record in caplog.records)
    assert "Bad Request" in caplog.text or "Forbidden" in caplog.text
    assert good not in text and bad not in text


def test_a_body_nested_a_thousand_deep_is_a_400_naming_the_limit(tom, client_for):
    body = "[" * 1000 + "]" * 1000
    response = client_for(tom, "read", "submit").post("/api/v1/articles/", body, content_type="application/json")
    error = assert_error(response, 400, "parse_error")
    assert "1000 levels deep" in error["message"] and "limit is 32" in error["message"]


def test_brackets_inside_strings_do_not_count_as_nesting():
    assert json_depth(b'{"a": ["[[[[", "\\\\\\"{{{"]}') == 2
    assert json_depth(b'"just a string [[["') == 0
    assert json_depth(b"[[[]]]") == 3


def test_a_long_if_match_is_a_400_not_a_500(alice, client_for, story_graph):
    api = client_for(alice, "read", "review")
    verdict_id = api.post(
        "/api/v1/verdicts/", {"claim": story_graph["c1"].pk, "label": "altered"}, format="json"
    ).json()["id"]
    response = api.patch(f"/api/v1/verdicts/{verdict_id}/", {"rationale": "x"}, format="json", HTTP_IF_MATCH="9" * 5000)
    error = assert_error(response, 400, "invalid")
    assert error["fields"]["If-Match"] == ["At most 64 characters; send the ETag you read."]
    # A long but well-formed revision is simply not the current one.
    stale = api.patch(
        f"/api/v1/verdicts/{verdict_id}/", {"rationale": "x"}, format="json", HTTP_IF_MATCH='"r' + "9" * 40 + '"'
    )
    assert_error(stale, 412)


def test_an_unknown_api_path_asks_an_anonymous_caller_to_authenticate_first():
    anonymous = APIClient()
    for method in ("get", "post", "delete"):
        response = getattr(anonymous, method)("/api/v1/nothing-here/")
        assert_error(response, 401, "not_authenticated")
    assert_error(anonymous.get("/api/v1/claims/"), 401, "not_authenticated")
