"""Outlet recognition at ingest: a name given, a metadata file, the URL's host, then the text; a reviewer's
correction survives re-ingest."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.conftest import SEEDS_DIR
from workbench.core.errors import IngestError
from workbench.sources.models import Article, ArticleVersion, Outlet
from workbench.sources.services import article_ingest, article_ingest_file, article_outlet_correct

pytestmark = pytest.mark.django_db

BODY = (
    "The city council approved the new transport budget on Monday after a long debate. "
    "The plan adds three bus lines and a night service from May."
)
SEED_OUTLETS = {
    "000_ad739f1e30456db6.txt": ("RT", Outlet.Kind.STATE_MEDIA),
    "001_42d4d9456398e21d.txt": ("The Columbian", Outlet.Kind.NEWSPAPER),
    "003_9739a216e7ca54b8.txt": ("Prime Headlines", Outlet.Kind.AGGREGATOR),
}


def _ingest(text: str, **kwargs) -> Article:
    return article_ingest(content=text, arrival=ArticleVersion.Arrival.UPLOAD, **kwargs).article


@pytest.mark.parametrize(("name", "expected"), sorted(SEED_OUTLETS.items()))
def test_the_seeds_come_up_with_the_outlet_their_metadata_file_gives(name, expected):
    article = article_ingest_file(path=SEEDS_DIR / name, arrival=ArticleVersion.Arrival.FIXTURE).article
    assert (article.outlet.name, article.outlet.kind) == expected
    assert article.outlet_source == Article.OutletSource.METADATA


def test_every_seed_has_a_distinct_outlet():
    outlets = {article_ingest_file(path=path).article.outlet.name for path in sorted(SEEDS_DIR.glob("*.txt"))}
    assert len(outlets) == 5


def test_without_metadata_the_outlet_is_read_from_the_text(tmp_path):
    for name in SEED_OUTLETS:
        shutil.copy(SEEDS_DIR / name, tmp_path / name)
    found = {
        path.name: (article.outlet.name, article.outlet_source)
        for path in sorted(tmp_path.glob("*.txt"))
        if (article := article_ingest_file(path=path).article)
    }
    assert found == {
        "000_ad739f1e30456db6.txt": ("RT", "masthead"),
        "001_42d4d9456398e21d.txt": ("Bloomberg News", "credit"),
        "003_9739a216e7ca54b8.txt": ("Prime Headlines", "masthead"),
    }


def test_a_name_given_with_the_article_wins_over_its_text():
    article = _ingest(BODY + "\n© 2024 Daily Planet", outlet_name="City Times")
    assert (article.outlet.name, article.outlet_source) == ("City Times", "given")


def test_the_urls_host_names_a_known_outlet_by_its_name():
    outlet = Outlet.objects.create(name="The Columbian", domain="columbian.com")
    article = article_ingest(
        content=BODY, arrival=ArticleVersion.Arrival.UPLOAD, url="https://www.columbian.com/news/budget"
    ).article
    assert (article.outlet_id, article.outlet_source) == (outlet.pk, "url")


def test_text_naming_no_outlet_leaves_the_article_without_one():
    article = _ingest(BODY)
    assert (article.outlet, article.outlet_source) == (None, "")


def test_a_reviewers_correction_survives_re_ingest_and_a_better_source_replaces_a_guess(tmp_path):
    name = "000_ad739f1e30456db6.txt"
    shutil.copy(SEEDS_DIR / name, tmp_path / name)
    article = article_ingest_file(path=tmp_path / name).article
    assert (article.outlet.name, article.outlet_source) == ("RT", "masthead")

    # A metadata file written later names it better: the next ingest takes it.
    (tmp_path / "metadata.json").write_text(json.dumps({name: {"outlet": {"name": "TROIB News"}}}))
    article = article_ingest_file(path=tmp_path / name).article
    assert (article.outlet.name, article.outlet_source) == ("TROIB News", "metadata")

    # A reviewer corrects it; ingesting the same file again keeps the correction.
    article_outlet_correct(article=article, name="RT", kind=Outlet.Kind.STATE_MEDIA)
    article_ingest_file(path=tmp_path / name)
    article.refresh_from_db()
    assert (article.outlet.name, article.outlet.kind, article.outlet_source) == ("RT", "state_media", "reviewer")
    assert Article.objects.count() == 1


@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        ("{not json", "not valid JSON"),
        (json.dumps({"a.txt": {"outlet": {}}}), 'needs an "outlet" with a "name"'),
        (json.dumps({"a.txt": {"outlet": {"name": "X", "kind": "blog"}}}), "unknown outlet kind 'blog'"),
    ],
)
def test_a_malformed_metadata_file_is_refused_naming_the_file(tmp_path, metadata, message):
    (tmp_path / "a.txt").write_text(BODY)
    (tmp_path / "metadata.json").write_text(metadata)
    with pytest.raises(IngestError, match="metadata.json") as caught:
        article_ingest_file(path=tmp_path / "a.txt")
    assert message in str(caught.value)
    assert not Article.objects.exists()


def test_a_correction_needs_a_name_and_a_known_kind():
    article = _ingest(BODY)
    with pytest.raises(IngestError, match="needs a name"):
        article_outlet_correct(article=article, name="  ")
    with pytest.raises(IngestError, match="unknown outlet kind"):
        article_outlet_correct(article=article, name="X", kind="blog")
    article.refresh_from_db()
    assert article.outlet is None


def test_an_outlet_changed_in_the_article_admin_counts_as_a_reviewers_correction(client):
    from django.urls import reverse

    from tests.factories import UserFactory

    article = _ingest(BODY + "\n© 2024 Daily Planet")
    assert article.outlet_source == "masthead"
    right = Outlet.objects.create(name="City Times")
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    url = reverse("admin:sources_article_change", args=[article.pk])
    form = {
        "outlet": right.pk,
        "canonical_url": "",
        "headline": article.headline,
        "byline": "",
        "language": "en",
        "fetch_failures": 0,
        "fetch_error": "",
        "versions-TOTAL_FORMS": 1,
        "versions-INITIAL_FORMS": 1,
        "versions-MIN_NUM_FORMS": 0,
        "versions-MAX_NUM_FORMS": 1000,
        "versions-0-id": article.versions.get().pk,
        "versions-0-article": article.pk,
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    article.refresh_from_db()
    assert (article.outlet, article.outlet_source) == (right, "reviewer")
    _ingest(BODY + "\n© 2024 Daily Planet")  # the same text again: the correction stays
    article.refresh_from_db()
    assert article.outlet == right
