"""Ingesting and re-fetching articles by URL, against a local page server on 127.0.0.1."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.reliability.local_server import LocalPageServer, Page
from workbench.core.errors import IngestError
from workbench.core.fetch import FetchUnavailable, UrlRefused
from workbench.sources.models import Article
from workbench.sources.services import article_ingest_url, article_refetch
from workbench.sources.tasks import reverify_article

pytestmark = pytest.mark.django_db

BODY = (
    "Council approves new budget\n\n"
    "The city council approved the new budget on Monday after a long debate about school funding.\n\n"
    "The mayor said the plan would probably take effect in May, according to a statement from her office.\n"
)


@pytest.fixture
def server(settings):
    settings.FETCH_DOMAIN_INTERVAL_S = 0
    with LocalPageServer() as page_server:
        settings.FETCH_TEST_ALLOW_LOOPBACK = [page_server.allowance]
        yield page_server


def test_a_url_is_ingested_once_and_tracked(server):
    server.routes["/a"] = Page(body=BODY.encode(), headers={"Content-Type": "text/plain", "ETag": '"e1"'})
    first = article_ingest_url(url=server.url("/a"))
    again = article_ingest_url(url=server.url("/a"))
    assert first.created_version and not again.created_version
    article = Article.objects.get()
    assert article.canonical_url == server.url("/a") and article.tracking
    assert timezone.now() < article.next_fetch_at <= timezone.now() + timedelta(minutes=30)
    assert first.version.http_etag == '"e1"' and first.version.arrival == "url_fetch"


def test_a_changed_page_becomes_a_new_version_with_a_readable_diff(server):
    server.routes["/a"] = Page(body=BODY.encode())
    article = article_ingest_url(url=server.url("/a")).article
    server.routes["/a"] = Page(body=BODY.replace("probably take effect", "take effect").encode())
    outcome = article_refetch(article=article)
    assert outcome.changed and outcome.version.number == 2
    assert "-The mayor said the plan would probably take effect in May" in outcome.version.diff
    assert "+The mayor said the plan would take effect in May" in outcome.version.diff
    assert article_refetch(article=Article.objects.get()).changed is False


def test_a_page_in_a_declared_charset_is_decoded(server):
    latin = BODY.replace("The mayor", "The café owner").encode("latin-1")
    server.routes["/latin"] = Page(body=latin, headers={"Content-Type": "text/plain; charset=ISO-8859-1"})
    result = article_ingest_url(url=server.url("/latin"))
    assert "café owner" in result.version.clean_text


def test_a_page_that_is_no_article_is_refused_and_nothing_is_stored(server):
    server.routes["/empty"] = Page(body=b"\x00\x01\x02")
    with pytest.raises(IngestError, match="binary"):
        article_ingest_url(url=server.url("/empty"))
    assert Article.objects.count() == 0


def test_a_page_that_starts_redirecting_to_a_private_address_stops_being_tracked(server):
    server.routes["/a"] = Page(body=BODY.encode())
    article = article_ingest_url(url=server.url("/a")).article
    server.routes["/a"] = Page(status=302, headers={"Location": "http://10.0.0.1/admin"})
    outcome = article_refetch(article=article)
    article.refresh_from_db()
    assert "10.0.0.1, a private address" in outcome.error
    assert not article.tracking and article.next_fetch_at is None
    assert "private address" in article.fetch_error
    assert [r.path for r in server.received] == ["/a", "/a"]


def test_a_network_failure_is_recorded_with_backoff_and_raised_for_retry(server):
    server.routes["/a"] = Page(body=BODY.encode())
    article = article_ingest_url(url=server.url("/a")).article
    server.routes["/a"] = Page(status=503)
    with pytest.raises(FetchUnavailable):
        article_refetch(article=article)
    article.refresh_from_db()
    assert article.fetch_failures == 1 and article.tracking
    assert article.next_fetch_at <= timezone.now() + timedelta(minutes=5)
    assert reverify_article.apply(args=[article.pk]).get() == "unavailable"
    article.refresh_from_db()
    assert article.fetch_failures == 2


def test_a_url_job_refuses_non_http_schemes_before_fetching():
    with pytest.raises(UrlRefused, match="only http and https"):
        article_ingest_url(url="file:///etc/passwd")


def test_a_due_article_is_handed_out_once_per_pass_until_it_is_fetched(server):
    from workbench.sources.services import articles_due_for_refetch

    server.routes["/a"] = Page(body=BODY.encode())
    article = article_ingest_url(url=server.url("/a")).article
    Article.objects.filter(pk=article.pk).update(next_fetch_at=timezone.now() - timedelta(seconds=1))
    assert [a.pk for a in articles_due_for_refetch()] == [article.pk]
    assert articles_due_for_refetch() == []
    article.refresh_from_db()
    assert article.next_fetch_at > timezone.now() + timedelta(minutes=10)


def test_the_scheduled_pass_refetches_due_articles(server, django_capture_on_commit_callbacks):
    from workbench.sources.tasks import reverify_due

    server.routes["/a"] = Page(body=BODY.encode())
    article = article_ingest_url(url=server.url("/a")).article
    Article.objects.filter(pk=article.pk).update(next_fetch_at=timezone.now() - timedelta(seconds=1))
    assert reverify_due.apply().get() == {"articles": 1, "pending_retraces": 0}
    assert len(server.received) == 2
    article.refresh_from_db()
    assert article.fetch_failures == 0 and article.last_fetched_at is not None
