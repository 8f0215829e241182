from __future__ import annotations

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(tom, client_for) -> dict:
    response = client_for(tom, "read").get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def test_the_schema_is_openapi_3_and_covers_every_endpoint(schema):
    assert schema["openapi"].startswith("3.")
    for path in [
        "/api/v1/articles/",
        "/api/v1/jobs/{id}/",
        "/api/v1/stories/{id}/prov/",
        "/api/v1/claims/",
        "/api/v1/divergences/",
        "/api/v1/verdicts/{id}/approve/",
        "/api/v1/verdicts/{id}/claimreview/",
        "/api/v1/webhooks/",
        "/api/v1/me/",
    ]:
        assert path in schema["paths"], path
    assert schema["components"]["securitySchemes"]["tokenAuth"]["in"] == "header"


def test_requests_and_responses_are_separate_components(schema):
    components = schema["components"]["schemas"]
    submit = schema["paths"]["/api/v1/articles/"]["post"]
    assert submit["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/ArticleSubmitRequest")
    assert submit["responses"]["202"]["content"]["application/json"]["schema"]["$ref"].endswith("/SubmitResponse")
    assert {"VerdictCreateRequest", "PatchedVerdictUpdateRequest", "Verdict", "WebhookCreateRequest", "Webhook"} <= set(
        components
    )
    assert "reviewer" not in components["VerdictCreateRequest"]["properties"]
    assert "secret" not in components["Webhook"]["properties"]


def test_every_operation_documents_the_error_shape(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for code in ("401", "403", "429"):
                ref = operation["responses"][code]["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/Error"), (method, path, code)
    patch = schema["paths"]["/api/v1/verdicts/{id}/"]["patch"]["responses"]
    assert {"400", "404", "412", "428"} <= set(patch)


def test_swagger_ui_is_served_to_signed_in_users(alice):
    client = APIClient()
    client.force_login(alice)
    response = client.get("/api/docs/")
    assert response.status_code == 200 and b"swagger-ui" in response.content


def test_the_schema_generates_without_warnings_and_validates(tmp_path):
    from django.core.management import call_command

    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert "openapi: 3" in target.read_text()
