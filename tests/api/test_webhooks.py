"""Webhooks: registration behind the SSRF guard, signed deliveries by Celery with retries, events from the review.

All traffic goes to a receiver on 127.0.0.1 (allowed through FETCH_TEST_ALLOW_LOOPBACK); refused addresses are IP
literals or come from an injected resolver, so nothing is ever sent to them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time

import pytest
from django.db import transaction
from django.utils import timezone

from tests import factories
from tests.api.conftest import reset_broker_connections
from tests.api.test_auth import assert_error
from tests.api.webhook_receiver import WebhookReceiver
from workbench.api import services
from workbench.api.models import ApiEvent, Webhook, WebhookDelivery
from workbench.api.tasks import WEBHOOK_MAX_RETRIES, deliver_webhook
from workbench.core.fetch import UrlRefused
from workbench.review import services as review_services
from workbench.review.models import Verdict

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver(settings):
    with WebhookReceiver() as server:
        settings.FETCH_TEST_ALLOW_LOOPBACK = [server.allowance]
        yield server


@pytest.fixture
def eager_retries():
    """Eager tasks run their retries in turn only when their errors are not propagated (Celery's apply())."""
    from workbench.celery import app

    previous = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = previous


@pytest.fixture
def tool(tom, client_for):
    return client_for(tom, "read")


def register(client, url, stories, **extra):
    return client.post("/api/v1/webhooks/", {"url": url, "stories": [s.pk for s in stories], **extra}, format="json")


def verify(call, secret: str) -> dict:
    """What a receiver does: recompute the HMAC over "<t>.<body>" and compare in constant time."""
    parts = dict(item.split("=", 1) for item in call.headers["x-workbench-signature"].split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + call.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, parts["v1"])
    assert abs(int(parts["t"]) - time.time()) < 300
    return json.loads(call.body)


def approved_verdict(claim) -> Verdict:
    """A verdict taken through the review services to approval (which sends verdict_changed after commit)."""
    alice, erin = factories.alice(), factories.erin()
    verdict = review_services.verdict_create(claim=claim, label="altered", rationale="Adds a figure.", by=alice)
    verdict = review_services.verdict_submit(verdict=verdict, expected_revision=1, by=alice)
    return review_services.verdict_approve(verdict=verdict, expected_revision=2, by=erin)


def test_a_tool_registers_a_webhook_and_gets_its_secret_once(tool, tom, receiver, story_graph):
    response = register(tool, receiver.url(), [story_graph["story"]])
    assert response.status_code == 201, response.content
    body = response.json()
    webhook = Webhook.objects.get()
    assert body["secret"] == webhook.secret and len(body["secret"]) == 64
    assert webhook.owner == tom and list(webhook.stories.all()) == [story_graph["story"]]
    assert body["events"] == ["verdict.approved", "verdict.stale"]
    assert "secret" not in tool.get(f"/api/v1/webhooks/{webhook.pk}/").json()
    assert ApiEvent.objects.filter(action="webhook.created", actor=tom).exists()
    assert receiver.calls == []


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.8/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://127.0.0.1:9/hook",
        "http://[::1]/hook",
        "http://192.168.1.1/hook",
        "ftp://files.example/hook",
        "http://user:pw@8.8.8.8/hook",
    ],
)
def test_a_url_the_guard_refuses_is_a_400_and_nothing_is_stored(tool, story_graph, url):
    error = assert_error(register(tool, url, [story_graph["story"]]), 400)
    assert "url" in error["fields"]
    assert not Webhook.objects.exists()


def test_a_host_name_resolving_to_a_private_address_is_refused(tom, story_graph):
    with pytest.raises(UrlRefused, match="private"):
        services.webhook_create(
            owner=tom,
            token=None,
            url="https://hooks.internal.example/x",
            events=["verdict.approved"],
            stories=[story_graph["story"]],
            resolver=lambda host, port: ["10.20.30.40"],
        )
    assert not Webhook.objects.exists()


def test_changing_the_url_goes_through_the_guard_too(tool, receiver, story_graph):
    webhook_id = register(tool, receiver.url(), [story_graph["story"]]).json()["id"]
    assert_error(tool.patch(f"/api/v1/webhooks/{webhook_id}/", {"url": "http://10.1.1.1/"}, format="json"), 400)
    assert Webhook.objects.get().url == receiver.url()
    changed = tool.patch(
        f"/api/v1/webhooks/{webhook_id}/", {"events": ["verdict.stale"], "is_active": False}, format="json"
    )
    assert changed.status_code == 200 and changed.json()["events"] == ["verdict.stale"]


