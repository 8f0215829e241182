"""Property-based run of the whole API against its own OpenAPI schema, over a live server on 127.0.0.1.

Bounded: a few examples per operation and a deadline on the whole run. Trace jobs and webhook deliveries go to an
in-memory broker and are never run, and host names resolve through a resolver that answers with a documentation
address the guard refuses, so no request can leave 127.0.0.1.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation.modes import GenerationMode

from tests import factories
from tests.api.conftest import reset_broker_connections
from workbench.api.services import api_token_create
from workbench.core import fetch

MAX_EXAMPLES = 10


@pytest.fixture
def api_schema(live_server, monkeypatch, settings):
    from workbench.celery import app

    previous = {"broker_url": app.conf.broker_url, "task_always_eager": app.conf.task_always_eager}
    app.conf.update(broker_url="memory://", task_always_eager=False)
    reset_broker_connections(app)
    monkeypatch.setattr(fetch, "system_resolver", lambda host, port: ["192.0.2.1"])
    settings.API_THROTTLE_RATES = {"token": None, "submit": None}
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    user = factories.UserFactory(username="fuzz", is_staff=True, is_superuser=True)
    story = factories.StoryFactory()
    factories.StoryMembershipFactory(story=story, article=story.origin, role="origin")
    link = factories.ProvenanceLinkFactory()
    factories.DivergenceFactory(claim=link.claim, link=link)
    factories.VerdictFactory(claim=link.claim, reviewer=user)
    key = api_token_create(user=user, name="schemathesis", scopes=["read", "submit", "review"]).key
    headers = {"Authorization": f"Token {key}"}
    loaded = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/?format=json", headers=headers, timeout=30)
    loaded.config.update(base_url=live_server.url)
    yield loaded, headers
    app.conf.update(previous)
    reset_broker_connections(app)


@pytest.mark.django_db(transaction=True)
def test_the_api_never_fails_and_always_matches_its_schema(api_schema):
    """Every operation, valid and invalid inputs: no 5xx, and every response matches the schema."""
    loaded, headers = api_schema
    checks = _checks()
    failures: list[str] = []
    operations = [result.ok() for result in loaded.get_all_operations()]
    assert len(operations) > 30
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=MAX_EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
                phases=[Phase.explicit, Phase.generate],
            )
            def run(case):
                response = case.call(base_url=loaded.config.base_url, headers=headers, timeout=30)
                case.validate_response(response, checks=checks, headers=headers)

            try:
                run()
            except Unsatisfiable:  # an operation without inputs has no invalid variant to send
                assert mode == GenerationMode.NEGATIVE, operation.label
            except BaseException as exc:  # noqa: BLE001  collect every operation's failure, report them together
                if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                    raise
                failures.append(f"{operation.label} ({mode}): {exc}"[:3000])
    assert not failures, "\n\n".join(failures)


def _checks():
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    return [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
    ]


HOSTILE_BODIES = {
    "nested 1,000 deep": "[" * 1000 + "]" * 1000,
    "object nested 1,000 deep": '{"a":' * 1000 + "1" + "}" * 1000,
    "long string": '{"content": "' + "x" * 200_000 + '", "label": "' + "y" * 10_000 + '"}',
    "odd characters": '{"content": "\\u0000\\ud800\\u202e\\ufeff", "rationale": "\\udfff", "url": "http://\\u0000/"}',
    "huge number": '{"claim": ' + "9" * 5000 + ', "revision": 1e999}',
    "not JSON": "{'content': ",
}
HOSTILE_HEADERS = {
    "If-Match of 5,000 digits": {"If-Match": "9" * 5000},
    "If-Match with a huge revision": {"If-Match": '"r' + "9" * 60 + '"'},
    "Idempotency-Key of 10,000 characters": {"Idempotency-Key": "k" * 10_000},
}
HOSTILE_PATH_VALUES = ["1", "9" * 30, "-1", "%00", "%F0%9F%92%A9"]
HOSTILE_QUERY = "?" + "&".join(
    [f"search={'z' * 5000}", "page=99999999999999999999", "ordering=-" + "a" * 300, "fields=" + ",".join(["x"] * 500)]
)


@pytest.mark.django_db(transaction=True)
def test_deep_long_and_odd_inputs_never_reach_a_server_error(api_schema):
    """Every operation with bodies nested 1,000 deep, strings and numbers far past any limit, odd characters, header
    values thousands of characters long and nonsense ids: each answer is a 4xx (or a 2xx), never a 5xx."""
    import re

    import requests

    loaded, headers = api_schema
    operations = [result.ok() for result in loaded.get_all_operations()]
    server_errors: list[str] = []
    session = requests.Session()
    for operation in operations:
        for value in HOSTILE_PATH_VALUES:
            path = re.sub(r"\{[^}]+\}", value, operation.path)
            url = f"{loaded.config.base_url}{path}"
            attempts = [("query", HOSTILE_QUERY, None, {})]
            if operation.method.upper() in {"POST", "PUT", "PATCH"}:
                attempts += [(name, "", body, {}) for name, body in HOSTILE_BODIES.items()]
            attempts += [(name, "", "{}", extra) for name, extra in HOSTILE_HEADERS.items()]
            for name, query, body, extra in attempts:
                response = session.request(
                    operation.method.upper(),
                    url + query,
                    data=body.encode("utf-8", "surrogatepass") if body is not None else None,
                    headers={**headers, "Content-Type": "application/json", **extra},
                    timeout=60,
                )
                if response.status_code >= 500:
                    server_errors.append(f"{operation.method.upper()} {path} {name}: {response.status_code}")
    assert server_errors == []
