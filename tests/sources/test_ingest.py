"""Ingest: seeds become articles, versions and claims; re-ingest is idempotent; bad input is refused clearly."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import SEEDS_DIR
from tests.pseudo_terminal import PseudoTerminal, bar_counts, frames
from workbench.claims.models import Claim
from workbench.core.errors import IngestError
from workbench.sources.models import Article, ArticleVersion
from workbench.sources.services import article_ingest, article_ingest_file

pytestmark = pytest.mark.django_db

FURNITURE = [
    "facebook.com/tr",
    "<img",
    "Support local journalism",
    "tax-deductible donation",
    "Local journalism needs your help",
    "Community Funded Journalism logo",
    "Loading...",
    "Read Full Article",
    "You May Be Interested In",
    "Similar Content",
    "share Paylaş",
    "Prime Headlines",
    "editorial board is not responsible",
    "Linkedin Pinterest",
]


@pytest.mark.parametrize("name", sorted(p.name for p in SEEDS_DIR.glob("*.txt")))
def test_each_seed_becomes_claims_whose_offsets_slice_back_to_their_text(name):
    result = article_ingest_file(path=SEEDS_DIR / name, arrival=ArticleVersion.Arrival.FIXTURE)
    version = result.version
    claims = list(version.claims.order_by("position"))
    assert len(claims) >= 5
    assert [c.position for c in claims] == list(range(len(claims)))
    for claim in claims:
        assert version.clean_text[claim.start : claim.end] == claim.text
    for earlier, later in zip(claims, claims[1:], strict=False):
        assert earlier.end <= later.start


@pytest.mark.parametrize("name", sorted(p.name for p in SEEDS_DIR.glob("*.txt")))
def test_seed_site_furniture_is_removed_from_the_claims(name):
    version = article_ingest_file(path=SEEDS_DIR / name).version
    for claim in version.claims.all():
        for furniture in FURNITURE:
            assert furniture not in claim.text, f"{name}: furniture {furniture!r} kept in claim {claim.text!r}"


def test_the_origin_seed_keeps_its_headline_and_reporting():
    version = article_ingest_file(path=SEEDS_DIR / "001_42d4d9456398e21d.txt").version
    assert version.article.headline == "NATO seeks to position Kyiv for truce talks with arms plan shift"
    texts = [c.text for c in version.claims.all()]
    assert any(
        t.startswith("One possible option for a ceasefire includes creating a demilitarized zone.") for t in texts
    )
    assert any("redoubling efforts to rush more weapons" in t for t in texts)
    assert version.removed_lines, "the furniture dropped should be recorded for reviewers"


def test_re_ingesting_the_same_file_stores_nothing_new(tmp_path):
    path = tmp_path / "story.txt"
    path.write_text("A headline\n\nThe mayor said on Monday that the bridge will reopen in May. Traffic will resume.\n")
    first = article_ingest_file(path=path)
    second = article_ingest_file(path=path)
    assert first.created_version and not second.created_version
    assert second.version.pk == first.version.pk
    assert Article.objects.count() == 1
    assert ArticleVersion.objects.count() == 1
    assert Claim.objects.count() == first.version.claims.count()


def test_a_changed_file_is_stored_as_a_new_version_and_the_old_one_is_kept(tmp_path):
    path = tmp_path / "story.txt"
    path.write_text("A headline\n\nThe mayor said on Monday that the bridge will reopen in May.\n")
    first = article_ingest_file(path=path)
    path.write_text("A headline\n\nThe mayor said on Monday that the bridge will reopen in June.\n")
    second = article_ingest_file(path=path)
    assert second.created_version
    assert second.article.pk == first.article.pk
    assert [v.number for v in second.article.versions.order_by("number")] == [1, 2]
    assert "May" in ArticleVersion.objects.get(pk=first.version.pk).clean_text
    assert any("June" in c.text for c in second.version.claims.all())
    assert any("May" in c.text for c in first.version.claims.all())


def test_text_without_a_key_is_identified_by_its_content():
    text = "The port reopened on Friday after a three-day strike, officials said."
    first = article_ingest(content=text, arrival=ArticleVersion.Arrival.UPLOAD)
    second = article_ingest(content=text, arrival=ArticleVersion.Arrival.UPLOAD)
    assert first.article.pk == second.article.pk and not second.created_version


def test_html_is_reduced_to_its_article_body():
    html = (
        "<html><head><title>Bridge to reopen</title></head><body><nav><a href='/'>Home</a> | <a>World</a></nav>"
        "<article><h1>Bridge to reopen</h1><p>The mayor said on Monday that the bridge will reopen in May, "
        "after repairs that took two years and cost the city more than expected.</p><p>Traffic will resume in both "
        "directions, and a new cycle lane will open at the same time, officials said.</p></article>"
        "<footer>Copyright 2024 Example News. All rights reserved.</footer><script>alert(1)</script></body></html>"
    )
    result = article_ingest(content=html, arrival=ArticleVersion.Arrival.UPLOAD, url="https://www.news.example/a")
    assert result.version.content_type == "html"
    assert result.article.outlet.domain == "news.example"
    texts = " ".join(c.text for c in result.version.claims.all())
    assert "bridge will reopen in May" in texts
    assert "alert(1)" not in texts and "All rights reserved" not in texts and "Home" not in texts


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"   \n\t  \n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary content"),
        ("Le président a déclaré lundi".encode("latin-1"), "not UTF-8 text"),
        (
            b"<html><body><nav><a href='/'>Home</a></nav><footer>All rights reserved</footer></body></html>",
            "no article body",
        ),
    ],
    ids=["empty", "whitespace", "binary", "latin-1", "html-without-body"],
)
def test_bad_content_is_refused_with_a_clear_reason_and_nothing_is_stored(content, message):
    with pytest.raises(IngestError, match=message):
        article_ingest(content=content, arrival=ArticleVersion.Arrival.UPLOAD)
    assert Article.objects.count() == 0


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path, settings):
    path = tmp_path / "huge.html"
    with path.open("wb") as handle:
        handle.truncate(20 * 1024 * 1024)
    with pytest.raises(IngestError, match="too large: 20,971,520 bytes"):
        article_ingest_file(path=path)


def test_the_ingest_command_names_each_bad_file_and_still_ingests_the_others(tmp_path, capsys):
    (tmp_path / "good.txt").write_text("The mayor said on Monday that the bridge will reopen in May.\n")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02 not text")
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 cr\xe8me".encode("latin-1"))
    (tmp_path / "nobody.html").write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>")
    with (tmp_path / "huge.txt").open("wb") as handle:
        handle.truncate(20 * 1024 * 1024)
    with pytest.raises(CommandError, match="5 of 6 files could not be ingested"):
        call_command("ingest", str(tmp_path))
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 5
    for name, reason in [
        ("empty.txt", "empty"),
        ("binary.txt", "binary content"),
        ("latin1.txt", "not UTF-8 text"),
        ("nobody.html", "no article body"),
        ("huge.txt", "too large"),
    ]:
        assert any(line.startswith(f"error: {tmp_path / name}: {reason}") for line in err), err
    assert Article.objects.count() == 1
    assert Article.objects.get().versions.get().claims.exists()


def test_the_ingest_command_shows_a_bar_on_a_terminal_and_writes_none_elsewhere(tmp_path):
    (tmp_path / "a.txt").write_text("The mayor said on Monday that the bridge will reopen in May.\n")
    (tmp_path / "b.txt").write_text("The council said on Tuesday that the library will close in June.\n")
    (tmp_path / "empty.txt").write_bytes(b"")
    out = io.StringIO()
    with PseudoTerminal() as terminal, pytest.raises(CommandError, match="1 of 3 files"):
        call_command("ingest", str(tmp_path), stdout=out, stderr=terminal.stream)
    assert bar_counts(terminal.text, "ingest")[-1] == "3/3"
    assert any(f.startswith(f"error: {tmp_path / 'empty.txt'}: empty") for f in frames(terminal.text))
    assert out.getvalue().count("new version 1") == 2 and "\x1b" not in out.getvalue()

    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="1 of 3 files"):
        call_command("ingest", str(tmp_path), stdout=out, stderr=err)
    assert err.getvalue().startswith(f"error: {tmp_path / 'empty.txt'}: empty") and err.getvalue().count("\n") == 1
    assert "\r" not in err.getvalue() and "\x1b" not in err.getvalue()
    assert out.getvalue().count("unchanged") == 2


def test_load_seeds_twice_creates_no_duplicates():
    call_command("load_seeds")
    counts = (Article.objects.count(), ArticleVersion.objects.count(), Claim.objects.count())
    call_command("load_seeds")
    assert counts[0] == 5
    assert (Article.objects.count(), ArticleVersion.objects.count(), Claim.objects.count()) == counts
    assert set(ArticleVersion.objects.values_list("arrival", flat=True)) == {"fixture"}
