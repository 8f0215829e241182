"""Security headers on the admin, the API and the API docs; Swagger UI served from this site without inline script."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests import factories
from workbench.api.services import api_token_create


def _directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in policy.split(";")) if part}


@pytest.fixture
def pages(db):
    """(name, response) for an admin page, an API answer, the docs page and the docs' init script."""
    erin = factories.erin()
    browser = Client()
    browser.force_login(erin)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=erin, name='t', scopes=['read']).key}")
    return [
        ("admin login", Client().get("/admin/login/")),
        ("admin index", browser.get("/admin/")),
        ("review queue", browser.get("/admin/review/reviewqueueitem/")),
        ("api", api.get("/api/v1/me/")),
        ("api error", APIClient().get("/api/v1/claims/")),
        ("docs", browser.get("/api/docs/")),
        ("schema", api.get("/api/schema/")),
    ]


def test_every_page_carries_the_security_headers(pages):
    for name, response in pages:
        assert response.status_code in (200, 401), name
        assert response["X-Frame-Options"] == "DENY", name
        assert response["X-Content-Type-Options"] == "nosniff", name
        assert response["Referrer-Policy"] == "same-origin", name
        directives = _directives(response)
        assert directives["script-src"] == ["'self'"], name
        assert directives["default-src"] == ["'self'"], name
        assert directives["object-src"] == ["'none'"], name
        assert directives["frame-ancestors"] == ["'none'"], name


def test_no_https_means_no_hsts(pages):
    assert all("Strict-Transport-Security" not in response for _, response in pages)


def test_hsts_is_sent_over_https_when_https_is_declared(db, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    response = Client().get("/admin/login/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_the_docs_page_loads_swagger_from_this_site_with_no_inline_script(db):
    browser = Client()
    browser.force_login(factories.erin())
    html = browser.get("/api/docs/").content.decode()
    sources = re.findall(r'<script src="([^"]+)"', html)
    assert len(sources) == 3
    assert all(src.startswith("/") and not src.startswith("//") for src in sources), sources
    assert any("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in src for src in sources)
    assert not re.search(r"<script>\s*\S", html), "inline script would be blocked by the CSP"
    assert "cdn" not in html.lower()
    init = browser.get("/api/docs/?script=")
    assert init.status_code == 200
    assert init["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in init.content.decode()
    assert "/api/schema/" in init.content.decode()
