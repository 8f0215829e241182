"""Hostile and bad input through every door: the ingest service, `manage.py ingest` / `trace`, and the API.

Each input gets a clear error or a correct result; rows stored before are never changed; stored text never renders
as live HTML in the admin pages or the API docs.
"""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from rest_framework.test import APIClient

from tests import factories
from tests.conftest import SEEDS_DIR
from tests.security.hostile_corpus import ARABIC, HEBREW, SCRIPT, SENTENCE, corpus
from tests.security.snapshots import assert_untouched
from workbench.api.services import api_token_create
from workbench.claims.models import Claim
from workbench.core.errors import IngestError
from workbench.provenance.models import TraceJob
from workbench.sources.models import Article, ArticleVersion
from workbench.sources.services import article_ingest

CORPUS = corpus()
# What each input must come to: an error naming the problem, or stored text containing the given words.
EXPECTED: dict[str, tuple[str, str]] = {
    "empty": ("error", "empty"),
    "whitespace only": ("error", "empty"),
    "binary": ("error", "binary"),
    "binary as valid utf-8": ("error", "binary"),
    "invalid utf-8": ("error", "not UTF-8"),
    "mixed encodings": ("error", "not UTF-8"),
    "20 MB of HTML": ("error", "too large"),
    "100k nested divs": ("error", "more than 256 levels deep"),
    "one 200 KB sentence": ("stored", "word word word"),
    "arabic": ("stored", ARABIC.split(".")[0]),
    "hebrew": ("stored", HEBREW.split(".")[0]),
    "script in html": ("stored", SENTENCE),
    "script as text": ("stored", SENTENCE.replace("week", "month")),
}
HOSTILE_HEADLINE = f'Talks {SCRIPT}<img src=x onerror="alert(1)">'


def test_every_corpus_entry_has_an_expectation():
    assert set(EXPECTED) == set(CORPUS)


def _as_bytes(content: bytes | str) -> bytes:
    return content if isinstance(content, bytes) else content.encode("utf-8")


@pytest.mark.parametrize("name", list(CORPUS))
def test_the_ingest_service_gives_a_clear_error_or_a_correct_result(stored, name):
    outcome, detail = EXPECTED[name]
    articles_before = Article.objects.count()
    if outcome == "error":
        with pytest.raises(IngestError, match=detail):
            article_ingest(content=CORPUS[name], arrival="upload", headline=HOSTILE_HEADLINE)
        assert Article.objects.count() == articles_before
    else:
        result = article_ingest(content=CORPUS[name], arrival="upload", headline=HOSTILE_HEADLINE)
        version = ArticleVersion.objects.get(pk=result.version.pk)
        assert detail in version.clean_text
        assert "<script" not in version.clean_text and "onerror=" not in version.clean_text.replace(SCRIPT, "")
        claims = list(version.claims.order_by("position"))
        assert claims
        for claim in claims:
            assert 0 <= claim.start < claim.end <= len(version.clean_text)
            assert version.clean_text[claim.start : claim.end] == claim.text
    assert_untouched(stored)


@pytest.mark.parametrize("name", list(CORPUS))
def test_the_ingest_command_reports_each_bad_file_and_keeps_what_was_stored(stored, name, tmp_path):
    outcome, detail = EXPECTED[name]
    path = tmp_path / "article.txt"
    path.write_bytes(_as_bytes(CORPUS[name]))
    out, err = StringIO(), StringIO()
    if outcome == "error":
        with pytest.raises(CommandError, match="could not be ingested"):
            call_command("ingest", str(path), stdout=out, stderr=err)
        assert detail in err.getvalue() and str(path) in err.getvalue()
    else:
        call_command("ingest", str(path), stdout=out, stderr=err)
        assert ArticleVersion.objects.filter(clean_text__contains=detail).exists()
    assert_untouched(stored)


@pytest.mark.parametrize("name", ["binary", "invalid utf-8", "100k nested divs", "arabic", "script in html"])
def test_the_trace_command_reports_bad_files_and_traces_good_ones(stored, name, tmp_path):
    outcome, detail = EXPECTED[name]
    hostile = tmp_path / "hostile.txt"
    hostile.write_bytes(_as_bytes(CORPUS[name]))
    seed = sorted(SEEDS_DIR.glob("*.txt"))[0]
    out, err = StringIO(), StringIO()
    try:
        call_command("trace", str(seed), str(hostile), "--json", stdout=out, stderr=err)
    except CommandError as exc:
        assert outcome == "error", f"a good file failed: {exc} {err.getvalue()}"
        assert detail in err.getvalue() + str(exc)
    else:
        report = json.loads(out.getvalue())
        assert report
        if outcome == "error":
            assert detail in err.getvalue()
    assert_untouched(stored)


