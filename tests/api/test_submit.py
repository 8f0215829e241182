"""POST /api/v1/articles/ and GET /api/v1/jobs/: 202 with a job URL, idempotent retries, payload limits, 400s."""

from __future__ import annotations

import pytest

from tests import factories
from tests.api.test_auth import assert_error
from workbench.api.models import IdempotencyKey
from workbench.provenance.models import Divergence, StoryMembership, TraceJob
from workbench.provenance.services import articles_trace
from workbench.sources.models import Article
from workbench.sources.services import article_ingest_file

pytestmark = pytest.mark.django_db

TEXT = (
    "The city council approved a new budget on Monday, officials said. "
    "The plan adds two hundred teachers and takes effect in May."
)


@pytest.fixture
def submitter(tom, client_for):
    return client_for(tom, "read", "submit")


def submit(client, body, **headers):
    return client.post("/api/v1/articles/", body, format="json", **headers)


def test_text_with_metadata_is_accepted_with_a_job_url(submitter, tom):
    response = submit(submitter, {"content": TEXT, "headline": "Budget passes", "outlet": "City Times"})
    assert response.status_code == 202, response.content
    body = response.json()
    job = TraceJob.objects.get()
    assert body["job"]["id"] == job.pk and body["job"]["state"] == "queued" and body["replayed"] is False
    assert body["job_url"].endswith(f"/api/v1/jobs/{job.pk}/") and response["Location"] == body["job_url"]
    assert job.requested_by == tom and bytes(job.upload).decode() == TEXT
    article = Article.objects.get()
    assert (article.headline, article.outlet.name) == ("Budget passes", "City Times")
    polled = submitter.get(body["job_url"])
    assert polled.status_code == 200
    assert polled.json()["progress"]["state"] == "queued" and polled.json()["progress"]["total"] == 0


def test_a_url_is_queued_for_the_worker_to_fetch(submitter):
    response = submit(submitter, {"url": "https://news.example/story"})
    assert response.status_code == 202, response.content
    job = TraceJob.objects.get()
    assert job.url == "https://news.example/story" and job.state == "queued"
    assert not Article.objects.exists()


def test_a_submitted_derivative_is_traced_into_its_story(submitter, seed_paths, django_capture_on_commit_callbacks):
    derivative_path = next(p for p in seed_paths if p.name.startswith("000_"))
    articles = [article_ingest_file(path=path).article for path in seed_paths if path != derivative_path]
    articles_trace(articles=articles)
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(submitter, {"content": derivative_path.read_text(), "headline": "Republished"})
    assert response.status_code == 202, response.content
    job = submitter.get(response.json()["job_url"]).json()
    assert job["state"] == "done", job["error"]
    assert job["progress"]["done"] == job["progress"]["total"] > 0
    submitted = Article.objects.get(pk=job["articles"][0])
    membership = StoryMembership.objects.get(article=submitted)
    assert membership.role == "derivative" and job["story"] == membership.story_id
    divergences = submitter.get(f"/api/v1/divergences/?article={submitted.pk}").json()["results"]
    assert len(divergences) == Divergence.objects.filter(claim__version__article=submitted).count() > 0
    for divergence in divergences:
        claim = submitter.get(f"/api/v1/claims/{divergence['claim']}/").json()
        assert claim["text"][divergence["span_start"] : divergence["span_end"]] == divergence["span"]


class TestIdempotency:
    def test_a_retry_with_the_same_key_returns_the_first_job(self, submitter):
        first = submit(submitter, {"content": TEXT}, HTTP_IDEMPOTENCY_KEY="retry-1")
        second = submit(submitter, {"content": TEXT}, HTTP_IDEMPOTENCY_KEY="retry-1")
        assert first.status_code == second.status_code == 202
        assert second.json()["replayed"] is True and first.json()["replayed"] is False
        assert second.json()["job"]["id"] == first.json()["job"]["id"]
        assert TraceJob.objects.count() == 1 and IdempotencyKey.objects.count() == 1

    def test_without_a_key_each_post_is_a_new_job(self, submitter):
        submit(submitter, {"content": TEXT})
        submit(submitter, {"content": TEXT})
        assert TraceJob.objects.count() == 2

    def test_the_same_key_with_another_body_is_refused(self, submitter):
        submit(submitter, {"content": TEXT}, HTTP_IDEMPOTENCY_KEY="k")
        response = submit(submitter, {"url": "https://news.example/other"}, HTTP_IDEMPOTENCY_KEY="k")
        assert_error(response, 422, "unprocessable")
        assert TraceJob.objects.count() == 1

    def test_keys_belong_to_their_user(self, submitter, client_for):
        other = client_for(factories.UserFactory(username="otto"), "submit", "read")
        a = submit(submitter, {"content": TEXT}, HTTP_IDEMPOTENCY_KEY="shared")
        b = submit(other, {"content": TEXT}, HTTP_IDEMPOTENCY_KEY="shared")
        assert a.json()["job"]["id"] != b.json()["job"]["id"]
        assert TraceJob.objects.count() == 2

    def test_a_malformed_key_is_a_400(self, submitter):
        error = assert_error(submit(submitter, {"content": TEXT}, HTTP_IDEMPOTENCY_KEY="has space"), 400)
        assert "Idempotency-Key" in error["fields"]
        assert not TraceJob.objects.exists()

    def test_a_refused_request_is_not_remembered(self, submitter):
        submit(submitter, {"content": "   "}, HTTP_IDEMPOTENCY_KEY="k2")
        assert not IdempotencyKey.objects.exists()
        assert submit(submitter, {"content": TEXT}, HTTP_IDEMPOTENCY_KEY="k2").status_code == 202


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({}, "url", "url or content"),
        ({"url": "https://a.example/x", "content": TEXT}, "content", "not both"),
        ({"url": "ftp://a.example/x"}, "url", "http"),
        ({"url": "not a url"}, "url", "valid URL"),
        ({"content": "   "}, "content", ""),
        ({"content": 12}, "content", ""),
        ({"content": TEXT, "published_at": "yesterday"}, "published_at", "format"),
        ({"content": TEXT, "origin": 999999}, "origin", "does not exist"),
        ({"content": TEXT, "trace_with": [999999]}, "trace_with", "does not exist"),
        ({"content": TEXT, "trace_with": "1"}, "trace_with", "list"),
        ({"content": TEXT, "headline": "x" * 501}, "headline", "500"),
        ({"content": "\x00\x01\x02 binary \x00"}, "content", ""),
    ],
)
def test_each_bad_field_is_a_400_naming_it(submitter, body, field, words):
    error = assert_error(submit(submitter, body), 400, "invalid")
    assert field in error["fields"], error
    assert words.lower() in str(error["fields"][field]).lower()
    assert not TraceJob.objects.exists() and not Article.objects.exists()


