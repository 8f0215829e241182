"""Access control across every URL the site serves: the API, its schema and docs, the admin and the review pages.

The URL list is read from the URLconf, so a new endpoint is walked without editing this module; the pattern count
assertion fails loudly if the walker stops finding the API or the admin.
"""

from __future__ import annotations

import html
import logging
import re

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tests import factories
from workbench.api.models import ApiToken, Webhook
from workbench.api.services import api_token_create
from workbench.provenance.models import TraceJob
from workbench.review.models import ClaimAssignment, ReviewEvent, Verdict
from workbench.sources.models import Article

WRITE_METHODS = ("post", "patch", "put", "delete")


def _walk(patterns, prefix: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def _concrete(route: str, pk: int) -> str:
    """One request path for a route (mixed `path()` converters and DRF regexes), ids filled with `pk`."""
    path = route.replace("^", "").replace("$", "")
    path = path.replace("<drf_format_suffix:format>", ".json")
    path = re.sub(r"\(\?P<format>[^)]*\)", "json", path)
    path = re.sub(r"\(\?P<app_label>([a-z_]+)\|?[^)]*\)", r"\1", path)
    path = re.sub(r"\(\?P<url>\.\*\)", "no-such-page/", path)
    path = re.sub(r"\(\?P<[a-z_]+>[^)]*\)", str(pk), path)
    path = re.sub(r"<(?:[a-z]+:)?[a-z_]+>", str(pk), path)
    path = path.replace("\\.", ".").replace("/?", "/").replace(".*", "")
    return "/" + path


def site_paths(pk: int = 1) -> list[tuple[str, URLPattern]]:
    return [(_concrete(route, pk), pattern) for route, pattern in _walk(get_resolver().url_patterns)]


def api_paths(pk: int = 1) -> list[str]:
    paths = [path for path, pattern in site_paths(pk) if path.startswith("/api/") and pattern.name != "not-found"]
    return sorted(set(paths))


def admin_paths(pk: int = 1) -> list[str]:
    skip = {"/admin/login/", "/admin/logout/"}
    return sorted({path for path, _ in site_paths(pk) if path.startswith("/admin/") and path not in skip})


def test_the_walker_finds_the_api_the_docs_and_the_admin():
    api = api_paths()
    assert {"/api/schema/", "/api/docs/", "/api/v1/me/", "/api/v1/articles/", "/api/v1/verdicts/1/approve/"} <= set(api)
    assert len(api) > 30
    assert {"/admin/", "/admin/review/verdict/", "/admin/api/apitoken/1/change/"} <= set(admin_paths())


def stored_counts() -> dict[str, int]:
    """Rows of every table a refused write could have touched."""
    return {
        model.__name__: model.objects.count() for model in (Article, TraceJob, Verdict, ReviewEvent, ApiToken, Webhook)
    }


@pytest.fixture
def rows(db):
    """One of everything, so detail URLs name a real row."""
    graph_verdict = factories.VerdictFactory(state="approved", approver=factories.erin(), approved_at=timezone.now())
    owner = factories.UserFactory(username="owner")
    job = TraceJob.objects.create(requested_by=owner)
    return {"verdict": graph_verdict, "owner": owner, "job": job}


# ------------------------------------------------------------------------------------------- anonymous callers


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", *WRITE_METHODS])
def test_anonymous_callers_get_401_from_every_api_endpoint(rows, method):
    client = APIClient()
    refused = {}
    for path in api_paths(pk=rows["verdict"].pk):
        response = getattr(client, method)(path)
        if response.status_code == 405 and method != "get":
            continue  # the route does not take this method at all; nothing to authorise
        refused[path] = response.status_code
    assert refused and set(refused.values()) == {401}, {p: s for p, s in refused.items() if s != 401}


@pytest.mark.django_db
def test_anonymous_callers_are_sent_to_the_login_page_from_every_admin_page(rows):
    client = Client()
    for path in admin_paths(pk=rows["verdict"].pk):
        response = client.get(path)
        assert response.status_code == 302, (path, response.status_code)
        assert response["Location"].startswith("/admin/login/"), (path, response["Location"])


@pytest.mark.django_db
def test_anonymous_posts_to_admin_pages_change_nothing(rows):
    client = Client()
    verdict = rows["verdict"]
    response = client.post(f"/admin/review/verdict/{verdict.pk}/change/", {"label": "false", "rationale": "x"})
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    verdict.refresh_from_db()
    assert verdict.label == "altered" and verdict.revision == verdict.__class__.objects.get(pk=verdict.pk).revision


@pytest.mark.django_db
def test_the_public_claimreview_page_shows_published_verdicts_only(rows):
    draft = factories.VerdictFactory(state="draft")
    client = Client()
    assert client.get(f"/review/verdicts/{rows['verdict'].pk}/claimreview.json").status_code == 200
    assert client.get(f"/review/verdicts/{draft.pk}/claimreview.json").status_code == 404


# ------------------------------------------------------------------------------------------- wrong scope


@pytest.mark.django_db
def test_a_token_without_the_read_scope_gets_403_from_every_read_endpoint(rows):
    tom = factories.UserFactory(username="tom")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=tom, name='t', scopes=['submit']).key}")
    paths = [p for p in api_paths(pk=rows["verdict"].pk) if not p.startswith(("/api/schema", "/api/docs"))]
    statuses = {path: client.get(path).status_code for path in paths}
    assert len(statuses) > 30
    assert {p: s for p, s in statuses.items() if s != 403} == {}