@pytest.fixture
def tool(db):
    tom = factories.UserFactory(username="tom")
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Token {api_token_create(user=tom, name='t', scopes=['read', 'submit']).key}"
    )
    return client


@pytest.mark.parametrize("name", list(CORPUS))
def test_the_api_answers_each_input_with_an_error_or_a_job(stored, tool, name, django_capture_on_commit_callbacks):
    outcome, detail = EXPECTED[name]
    content = CORPUS[name]
    with django_capture_on_commit_callbacks(execute=True):
        if isinstance(content, bytes):
            body = b'{"headline": "x", "content": "' + content.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"}'
            response = tool.generic("POST", "/api/v1/articles/", body, content_type="application/json")
        else:
            response = tool.post("/api/v1/articles/", {"content": content, "headline": HOSTILE_HEADLINE}, format="json")
    assert response.status_code < 500, response.content[:300]
    if response.status_code in (400, 413):
        error = response.json()["error"]
        assert error["message"] and error["code"]
        assert outcome == "error", f"a good input was refused: {error}"
    else:
        assert response.status_code == 202
        job = TraceJob.objects.get(pk=response.json()["job"]["id"])
        if outcome == "error":
            assert job.state == TraceJob.State.FAILED and detail in job.error
        else:
            assert job.state == TraceJob.State.DONE, job.error
            assert ArticleVersion.objects.filter(clean_text__contains=detail).exists()
            stored_headline = Article.objects.get(pk=job.articles.get().pk).headline
            assert stored_headline == HOSTILE_HEADLINE  # kept as data; every page escapes it
    assert_untouched(stored)


# ------------------------------------------------------------------------------------------- rendering


@pytest.fixture
def hostile_rows(db):
    result = article_ingest(content=CORPUS["script as text"], arrival="upload", headline=HOSTILE_HEADLINE)
    version = result.version
    claim = version.claims.first()
    Claim.objects.filter(pk=claim.pk).update(text=f"{claim.text} {SCRIPT}", label="altered")
    return {"version": version, "claim": claim, "article": version.article}


def _live_markup(html: str) -> list[str]:
    return [needle for needle in ('<script>alert("x")', "<img src=x onerror", 'onerror="alert(1)"') if needle in html]


def test_stored_text_never_renders_as_live_html_in_the_admin(hostile_rows):
    client = Client()
    client.force_login(factories.erin())
    pages = {
        "claim review": f"/admin/review/reviewqueueitem/{hostile_rows['claim'].pk}/change/",
        "version text": f"/admin/review/reviewqueueitem/text/{hostile_rows['version'].pk}/",
        "queue": "/admin/review/reviewqueueitem/",
        "article": f"/admin/sources/article/{hostile_rows['article'].pk}/change/",
        "articles": "/admin/sources/article/",
        "version": f"/admin/sources/articleversion/{hostile_rows['version'].pk}/change/",
    }
    for name, path in pages.items():
        response = client.get(path)
        assert response.status_code == 200, (name, response.status_code)
        html = response.content.decode()
        assert not _live_markup(html), (name, _live_markup(html))
    review = client.get(pages["claim review"]).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in review


def test_stored_text_never_renders_as_live_html_in_the_api_and_docs(hostile_rows):
    client = Client()
    client.force_login(factories.erin())
    browsable = client.get(f"/api/v1/articles/{hostile_rows['article'].pk}/", HTTP_ACCEPT="text/html")
    assert browsable.status_code == 200 and not _live_markup(browsable.content.decode())
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and not _live_markup(docs.content.decode())
    as_json = client.get(f"/api/v1/articles/{hostile_rows['article'].pk}/", HTTP_ACCEPT="application/json")
    assert as_json["Content-Type"].startswith("application/json")
    assert as_json.json()["headline"] == HOSTILE_HEADLINE


def test_the_api_accepts_an_article_between_django_s_default_body_cap_and_the_ingest_limit(stored, tool):
    paragraph = f"<p>{SENTENCE}</p>\n"
    content = "<html><body><article>" + paragraph * (3 * 1024 * 1024 // len(paragraph)) + "</article></body></html>"
    assert 2_621_440 < len(content.encode()) < 5 * 1024 * 1024
    response = tool.post("/api/v1/articles/", {"content": content, "headline": "Long"}, format="json")
    assert response.status_code == 202, response.content[:300]
    assert TraceJob.objects.filter(pk=response.json()["job"]["id"]).exists()
    assert_untouched(stored)
