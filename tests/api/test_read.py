"""Read endpoints: shapes, filters, ordering, cursor pagination, sparse fields, and bounded query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories
from tests.api.test_auth import assert_error
from workbench.review.models import Verdict

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(tom, client_for):
    return client_for(tom, "read")


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_an_article_lists_its_versions_and_story_role(reader, story_graph):
    factories.ArticleVersionFactory(article=story_graph["copy"], number=2, clean_text="Copy text, corrected.")
    article = reader.get(f"/api/v1/articles/{story_graph['copy'].pk}/").json()
    assert article["story"] == story_graph["story"].pk and article["role"] == "derivative"
    assert article["outlet"]["name"] == "Daily Paper"
    assert [v["number"] for v in article["versions"]] == [1, 2] and article["version_count"] == 2
    assert article["versions"][1]["clean_text"] == "Copy text, corrected."
    listed = {a["id"]: a for a in results(reader.get("/api/v1/articles/"))}
    assert "clean_text" not in listed[story_graph["copy"].pk]["versions"][0]


def test_a_story_names_its_origin_and_derivatives(reader, story_graph):
    story = reader.get(f"/api/v1/stories/{story_graph['story'].pk}/").json()
    assert story["origin"]["id"] == story_graph["origin"].pk
    assert story["origin"]["outlet"]["name"] == "Wire Service"
    assert [d["id"] for d in story["derivatives"]] == [story_graph["copy"].pk] and story["derivative_count"] == 1


def test_a_claim_carries_its_links_and_divergence_spans(reader, story_graph):
    claim = reader.get(f"/api/v1/claims/{story_graph['c1'].pk}/").json()
    assert claim["story"] == story_graph["story"].pk and claim["article"] == story_graph["copy"].pk
    (link,) = claim["links"]
    assert (
        link["origin_claim"]["id"] == story_graph["o1"].pk
        and link["origin_claim"]["article"] == story_graph["origin"].pk
    )
    spans = {d["type"]: d for d in claim["divergences"]}
    added = spans["added_detail"]
    assert claim["text"][added["span_start"] : added["span_end"]] == "of 5 million" == added["span"]
    hedge = spans["hedge_dropped"]
    assert link["origin_claim"]["text"][hedge["origin_start"] : hedge["origin_end"]] == "would probably approve"


def test_readers_see_approved_verdicts_only_and_reviewers_see_drafts(reader, client_for, alice, story_graph):
    draft = factories.VerdictFactory(claim=story_graph["c1"], reviewer=alice)
    approved = factories.VerdictFactory(
        claim=story_graph["c2"],
        reviewer=alice,
        label="supported",
        state="approved",
        approved_at=timezone.now(),
        approver=factories.erin(),
    )
    assert [v["id"] for v in results(reader.get("/api/v1/verdicts/"))] == [approved.pk]
    assert_error(reader.get(f"/api/v1/verdicts/{draft.pk}/"), 404)
    assert reader.get(f"/api/v1/claims/{story_graph['c1'].pk}/").json()["verdict"] is None
    reviewer = client_for(alice, "read", "review")
    assert {v["id"] for v in results(reviewer.get("/api/v1/verdicts/"))} == {draft.pk, approved.pk}
    assert reviewer.get(f"/api/v1/claims/{story_graph['c1'].pk}/").json()["verdict"]["state"] == "draft"


class TestFilters:
    def test_claims_by_story_outlet_label_and_divergence_type(self, reader, story_graph):
        other = factories.ClaimFactory(label="altered")
        ids = lambda query: {c["id"] for c in results(reader.get(f"/api/v1/claims/?{query}"))}  # noqa: E731
        story_claims = {story_graph[k].pk for k in ("o1", "o2", "c1", "c2")}
        assert ids(f"story={story_graph['story'].pk}") == story_claims
        assert ids(f"outlet={story_graph['paper'].pk}") == {story_graph["c1"].pk, story_graph["c2"].pk}
        assert ids("label=altered") == {story_graph["c1"].pk, other.pk}
        assert ids("divergence_type=hedge_dropped") == {story_graph["c1"].pk}
        assert ids("divergence_type=number_changed") == set()
        assert ids("has_divergences=false") == story_claims - {story_graph["c1"].pk} | {other.pk}

    def test_divergences_by_type_story_and_outlet(self, reader, story_graph):
        ids = lambda query: {d["id"] for d in results(reader.get(f"/api/v1/divergences/?{query}"))}  # noqa: E731
        assert ids("type=added_detail") == {story_graph["divergence"].pk}
        assert ids(f"story={story_graph['story'].pk}&outlet={story_graph['paper'].pk}") == {
            story_graph["divergence"].pk,
            story_graph["hedge"].pk,
        }
        assert ids(f"outlet={story_graph['wire'].pk}") == set()

    def test_verdicts_by_state_label_story_and_date_range(self, reader, client_for, alice, story_graph):
        verdict = factories.VerdictFactory(
            claim=story_graph["c1"],
            reviewer=alice,
            state="approved",
            approved_at=timezone.now(),
            approver=factories.erin(),
        )
        reviewer = client_for(alice, "review", "read")
        ids = lambda query: {v["id"] for v in results(reviewer.get(f"/api/v1/verdicts/?{query}"))}  # noqa: E731
        assert ids(f"state=approved&label=altered&story={story_graph['story'].pk}") == {verdict.pk}
        assert ids("state=draft") == set()
        assert ids("divergence_type=added_detail") == {verdict.pk}
        past = (timezone.now() - timedelta(days=1)).isoformat().replace("+00:00", "Z")
        assert ids(f"updated_after={past}") == {verdict.pk}
        assert ids(f"updated_before={past}") == set()

    def test_articles_and_stories_by_outlet_and_dates(self, reader, story_graph):
        future = (timezone.now() + timedelta(days=1)).isoformat().replace("+00:00", "Z")
        assert {a["id"] for a in results(reader.get(f"/api/v1/articles/?outlet={story_graph['wire'].pk}"))} == {
            story_graph["origin"].pk
        }
        assert results(reader.get(f"/api/v1/articles/?created_after={future}")) == []
        assert [s["id"] for s in results(reader.get(f"/api/v1/stories/?outlet={story_graph['paper'].pk}"))] == [
            story_graph["story"].pk
        ]
        assert len(results(reader.get(f"/api/v1/articles/?role=derivative&story={story_graph['story'].pk}"))) == 1

    @pytest.mark.parametrize(
        "query",
        [
            "claims/?label=wrong",
            "claims/?divergence_type=x",
            "claims/?story=abc",
            "verdicts/?updated_after=soon",
            "articles/?published_before=2024-13-45",
        ],
    )
    def test_a_bad_filter_value_is_a_400(self, reader, query):
        error = assert_error(reader.get(f"/api/v1/{query}"), 400, "invalid")
        assert error["fields"]


class TestPaginationOrderingAndFields:
    def test_cursor_pages_cover_everything_once(self, reader):
        claims = [factories.ClaimFactory() for _ in range(7)]
        seen, url = [], "/api/v1/claims/?page_size=3&ordering=id"
        while url:
            page = reader.get(url).json()
            seen += [c["id"] for c in page["results"]]
            url = page["next"]
        assert seen == sorted(c.pk for c in claims)

    def test_ordering_descending(self, reader):
        claims = [factories.ClaimFactory() for _ in range(3)]
        assert [c["id"] for c in results(reader.get("/api/v1/claims/?ordering=-id"))] == sorted(
            (c.pk for c in claims), reverse=True
        )

    @pytest.mark.parametrize("query", ["cursor=garbage", "page_size=0", "page_size=many"])
    def test_a_bad_cursor_or_page_size_is_a_400(self, reader, query):
        assert_error(reader.get(f"/api/v1/claims/?{query}"), 400)

    def test_fields_returns_only_those_fields(self, reader, story_graph):
        claim = reader.get(f"/api/v1/claims/{story_graph['c1'].pk}/?fields=id,text,divergences").json()
        assert set(claim) == {"id", "text", "divergences"}
        listed = results(reader.get("/api/v1/claims/?fields=id,label"))
        assert listed and all(set(c) == {"id", "label"} for c in listed)

    def test_an_unknown_field_is_a_400_naming_it(self, reader, story_graph):
        error = assert_error(reader.get("/api/v1/claims/?fields=id,secret"), 400)
        assert "secret" in error["fields"]["fields"][0]


def build_rows(count: int, reviewer, approver) -> None:
    """count derivative articles in one story, each with two claims, a link, two divergences and a verdict."""
    origin = factories.ArticleFactory()
    origin_claim = factories.ClaimFactory(
        version=factories.ArticleVersionFactory(article=origin), text="Origin words here."
    )
    story = factories.StoryFactory(origin=origin)
    factories.StoryMembershipFactory(story=story, article=origin, role="origin")
    for _ in range(count):
        article = factories.ArticleFactory()
        version = factories.ArticleVersionFactory(article=article)
        factories.ArticleVersionFactory(article=article, clean_text="Second version of the text.")
        factories.StoryMembershipFactory(story=story, article=article)
        claim = factories.ClaimFactory(version=version, label="altered")
        factories.ClaimFactory(version=version, label="supported")
        link = factories.ProvenanceLinkFactory(claim=claim, origin_claim=origin_claim)
        factories.DivergenceFactory(claim=claim, link=link, origin_claim=origin_claim, origin_span="words")
        factories.DivergenceFactory(claim=claim, link=link, type="hedge_dropped")
        factories.VerdictFactory(
            claim=claim, reviewer=reviewer, state=Verdict.State.APPROVED, approver=approver, approved_at=timezone.now()
        )
        factories.StoryFactory(origin=article)


LIST_ENDPOINTS = ["articles", "stories", "claims", "divergences", "verdicts", "outlets", "jobs", "webhooks"]


@pytest.mark.parametrize("endpoint", LIST_ENDPOINTS)
def test_list_queries_do_not_grow_with_the_page_size(endpoint, client_for, alice, erin, django_assert_max_num_queries):
    build_rows(30, alice, erin)
    client = client_for(alice, "read", "review")
    client.get("/api/v1/me/")  # records the token's last use, a write made at most every few minutes
    # auth (token + last-used) and throttle bookkeeping, count-free cursor page, then one query per prefetch
    with django_assert_max_num_queries(9) as small:
        small_page = client.get(f"/api/v1/{endpoint}/?page_size=2")
    with django_assert_max_num_queries(9) as large:
        large_page = client.get(f"/api/v1/{endpoint}/?page_size=200")
    assert small_page.status_code == large_page.status_code == 200
    if endpoint not in ("jobs", "webhooks"):
        assert len(large_page.json()["results"]) > len(small_page.json()["results"]) == 2
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.mark.parametrize(
    "query",
    [
        "created_before=0143-12-06T08:38:12-17:19",
        "created_after=0001-01-01T00:00:00%2B01:00",
        "outlet=1e300",
        "outlet=-4",
        "story=99999999999999999999",
    ],
)
def test_out_of_range_dates_and_ids_are_400s_not_errors(reader, query):
    error = assert_error(reader.get(f"/api/v1/articles/?{query}"), 400, "invalid")
    assert set(error["fields"]) == {query.split("=")[0]}


# What one read costs in queries: the token (1), the page (1), then one per prefetched relation. No COUNT anywhere
# (cursor pages are count-free, and per-row counts come from the prefetched rows), and no article body is read by an
# endpoint that does not show it.
READ_QUERY_BUDGET = {
    "/api/v1/me/": 1,
    "/api/v1/claims/": 4,
    "/api/v1/claims/{c1}/": 4,
    "/api/v1/stories/": 3,
    "/api/v1/stories/{story}/": 3,
    "/api/v1/articles/": 3,
    "/api/v1/articles/{copy}/": 3,
    "/api/v1/divergences/": 2,
    "/api/v1/divergences/{divergence}/": 2,
    "/api/v1/verdicts/": 2,
    "/api/v1/verdicts/{verdict}/": 2,
    "/api/v1/outlets/": 2,
}
ARTICLE_BODY_COLUMNS = ('"raw_content"', '"clean_text"', '"removed_lines"', '"diff"')


@pytest.fixture
def graph_with_verdict(story_graph, alice, erin):
    verdict = factories.VerdictFactory(
        claim=story_graph["c1"], reviewer=alice, state=Verdict.State.APPROVED, approver=erin, approved_at=timezone.now()
    )
    return {**story_graph, "verdict": verdict}


@pytest.mark.parametrize("path", list(READ_QUERY_BUDGET))
def test_each_read_costs_a_fixed_number_of_queries(
    path, graph_with_verdict, tom, client_for, django_assert_max_num_queries
):
    client = client_for(tom, "read")
    client.get("/api/v1/me/")  # records the token's last use, a write made at most every few minutes
    url = path.format(**{name: row.pk for name, row in graph_with_verdict.items() if hasattr(row, "pk")})
    with django_assert_max_num_queries(READ_QUERY_BUDGET[path]) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    for query in captured.captured_queries:
        assert "COUNT(" not in query["sql"].upper(), query["sql"]


@pytest.mark.parametrize("endpoint", ["claims", "divergences", "verdicts", "articles", "stories"])
def test_lists_never_read_article_bodies(endpoint, graph_with_verdict, tom, client_for, django_assert_max_num_queries):
    client = client_for(tom, "read")
    with django_assert_max_num_queries(5) as captured:
        assert client.get(f"/api/v1/{endpoint}/").status_code == 200
    for query in captured.captured_queries:
        assert not any(column in query["sql"] for column in ARTICLE_BODY_COLUMNS), query["sql"]


def test_an_article_shows_its_versions_text_but_never_reads_the_raw_content(
    story_graph, tom, client_for, django_assert_max_num_queries
):
    client = client_for(tom, "read")
    with django_assert_max_num_queries(5) as captured:
        article = client.get(f"/api/v1/articles/{story_graph['copy'].pk}/").json()
    assert article["versions"][0]["clean_text"] == "Copy text."
    assert not any('"raw_content"' in query["sql"] for query in captured.captured_queries)


class TestConditionalGet:
    def test_an_unchanged_list_is_answered_304_without_a_body_and_a_change_gives_a_new_etag(self, reader, story_graph):
        first = reader.get("/api/v1/claims/")
        etag = first["ETag"]
        assert first.status_code == 200 and etag
        again = reader.get("/api/v1/claims/", HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304 and again.content == b""
        factories.ClaimFactory(version=story_graph["copy_v"], position=5, start=40, end=50)
        changed = reader.get("/api/v1/claims/", HTTP_IF_NONE_MATCH=etag)
        assert changed.status_code == 200 and changed["ETag"] != etag
        assert len(changed.json()["results"]) == len(first.json()["results"]) + 1

    def test_what_a_caller_may_see_is_part_of_the_etag(self, reader, client_for, alice, story_graph):
        factories.VerdictFactory(claim=story_graph["c1"], reviewer=alice)
        reviewer = client_for(alice, "read", "review")
        etag = reader.get("/api/v1/verdicts/")["ETag"]
        assert reviewer.get("/api/v1/verdicts/", HTTP_IF_NONE_MATCH=etag).status_code == 200

    def test_a_verdict_keeps_its_revision_etag_and_is_304_while_unchanged(self, client_for, alice, story_graph):
        verdict = factories.VerdictFactory(claim=story_graph["c1"], reviewer=alice)
        reviewer = client_for(alice, "read", "review")
        response = reviewer.get(f"/api/v1/verdicts/{verdict.pk}/")
        assert response["ETag"] == f'"r{verdict.revision}"'
        assert reviewer.get(f"/api/v1/verdicts/{verdict.pk}/", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