def test_content_over_the_ingest_limit_is_a_400(submitter, settings):
    settings.INGEST_MAX_BYTES = 2048
    error = assert_error(submit(submitter, {"content": "word " * 1000}), 400)
    assert "limit" in error["fields"]["content"][0]


def test_a_body_over_the_api_limit_is_a_413(submitter, settings):
    settings.API_MAX_BODY_BYTES = 4096
    assert_error(submit(submitter, {"content": "word " * 2000}), 413, "payload_too_large")
    assert not TraceJob.objects.exists()


def test_malformed_json_is_a_400(submitter):
    response = submitter.post("/api/v1/articles/", b'{"content": ', content_type="application/json")
    assert_error(response, 400, "parse_error")


def test_a_form_body_is_an_unsupported_media_type(submitter):
    response = submitter.post("/api/v1/articles/", {"content": TEXT})
    assert_error(response, 415, "unsupported_media_type")


class TestJobs:
    def test_a_job_is_visible_only_to_whoever_submitted_it(self, submitter, client_for):
        job_url = submit(submitter, {"content": TEXT}).json()["job_url"]
        stranger = client_for(factories.UserFactory(username="otto"), "read")
        assert_error(stranger.get(job_url), 404, "not_found")
        assert stranger.get("/api/v1/jobs/").json()["results"] == []
        assert [j["id"] for j in submitter.get("/api/v1/jobs/").json()["results"]] == [TraceJob.objects.get().pk]

    def test_editors_see_every_job_and_fact_checkers_only_their_own(self, submitter, client_for):
        job_url = submit(submitter, {"content": TEXT}).json()["job_url"]
        editor = client_for(factories.erin(), "read")
        assert len(editor.get("/api/v1/jobs/").json()["results"]) == 1
        assert editor.get(job_url).status_code == 200
        fact_checker = client_for(factories.alice(), "read")  # staff, but the job and its error are not hers
        assert factories.alice().is_staff
        assert fact_checker.get("/api/v1/jobs/").json()["results"] == []
        assert_error(fact_checker.get(job_url), 404, "not_found")

    def test_jobs_filter_by_state(self, submitter):
        submit(submitter, {"content": TEXT})
        assert len(submitter.get("/api/v1/jobs/?state=queued").json()["results"]) == 1
        assert submitter.get("/api/v1/jobs/?state=done").json()["results"] == []
        assert_error(submitter.get("/api/v1/jobs/?state=sleeping"), 400)


def test_a_missing_job_is_a_404_in_the_error_shape(submitter):
    assert_error(submitter.get("/api/v1/jobs/424242/"), 404, "not_found")


def test_unsupported_methods_are_a_405(submitter):
    assert_error(submitter.delete("/api/v1/articles/"), 405, "method_not_allowed")


def test_a_retry_is_replayed_even_if_its_body_would_no_longer_validate(submitter):
    other = factories.ArticleFactory()
    body = {"url": "https://news.example/a", "trace_with": [other.pk]}
    first = submit(submitter, body, HTTP_IDEMPOTENCY_KEY="late-retry")
    TraceJob.objects.get().articles.clear()
    other.delete()
    second = submit(submitter, body, HTTP_IDEMPOTENCY_KEY="late-retry")
    assert second.status_code == 202 and second.json()["job"]["id"] == first.json()["job"]["id"]


def test_a_key_older_than_a_day_is_forgotten(submitter):
    from datetime import timedelta

    from django.utils import timezone

    submit(submitter, {"content": TEXT}, HTTP_IDEMPOTENCY_KEY="old")
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    again = submit(submitter, {"content": TEXT}, HTTP_IDEMPOTENCY_KEY="old")
    assert again.json()["replayed"] is False
    assert TraceJob.objects.count() == 2 and IdempotencyKey.objects.count() == 1
