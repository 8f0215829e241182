"""`?search=` on claims and articles: ranked full-text hits on PostgreSQL (GIN-indexed), plain hits on SQLite."""

from __future__ import annotations

import pytest
from django.db import connection

from tests import factories
from workbench.claims.models import Claim
from workbench.claims.selectors import claims_search
from workbench.sources.models import Article
from workbench.sources.selectors import articles_search

pytestmark = pytest.mark.django_db

needs_postgres = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="full-text search needs PostgreSQL")


@pytest.fixture
def tom_client(client_for):
    return client_for(factories.UserFactory(username="tom"), "read")


@pytest.fixture
def claims():
    version = factories.ArticleVersionFactory(clean_text="Claims about the ceasefire.")
    texts = {
        "passing": "Ministers met in Brussels to discuss weapons supplies for the winter.",
        "strong": "A ceasefire could freeze the conflict, and talk of a ceasefire grows as ceasefire plans circulate.",
        "once": "Allies weighed whether a ceasefire was possible before spring.",
        "inflected": "Negotiators negotiated through the night over the ceasefires.",
    }
    return {
        name: factories.ClaimFactory(version=version, position=i, text=text, label="supported")
        for i, (name, text) in enumerate(texts.items())
    }


def listed(client, path: str, **params) -> list[int]:
    response = client.get(path, params)
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@needs_postgres
def test_claims_come_back_ranked_best_first_on_postgresql(tom_client, claims):
    found = listed(tom_client, "/api/v1/claims/", search="ceasefire")
    assert found[0] == claims["strong"].pk
    assert set(found) == {claims["strong"].pk, claims["once"].pk, claims["inflected"].pk}  # stems: ceasefires too


@needs_postgres
def test_ranked_claims_page_through_the_cursor_in_rank_order(tom_client, claims):
    first = tom_client.get("/api/v1/claims/", {"search": "ceasefire", "page_size": 1}).json()
    seen = [row["id"] for row in first["results"]]
    following = first["next"]
    while following:
        page = tom_client.get(following).json()
        seen += [row["id"] for row in page["results"]]
        following = page["next"]
    assert seen == listed(tom_client, "/api/v1/claims/", search="ceasefire")
    assert len(seen) == 3


@needs_postgres
def test_web_search_syntax_excludes_and_quotes(tom_client, claims):
    assert listed(tom_client, "/api/v1/claims/", search="ceasefire -spring -night") == [claims["strong"].pk]
    assert listed(tom_client, "/api/v1/claims/", search='"weapons supplies"') == [claims["passing"].pk]


@needs_postgres
def test_the_claim_search_uses_its_gin_index():
    with connection.cursor() as cursor:
        # On a table this small a scan is cheapest: forbid the scans that need no GIN index (GIN is read by bitmap).
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_indexscan = off")
        sql, params = claims_search(Claim.objects.all(), terms="ceasefire").query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
        cursor.execute("RESET enable_indexscan")
    assert "claim_text_search" in plan


def test_the_plain_search_finds_every_word_case_insensitively(claims):
    found = claims_search(Claim.objects.all(), terms="CEASEFIRE spring", full_text=False)
    assert list(found) == [claims["once"]]


def test_the_api_search_finds_claims_on_any_database(tom_client, claims):
    found = listed(tom_client, "/api/v1/claims/", search="Brussels weapons")
    assert found == [claims["passing"].pk]
    assert listed(tom_client, "/api/v1/claims/", search="submarine") == []


def test_articles_are_found_by_headline_or_by_text(tom_client):
    by_headline = factories.ArticleFactory(headline="Harbour strike ends after three weeks")
    factories.ArticleVersionFactory(article=by_headline, clean_text="Dockers returned to work on Monday.")
    by_text = factories.ArticleFactory(headline="Port news")
    factories.ArticleVersionFactory(article=by_text, clean_text="The harbour strike cost shippers millions.")
    other = factories.ArticleFactory(headline="Weather")
    factories.ArticleVersionFactory(article=other, clean_text="Rain is expected on the coast.")
    found = listed(tom_client, "/api/v1/articles/", search="harbour strike")
    assert set(found) == {by_headline.pk, by_text.pk}
    if connection.vendor == "postgresql":
        assert found[0] == by_headline.pk  # a headline match ranks above a match in the text alone
    plain = articles_search(Article.objects.all(), terms="harbour strike", full_text=False)
    assert set(plain.values_list("pk", flat=True)) == {by_headline.pk, by_text.pk}


def test_search_appears_in_the_schema(tom_client):
    schema = tom_client.get("/api/schema/?format=json").json()
    for path in ("/api/v1/claims/", "/api/v1/articles/"):
        names = [p["name"] for p in schema["paths"][path]["get"]["parameters"]]
        assert "search" in names


def test_the_admin_search_box_finds_claims_and_articles(admin_client, claims):
    page = admin_client.get("/admin/claims/claim/", {"q": "Brussels weapons"}).content.decode()
    assert f"/admin/claims/claim/{claims['passing'].pk}/change/" in page
    assert f"/admin/claims/claim/{claims['once'].pk}/change/" not in page
    article = factories.ArticleFactory(headline="Harbour strike ends")
    page = admin_client.get("/admin/sources/article/", {"q": "harbour"}).content.decode()
    assert f"/admin/sources/article/{article.pk}/change/" in page


@needs_postgres
def test_the_admin_lists_search_hits_best_first(admin_client, claims):
    page = admin_client.get("/admin/claims/claim/", {"q": "ceasefire"}).content.decode()
    positions = {name: page.find(f"/admin/claims/claim/{claims[name].pk}/change/") for name in ("strong", "once")}
    assert 0 < positions["strong"] < positions["once"]