SUBMIT_WRITES = [("post", "/api/v1/articles/")]
REVIEW_WRITES = [
    ("post", "/api/v1/verdicts/"),
    ("patch", "/api/v1/verdicts/{pk}/"),
    *[("post", f"/api/v1/verdicts/{{pk}}/{step}/") for step in ("submit", "approve", "return", "reopen")],
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "scopes, refused",
    [
        (["read"], SUBMIT_WRITES + REVIEW_WRITES),
        (["read", "submit"], REVIEW_WRITES),
        (["read", "review"], SUBMIT_WRITES),
    ],
    ids=["read", "read+submit", "read+review"],
)
def test_a_token_gets_403_from_every_write_outside_its_scopes(rows, scopes, refused):
    alice = factories.alice()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=alice, name='t', scopes=scopes).key}")
    pk = rows["verdict"].pk
    before = (stored_counts(), rows["verdict"].revision)
    for method, path in refused:
        response = getattr(client, method)(path.format(pk=pk), {}, format="json")
        assert response.status_code == 403, (path, response.status_code)
        assert "scope" in response.json()["error"]["message"], (path, response.json())
    rows["verdict"].refresh_from_db()
    assert (stored_counts(), rows["verdict"].revision) == before


@pytest.mark.django_db
def test_a_fact_checker_gets_403_from_admin_pages_outside_her_role():
    alice = factories.alice()
    client = Client()
    client.force_login(alice)
    refused = []
    for model in admin.site._registry:
        opts = model._meta
        if alice.has_perm(f"{opts.app_label}.view_{opts.model_name}") or alice.has_perm(
            f"{opts.app_label}.change_{opts.model_name}"
        ):
            continue
        response = client.get(f"/admin/{opts.app_label}/{opts.model_name}/")
        assert response.status_code == 403, (opts.label, response.status_code)
        refused.append(opts.label)
    assert "api.ApiToken" in refused and "auth.User" in refused


# ------------------------------------------------------------------------------------------- object-level rules


def _review_page(claim) -> str:
    return reverse("admin:review_reviewqueueitem_change", args=[claim.pk])


def _review_client(user) -> APIClient:
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Token {api_token_create(user=user, name='t', scopes=['read', 'review']).key}"
    )
    return client


def _submitted_verdict_by(user) -> Verdict:
    from workbench.review import services

    verdict = services.verdict_create(
        claim=factories.ClaimFactory(label="altered"), label="altered", rationale="Adds a detail.", by=user
    )
    return services.verdict_submit(verdict=verdict, expected_revision=verdict.revision, by=user)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["alice", "erin"])
