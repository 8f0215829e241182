"""Every JSON-LD and PROV-JSON export can be pasted into a page's script element, the way ClaimReview is published,
without running anything an article, a headline, a rationale or an evidence URL carries."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tests import factories
from workbench.api.services import api_token_create

pytestmark = pytest.mark.django_db(transaction=True)

ATTACKS = [
    "</script><script>window.__pwned = 'headline'</script>",
    "</SCRIPT ><script>window.__pwned = 'claim'</script>",
    "</script><img src=x onerror=\"window.__pwned = 'rationale'\">",
    "https://evidence.example/</script><script>window.__pwned='url'</script>",
]


@pytest.fixture
def hostile_story():
    """A story whose every exported text field carries a script-ending attack; one verdict approved."""
    wire = factories.OutletFactory(name="Wire </script><script>window.__pwned='outlet'</script>", domain="w.example")
    origin = factories.ArticleFactory(outlet=wire, headline=ATTACKS[0])
    origin_v = factories.ArticleVersionFactory(article=origin, number=1)
    copy = factories.ArticleFactory(headline=ATTACKS[1])
    copy_v = factories.ArticleVersionFactory(article=copy, number=1)
    story = factories.StoryFactory(origin=origin, title=ATTACKS[0])
    factories.StoryMembershipFactory(story=story, article=origin, role="origin")
    factories.StoryMembershipFactory(story=story, article=copy, role="derivative")
    origin_claim = factories.ClaimFactory(version=origin_v, position=0, text="The plan " + ATTACKS[0], label="origin")
    claim = factories.ClaimFactory(version=copy_v, position=0, text="The plan " + ATTACKS[1], label="altered")
    factories.ProvenanceLinkFactory(claim=claim, origin_claim=origin_claim)
    verdict = factories.VerdictFactory(
        claim=claim,
        rationale=ATTACKS[2],
        corrected_wording=ATTACKS[1],
        evidence_links=[ATTACKS[3]],
        state="approved",
        approver=factories.erin(),
        approved_at=timezone.now(),
    )
    return story, verdict


def _exports(story, verdict) -> dict[str, bytes]:
    reader = factories.UserFactory(username="reader")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=reader, name='t', scopes=('read',)).key}")
    admin = Client()
    admin.force_login(factories.erin())
    bodies = {
        "story PROV-JSON": api.get(f"/api/v1/stories/{story.pk}/prov/"),
        "story ClaimReview": api.get(f"/api/v1/stories/{story.pk}/claimreview/"),
        "verdict ClaimReview": api.get(f"/api/v1/verdicts/{verdict.pk}/claimreview/"),
        "public ClaimReview": Client().get(reverse("review:claimreview", args=[verdict.pk])),
        "admin ClaimReview download": admin.post(
            "/admin/review/verdict/", {"action": "export_claimreview", "_selected_action": [verdict.pk]}
        ),
    }
    for name, response in bodies.items():
        assert response.status_code == 200, (name, response.content[:300])
    return {name: response.content for name, response in bodies.items()}


def test_exports_escape_markup_and_stay_the_same_json(hostile_story):
    for name, body in _exports(*hostile_story).items():
        assert b"<" not in body and b">" not in body and b"&" not in body, name
        assert b"\\u003c/script\\u003e" in body.lower(), name
        assert "</script>" in json.dumps(json.loads(body)), f"{name}: the escaped text decodes to the same value"


def test_no_export_runs_a_script_when_embedded_in_a_page(hostile_story, browser):
    page = browser.new_page()
    page.route("**/*", lambda route: route.abort())  # nothing leaves the page
    for name, body in _exports(*hostile_story).items():
        text = body.decode()
        page.set_content(
            "<!doctype html><html><body>"
            f'<script type="application/ld+json" id="export">{text}</script>'
            "<p id='after'>after</p></body></html>"
        )
        assert page.evaluate("window.__pwned") is None, name
        parsed = page.evaluate("JSON.parse(document.getElementById('export').textContent)")
        assert parsed == json.loads(body), name
        assert page.inner_text("#after") == "after", name
    page.close()
