"""ClaimReview JSON-LD for published verdicts, checked against the schema.org fields fact-check readers require."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import urlparse

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import ClaimFactory, alice, erin
from tests.review.conftest import build_story
from workbench.review import services
from workbench.review.claimreview import RATING_SCALE, REQUIRED_FIELDS, claim_review
from workbench.review.errors import InvalidTransition
from workbench.review.selectors import verdicts_for_export

pytestmark = pytest.mark.django_db


def _publish(claim, label="altered"):
    verdict = services.verdict_create(
        claim=claim,
        label=label,
        rationale="Names weapons the origin never lists.",
        corrected_wording="NATO is redoubling efforts to rush more weapons.",
        evidence_links=["https://example.org/origin"],
        by=alice(),
    )
    verdict = services.verdict_submit(verdict=verdict, expected_revision=verdict.revision, by=alice())
    return services.verdict_approve(verdict=verdict, expected_revision=verdict.revision, by=erin())


def assert_valid_claimreview(doc: dict) -> None:
    """The schema.org ClaimReview contract: types, required properties, a rating inside its declared scale."""
    for key in REQUIRED_FIELDS:
        assert key in doc, key
    assert doc["@context"] == "https://schema.org" and doc["@type"] == "ClaimReview"
    assert urlparse(doc["url"]).scheme in {"http", "https"} and urlparse(doc["url"]).netloc
    assert isinstance(doc["claimReviewed"], str) and doc["claimReviewed"].strip()
    dt.date.fromisoformat(doc["datePublished"])
    assert doc["author"]["@type"] == "Organization" and doc["author"]["name"]
    rating = doc["reviewRating"]
    assert rating["@type"] == "Rating" and rating["alternateName"]
    assert rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]
    item = doc["itemReviewed"]
    assert item["@type"] == "Claim"
    for work in [item["firstAppearance"], *item["appearance"]]:
        assert work["@type"] == "CreativeWork" and urlparse(work["url"]).scheme == "https"
    json.dumps(doc)


def test_an_altered_verdict_names_the_origin_as_first_appearance():
    _, claims, origin = build_story(1)
    origin.version.article.published_at = timezone.make_aware(dt.datetime(2024, 12, 4, 13, 35))
    origin.version.article.save()
    verdict = _publish(claims[0])
    doc = claim_review(verdicts_for_export().get(pk=verdict.pk), base_url="https://factcheck.example/")
    assert_valid_claimreview(doc)
    assert doc["claimReviewed"] == claims[0].text
    assert doc["itemReviewed"]["firstAppearance"]["url"] == origin.version.article.canonical_url
    assert doc["itemReviewed"]["firstAppearance"]["datePublished"] == "2024-12-04"
    assert [w["url"] for w in doc["itemReviewed"]["appearance"]] == [
        claims[0].version.article.canonical_url,
        origin.version.article.canonical_url,
    ]
    assert doc["itemReviewed"]["author"]["name"] == "Republisher"
    assert doc["reviewRating"] == {
        "@type": "Rating",
        "ratingValue": 3,
        "worstRating": 1,
        "bestRating": 5,
        "alternateName": "Altered",
    }
    assert doc["url"] == f"https://factcheck.example/review/verdicts/{verdict.pk}/"
    assert doc["citation"] == ["https://example.org/origin"]
    assert doc["datePublished"] == timezone.now().date().isoformat()


def test_an_unsourced_claim_first_appears_in_its_own_article():
    claim = ClaimFactory(label="unsourced")
    doc = claim_review(_publish(claim, label="unsourced"))
    assert_valid_claimreview(doc)
    assert doc["itemReviewed"]["firstAppearance"]["url"] == claim.version.article.canonical_url
    assert doc["reviewRating"]["ratingValue"] == 2


def test_the_rating_scale_runs_from_supported_down_to_contradicted():
    assert (
        RATING_SCALE["supported"]
        > RATING_SCALE["other_source"]
        > RATING_SCALE["altered"]
        > RATING_SCALE["unsourced"]
        > RATING_SCALE["contradicted"]
    )


def test_unpublished_verdicts_are_not_exported():
    verdict = services.verdict_create(claim=ClaimFactory(), label="supported", by=alice())
    with pytest.raises(InvalidTransition, match="only approved verdicts are published"):
        claim_review(verdict)


def test_the_public_url_serves_the_published_verdict_only(client):
    verdict = _publish(ClaimFactory(label="altered"))
    response = client.get(reverse("review:claimreview", args=[verdict.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/ld+json"
    doc = json.loads(response.content)
    assert_valid_claimreview(doc)
    assert doc["url"] == f"http://testserver/review/verdicts/{verdict.pk}/"
    assert client.head(reverse("review:claimreview", args=[verdict.pk])).status_code == 200
    assert client.post(reverse("review:claimreview", args=[verdict.pk])).status_code == 405  # read-only
    services.verdict_reopen(verdict=verdict, expected_revision=verdict.revision, by=alice(), reason="New evidence.")
    assert client.get(reverse("review:claimreview", args=[verdict.pk])).status_code == 404


def test_outside_a_request_the_url_uses_the_public_origin(settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://factcheck.example.org"]
    verdict = _publish(ClaimFactory(label="altered"))
    doc = claim_review(verdicts_for_export().get(pk=verdict.pk))
    assert doc["url"] == f"https://factcheck.example.org/review/verdicts/{verdict.pk}/"
    assert doc["author"]["url"] == "https://factcheck.example.org/"