def test_nobody_approves_their_own_verdict(persona):
    user = getattr(factories, persona)()
    verdict = _submitted_verdict_by(user)
    events_before = ReviewEvent.objects.count()
    response = _review_client(user).post(
        f"/api/v1/verdicts/{verdict.pk}/approve/", {"revision": verdict.revision}, format="json"
    )
    assert response.status_code == 403
    verdict.refresh_from_db()
    assert verdict.state == "submitted" and verdict.approver_id is None
    assert ReviewEvent.objects.count() == events_before

    page = Client()
    page.force_login(user)
    response = page.post(_review_page(verdict.claim), {"action": "approve", "revision": str(verdict.revision)})
    assert response.status_code == 200 and "may not" in html.unescape(response.content.decode())
    verdict.refresh_from_db()
    assert verdict.state == "submitted" and verdict.approver_id is None
    assert ReviewEvent.objects.count() == events_before


@pytest.mark.django_db
def test_a_fact_checker_cannot_write_the_verdict_of_a_claim_assigned_to_someone_else():
    alice, bob = factories.alice(), factories.bob()
    claim = factories.ClaimFactory(label="altered")
    ClaimAssignment.objects.create(claim=claim, assignee=bob, assigned_by=bob)
    response = _review_client(alice).post(
        "/api/v1/verdicts/", {"claim": claim.pk, "label": "altered", "rationale": "Mine."}, format="json"
    )
    assert response.status_code == 403
    assert "assigned to bob" in response.json()["error"]["message"]
    assert not Verdict.objects.filter(claim=claim).exists()

    page = Client()
    page.force_login(alice)
    response = page.post(
        _review_page(claim), {"action": "save", "label": "altered", "rationale": "Mine.", "revision": "0"}
    )
    assert response.status_code == 200 and "assigned to bob" in html.unescape(response.content.decode())
    assert not Verdict.objects.filter(claim=claim).exists()


@pytest.mark.django_db
def test_jobs_and_webhooks_of_another_user_are_404(rows):
    from workbench.api.services import webhook_create

    owner, tom = rows["owner"], factories.UserFactory(username="tom")
    webhook = webhook_create(
        owner=owner,
        token=None,
        url="https://hooks.example/ping",
        events=["verdict.approved"],
        stories=[],
        resolver=lambda host, port: ["93.184.216.34"],
    ).webhook
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=tom, name='t', scopes=['read']).key}")
    assert client.get(f"/api/v1/jobs/{rows['job'].pk}/").status_code == 404
    assert rows["job"].pk not in [j["id"] for j in client.get("/api/v1/jobs/").json()["results"]]
    for method, path in [
        ("get", f"/api/v1/webhooks/{webhook.pk}/"),
        ("get", f"/api/v1/webhooks/{webhook.pk}/deliveries/"),
        ("patch", f"/api/v1/webhooks/{webhook.pk}/"),
        ("delete", f"/api/v1/webhooks/{webhook.pk}/"),
    ]:
        assert getattr(client, method)(path, {"is_active": False}, format="json").status_code == 404, (method, path)
    webhook.refresh_from_db()
    assert Webhook.objects.filter(pk=webhook.pk, owner=owner).exists() and webhook.is_active


# ------------------------------------------------------------------------------------------- CSRF


@pytest.mark.django_db
def test_session_writes_without_the_csrf_token_are_refused_in_the_api_and_the_admin():
    erin = factories.erin()
    verdict = _submitted_verdict_by(factories.alice())
    client = Client(enforce_csrf_checks=True)
    client.force_login(erin)
    response = client.post(
        f"/api/v1/verdicts/{verdict.pk}/approve/", {"revision": verdict.revision}, content_type="application/json"
    )
    assert response.status_code == 403 and "CSRF" in response.json()["error"]["message"]
    response = client.post("/admin/review/claimassignment/add/", {"claim": verdict.claim_id, "assignee": erin.pk})
    assert response.status_code == 403
    verdict.refresh_from_db()
    assert verdict.state == "submitted" and not ClaimAssignment.objects.filter(assignee=erin).exists()

    client.get("/admin/")  # sets the CSRF cookie
    response = client.post(
        f"/api/v1/verdicts/{verdict.pk}/approve/",
        {"revision": verdict.revision},
        content_type="application/json",
        headers={"X-CSRFToken": client.cookies["csrftoken"].value},
    )
    assert response.status_code == 200, response.content
    verdict.refresh_from_db()
    assert verdict.state == "approved"