def test_webhooks_are_private_to_their_owner(tool, receiver, client_for, story_graph):
    webhook_id = register(tool, receiver.url(), [story_graph["story"]]).json()["id"]
    other = client_for(factories.UserFactory(username="otto"), "read")
    assert other.get("/api/v1/webhooks/").json()["results"] == []
    assert_error(other.get(f"/api/v1/webhooks/{webhook_id}/"), 404)
    assert_error(other.patch(f"/api/v1/webhooks/{webhook_id}/", {"is_active": False}, format="json"), 404)
    assert_error(other.delete(f"/api/v1/webhooks/{webhook_id}/"), 404)
    assert Webhook.objects.get().is_active
    assert tool.delete(f"/api/v1/webhooks/{webhook_id}/").status_code == 204
    assert not Webhook.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [({"events": ["verdict.deleted"]}, "events"), ({"events": []}, "events"), ({"stories": [987654]}, "stories")],
)
def test_bad_webhook_fields_are_400s(tool, receiver, story_graph, body, field):
    payload = {"url": receiver.url(), "stories": [story_graph["story"].pk], **body}
    error = assert_error(tool.post("/api/v1/webhooks/", payload, format="json"), 400)
    assert field in error["fields"]


def test_an_approval_is_delivered_signed_to_followers_of_the_story(
    tool, receiver, story_graph, django_capture_on_commit_callbacks
):
    secret = register(tool, receiver.url(), [story_graph["story"]]).json()["secret"]
    unrelated = factories.StoryFactory()
    register(tool, receiver.url("/other"), [unrelated])
    with django_capture_on_commit_callbacks(execute=True):
        verdict = approved_verdict(story_graph["c1"])
    (call,) = receiver.calls
    assert call.path == "/hook" and call.headers["x-workbench-event"] == "verdict.approved"
    payload = verify(call, secret)
    assert payload["event"] == "verdict.approved" and payload["story"] == story_graph["story"].pk
    assert payload["verdict"]["id"] == verdict.pk and payload["verdict"]["state"] == "approved"
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 204)
    assert call.headers["x-workbench-delivery"] == str(delivery.event_id) == payload["event_id"]
    listed = tool.get(f"/api/v1/webhooks/{delivery.webhook_id}/deliveries/").json()["results"]
    assert [d["state"] for d in listed] == ["delivered"]


def test_a_verdict_going_stale_is_delivered(tool, receiver, story_graph, django_capture_on_commit_callbacks):
    secret = register(tool, receiver.url(), [story_graph["story"]], events=["verdict.stale"]).json()["secret"]
    with django_capture_on_commit_callbacks(execute=True):
        verdict = approved_verdict(story_graph["c1"])
    assert receiver.calls == []  # approvals were not asked for
    with django_capture_on_commit_callbacks(execute=True):
        review_services.verdicts_mark_stale(verdicts=[verdict], reason="The origin was updated.")
    (call,) = receiver.calls
    payload = verify(call, secret)
    assert payload["event"] == "verdict.stale" and payload["verdict"]["is_stale"] is True
    assert payload["verdict"]["stale_reason"] == "The origin was updated."


def test_a_failed_attempt_is_retried_until_it_succeeds(
    tool, receiver, story_graph, django_capture_on_commit_callbacks, eager_retries
):
    receiver.statuses = [503, 500]
    register(tool, receiver.url(), [story_graph["story"]])
    with django_capture_on_commit_callbacks(execute=True):
        approved_verdict(story_graph["c1"])
    assert len(receiver.calls) == 3
    assert len({call.headers["x-workbench-delivery"] for call in receiver.calls}) == 1
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("delivered", 3, 204)


def test_a_delivery_that_never_succeeds_ends_failed(tool, receiver, story_graph, eager_retries):
    receiver.statuses = [503] * (WEBHOOK_MAX_RETRIES + 5)
    register(tool, receiver.url(), [story_graph["story"]])
    with transaction.atomic():
        (delivery,) = services.webhook_deliveries_create(
            event="verdict.approved", story_id=story_graph["story"].pk, payload={"verdict": {"id": 1}}
        )
    result = deliver_webhook.apply(args=[delivery.pk])
    assert result.state == "FAILURE" and isinstance(result.result, services.DeliveryFailed)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("failed", WEBHOOK_MAX_RETRIES + 1)
    assert len(receiver.calls) == WEBHOOK_MAX_RETRIES + 1


