"""An article version stores its detected language; a version the engine cannot read has its claims left untraced
with the reason shown in the API and the admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.engine.test_language import ENGLISH, FRENCH
from workbench.claims.models import Claim
from workbench.provenance.services import articles_trace
from workbench.sources.models import ArticleVersion
from workbench.sources.services import article_ingest

pytestmark = pytest.mark.django_db


def test_ingest_stores_each_versions_language_and_the_articles():
    result = article_ingest(content=FRENCH, arrival=ArticleVersion.Arrival.UPLOAD, ingest_key="fr-1")
    assert result.version.language == "fr"
    assert result.article.language == "fr"
    assert "French" in result.version.not_traced_reason
    english = article_ingest(content=ENGLISH, arrival=ArticleVersion.Arrival.UPLOAD, ingest_key="en-1")
    assert english.version.language == "en" and english.version.not_traced_reason == ""


def test_a_french_articles_claims_are_stored_unlabelled_and_the_api_and_admin_say_why(admin_client):
    french = article_ingest(content=FRENCH, arrival=ArticleVersion.Arrival.UPLOAD, ingest_key="fr-2")
    english = article_ingest(content=ENGLISH, arrival=ArticleVersion.Arrival.UPLOAD, ingest_key="en-2")
    articles_trace(articles=[french.article, english.article])

    claims = list(Claim.objects.filter(version=french.version))
    assert claims and all(c.label == "" for c in claims)
    assert Claim.objects.filter(version=english.version).exclude(label="").exists()

    claim = admin_client.get(f"/api/v1/claims/{claims[0].pk}/").json()
    assert claim["language"] == "fr" and "French" in claim["not_traced_reason"]
    article = admin_client.get(f"/api/v1/articles/{french.article.pk}/").json()
    assert article["language"] == "fr"
    assert [(v["language"], "French" in v["not_traced_reason"]) for v in article["versions"]] == [("fr", True)]
    english_claim = Claim.objects.filter(version=english.version).first()
    assert admin_client.get(f"/api/v1/claims/{english_claim.pk}/").json()["not_traced_reason"] == ""

    page = admin_client.get(reverse("admin:claims_claim_change", args=[claims[0].pk]))
    assert page.status_code == 200 and b"Not traced because" in page.content and b"French" in page.content
    story = french.article.story_membership.story
    page = admin_client.get(reverse("admin:provenance_story_change", args=[story.pk]))
    assert page.status_code == 200 and b"French" in page.content