@pytest.mark.django_db
def test_every_session_write_without_the_csrf_token_is_refused_across_the_site(rows):
    """A superuser's browser session (every scope, every admin right) against every route of the API, the admin and
    the other pages: no unsafe request gets through without the token."""
    boss = factories.UserFactory(username="boss", is_staff=True, is_superuser=True)
    client = Client(enforce_csrf_checks=True)
    client.force_login(boss)
    pk = rows["verdict"].pk
    before = stored_counts()
    allowed = {}
    for method in WRITE_METHODS:
        for path in api_paths(pk=pk):
            response = getattr(client, method)(path, {}, content_type="application/json")
            if response.status_code == 405:
                continue  # the route does not take this method at all
            if response.status_code != 403:  # a superuser is refused nothing else, so a 403 is the CSRF check
                allowed[(method, path)] = response.status_code
    pages = [path for path, _ in site_paths(pk) if not path.startswith("/api/")]
    assert set(admin_paths(pk=pk)) <= set(pages) and len(pages) > len(admin_paths(pk=pk))
    for path in pages:
        response = client.post(path, {})
        if response.status_code != 403:
            allowed[("post", path)] = response.status_code
    assert allowed == {}
    assert stored_counts() == before


# ------------------------------------------------------------------------------------------- token secrecy


@pytest.mark.django_db
def test_token_keys_never_reach_the_logs(caplog):
    tom = factories.UserFactory(username="tom")
    key = api_token_create(user=tom, name="t", scopes=["read"]).key
    revoked = api_token_create(user=tom, name="old", scopes=["read"])
    ApiToken.objects.filter(pk=revoked.token.pk).update(revoked_at="2026-01-01T00:00Z")
    unknown = key[:-4] + "ZZZZ"
    caplog.set_level(logging.DEBUG)
    client = APIClient()
    statuses = []
    for header_key in (key, revoked.key, unknown):
        client.credentials(HTTP_AUTHORIZATION=f"Token {header_key}")
        statuses.append(client.get("/api/v1/me/").status_code)
        statuses.append(client.get("/api/v1/no-such-endpoint/").status_code)
        statuses.append(client.post("/api/v1/articles/", {"text": ""}, format="json").status_code)
    assert statuses[0] == 200 and statuses[3] == 401 and statuses[6] == 401
    assert caplog.records, "the requests logged nothing, so this test would prove nothing"
    for secret in (key, revoked.key, unknown):
        assert secret not in caplog.text
        assert secret[len(secret) // 2 :] not in caplog.text


@pytest.mark.django_db
def test_a_token_key_is_never_shown_again_after_creation(admin_client):
    tom = factories.UserFactory(username="tom")
    response = admin_client.post(
        "/admin/api/apitoken/add/", {"user": tom.pk, "name": "desk tool", "scopes": ["read"]}, follow=True
    )
    token = ApiToken.objects.get(name="desk tool")
    shown = re.search(r"<code>([^<]+)</code>", response.content.decode())
    assert shown, "the key is shown once, on creation"
    key = shown.group(1)
    assert ApiToken.objects.filter(pk=token.pk).count() == 1 and key not in token.key_hash
    pages = [
        admin_client.get(f"/admin/api/apitoken/{token.pk}/change/"),
        admin_client.get("/admin/api/apitoken/"),
        admin_client.get(f"/admin/api/apitoken/{token.pk}/history/"),
        admin_client.get("/admin/api/apievent/"),
    ]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    pages += [api.get("/api/v1/me/"), api.get("/api/schema/"), api.get("/api/v1/webhooks/")]
    for page in pages:
        assert page.status_code == 200
        assert key not in page.content.decode()
        assert key[len(token.prefix) :] not in page.content.decode()