def test_a_client_error_is_not_retried(tool, receiver, story_graph, django_capture_on_commit_callbacks):
    receiver.statuses = [410]
    register(tool, receiver.url(), [story_graph["story"]])
    with django_capture_on_commit_callbacks(execute=True):
        approved_verdict(story_graph["c1"])
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("failed", 1, 410)
    assert len(receiver.calls) == 1


def test_the_guard_is_checked_again_at_delivery_time(tool, receiver, story_graph, settings):
    register(tool, receiver.url(), [story_graph["story"]])
    settings.FETCH_TEST_ALLOW_LOOPBACK = []
    with transaction.atomic():
        (delivery,) = services.webhook_deliveries_create(
            event="verdict.approved", story_id=story_graph["story"].pk, payload={}
        )
    services.webhook_deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == "failed" and "loopback" in delivery.last_error
    assert receiver.calls == []


def test_a_delivered_event_is_not_sent_twice(tool, receiver, story_graph):
    register(tool, receiver.url(), [story_graph["story"]])
    with transaction.atomic():
        (delivery,) = services.webhook_deliveries_create(
            event="verdict.approved", story_id=story_graph["story"].pk, payload={}
        )
    services.webhook_deliver(delivery_id=delivery.pk)
    services.webhook_deliver(delivery_id=delivery.pk)
    assert len(receiver.calls) == 1


def test_inactive_webhooks_get_nothing(tool, receiver, story_graph, django_capture_on_commit_callbacks):
    webhook_id = register(tool, receiver.url(), [story_graph["story"]]).json()["id"]
    tool.patch(f"/api/v1/webhooks/{webhook_id}/", {"is_active": False}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        approved_verdict(story_graph["c1"])
    assert receiver.calls == [] and not WebhookDelivery.objects.exists()


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_and_retries_over_redis(receiver, story_graph, settings):
    """The deliver task goes through the Redis broker to a worker, which retries a 500 and then delivers."""
    import redis

    from workbench.celery import app

    broker = os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(broker, socket_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {broker}")
    previous = {"broker_url": app.conf.broker_url, "task_always_eager": app.conf.task_always_eager}
    app.conf.update(broker_url=broker, task_always_eager=False)
    reset_broker_connections(app)
    try:
        _deliver_through_a_worker(app, receiver, story_graph, settings)
    finally:
        app.conf.update(previous)
        reset_broker_connections(app)


def _deliver_through_a_worker(app, receiver, story_graph, settings) -> None:
    from celery.contrib.testing.worker import start_worker

    settings.API_WEBHOOK_RETRY_BACKOFF_S = 0
    receiver.statuses = [500]
    owner = factories.UserFactory(username="tom")
    services.webhook_create(
        owner=owner, token=None, url=receiver.url(), events=["verdict.approved"], stories=[story_graph["story"]]
    )
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10, loglevel="WARNING"):
        with transaction.atomic():
            (delivery,) = services.webhook_deliveries_create(
                event="verdict.approved", story_id=story_graph["story"].pk, payload={"verdict": {"id": 7}}
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            delivery.refresh_from_db()
            if delivery.state != "pending":
                break
            time.sleep(0.2)
    assert (delivery.state, delivery.attempts) == ("delivered", 2), delivery.last_error
    assert len(receiver.calls) == 2
    assert timezone.now() >= delivery.delivered_at


def test_revoking_the_token_that_registered_a_webhook_silences_it(tom, token_for, receiver, story_graph):
    from rest_framework.test import APIClient

    from workbench.api.models import ApiToken, hash_token_key

    key = token_for(tom, "read")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    register(client, receiver.url(), [story_graph["story"]])
    services.api_token_revoke(token=ApiToken.objects.get(key_hash=hash_token_key(key)), by=tom)
    with transaction.atomic():
        deliveries = services.webhook_deliveries_create(
            event="verdict.approved", story_id=story_graph["story"].pk, payload={}
        )
    assert deliveries == [] and receiver.calls == []
