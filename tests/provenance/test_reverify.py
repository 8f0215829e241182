"""Re-verification: the origin publishes a correction (served by a local server), one pass re-fetches it, stores the
new version with its diff, re-traces the story, and marks exactly the affected verdicts stale with the reason."""

from __future__ import annotations

import hashlib
import io
from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.factories import UserFactory
from tests.pseudo_terminal import PseudoTerminal, bar_counts, frames
from tests.reliability.local_server import LocalPageServer, Page
from workbench.claims.models import Claim
from workbench.provenance.models import ProvenanceLink, Story, StoryRetrace
from workbench.provenance.selectors import trace_report
from workbench.provenance.services import articles_trace
from workbench.review.models import ReviewEvent, Verdict
from workbench.sources.models import Article
from workbench.sources.services import article_ingest_file, article_ingest_url, refetch_interval

pytestmark = pytest.mark.django_db


class OriginPage:
    """The origin's page, with an ETag so unchanged re-fetches are answered 304."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def __call__(self, request) -> Page:
        etag = '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'
        if request.headers.get("if-none-match") == etag:
            return Page(status=304, headers={"ETag": etag})
        return Page(body=self.body, headers={"Content-Type": "text/plain; charset=utf-8", "ETag": etag})


@pytest.fixture
def story_with_verdicts(settings, seed_paths):
    settings.FETCH_DOMAIN_INTERVAL_S = 0
    origin_path = next(p for p in seed_paths if p.name.startswith("001_"))
    derivative_paths = [p for p in seed_paths if p.name[:3] in {"000", "002", "003"}]
    with LocalPageServer() as server:
        settings.FETCH_TEST_ALLOW_LOOPBACK = [server.allowance]
        page = OriginPage(origin_path.read_bytes())
        server.routes["/origin"] = page
        origin = article_ingest_url(url=server.url("/origin")).article
        derivatives = [article_ingest_file(path=p).article for p in derivative_paths]
        articles_trace(articles=[origin, *derivatives])
        story = Story.objects.get(origin=origin)
        alice, erin = UserFactory(username="alice"), UserFactory(username="erin")
        claims = list(
            Claim.objects.filter(version__article__in=derivatives).exclude(label="boilerplate").order_by("pk")
        )
        for claim in claims:
            Verdict.objects.create(claim=claim, label=Verdict.Label.SUPPORTED, reviewer=alice)
        yield {
            "server": server,
            "page": page,
            "origin": origin,
            "derivatives": derivatives,
            "story": story,
            "erin": erin,
        }


def most_cited_origin_sentence(origin: Article) -> Claim:
    cited = Counter(
        ProvenanceLink.objects.filter(origin_claim__version__article=origin).values_list("origin_claim_id", flat=True)
    )
    return Claim.objects.get(pk=cited.most_common(1)[0][0])


def derivative_report(derivatives) -> dict[tuple[int, int], dict]:
    report = trace_report(articles=[(str(a.pk), a) for a in derivatives])
    return {
        (int(entry["path"]), position): sentence
        for entry in report["articles"]
        for position, sentence in enumerate(entry["sentences"])
    }


def test_a_corrected_origin_sentence_marks_exactly_the_affected_verdicts_stale(story_with_verdicts):
    origin, derivatives, page = (
        story_with_verdicts["origin"],
        story_with_verdicts["derivatives"],
        story_with_verdicts["page"],
    )
    corrected = most_cited_origin_sentence(origin)
    dependent = set(Verdict.objects.filter(claim__links__origin_claim=corrected).values_list("pk", flat=True))
    assert dependent, "no verdict rests on the corrected sentence"
    approved = Verdict.objects.get(pk=min(dependent))
    Verdict.objects.filter(pk=approved.pk).update(
        state=Verdict.State.APPROVED, approver=story_with_verdicts["erin"], approved_at=timezone.now()
    )
    before = derivative_report(derivatives)
    new_sentence = corrected.text.rstrip(".") + ", the outlet said in a correction."
    page.body = page.body.decode().replace(corrected.text, new_sentence).encode()

    out = io.StringIO()
    call_command("reverify", "--all", stdout=out)

    versions = list(origin.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert f"-{corrected.text}" in versions[1].diff and f"+{new_sentence}" in versions[1].diff
    after = derivative_report(derivatives)
    changed_positions = {
        key
        for key in before
        if (before[key]["origin_text"], before[key]["flags"]) != (after[key]["origin_text"], after[key]["flags"])
    }
    expected = {
        v.pk
        for v in Verdict.objects.select_related("claim__version")
        if (v.claim.version.article_id, v.claim.position) in changed_positions
    }
    stale = set(Verdict.objects.filter(is_stale=True).values_list("pk", flat=True))
    assert dependent <= stale
    assert stale == expected
    assert 0 < len(stale) < Verdict.objects.count()
    for verdict in Verdict.objects.filter(pk__in=dependent):
        assert verdict.stale_reason.startswith("origin corrected"), verdict.stale_reason
        assert corrected.text[:40] in verdict.stale_reason
    approved.refresh_from_db()
    assert (approved.state, approved.is_stale) == (Verdict.State.DRAFT, True)
    run = StoryRetrace.objects.get()
    assert (run.state, run.verdicts_marked_stale) == ("done", len(stale))
    assert "1 changed" in out.getvalue() and f"{len(stale)} verdicts marked stale" in out.getvalue()

    # A second pass is answered 304 and changes nothing.
    again = io.StringIO()
    call_command("reverify", "--all", stdout=again)
    assert "0 changed" in again.getvalue()
    assert set(Verdict.objects.filter(is_stale=True).values_list("pk", flat=True)) == stale
    assert story_with_verdicts["server"].received[-1].headers.get("if-none-match")


def test_an_unchanged_origin_stales_nothing_and_reschedules_by_age(story_with_verdicts):
    origin = story_with_verdicts["origin"]
    Article.objects.filter(pk=origin.pk).update(next_fetch_at=timezone.now() - timedelta(minutes=1))
    out = io.StringIO()
    call_command("reverify", stdout=out)
    assert "1 articles re-fetched: 0 changed, 0 failed; 0 verdicts marked stale" in out.getvalue()
    origin.refresh_from_db()
    assert origin.next_fetch_at > timezone.now()
    assert not Verdict.objects.filter(is_stale=True).exists()
    assert StoryRetrace.objects.count() == 0


def test_a_derivative_rewritten_keeps_verdicts_on_unchanged_sentences_and_stales_the_rest(
    story_with_verdicts, seed_paths
):
    derivative = story_with_verdicts["derivatives"][0]
    server = story_with_verdicts["server"]
    old_version = derivative.versions.get()
    claims = list(old_version.claims.exclude(label="boilerplate").order_by("position"))
    removed = next(c for c in claims if c.links.exists())
    text = old_version.raw_content.replace(removed.text, "")
    server.routes["/derivative"] = Page(body=text.encode())
    Article.objects.filter(pk=derivative.pk).update(
        canonical_url=server.url("/derivative"), tracking=True, next_fetch_at=timezone.now()
    )
    out = io.StringIO()
    call_command("reverify", "--article", str(derivative.pk), stdout=out)
    new_version = derivative.versions.get(number=2)
    gone = Verdict.objects.get(claim=removed)
    assert gone.is_stale and gone.stale_reason.startswith("claim changed")
    moved = Verdict.objects.filter(claim__version=new_version)
    assert moved.count() == Verdict.objects.filter(claim__version__article=derivative).count() - 1
    assert all(v.claim.text in {c.text for c in claims} for v in moved)
    events = ReviewEvent.objects.filter(kind=ReviewEvent.Kind.MOVED, actor=None)
    assert {(e.verdict_id, e.claim_id) for e in events} == {(v.pk, v.claim_id) for v in moved}
    assert all(e.changes["version"] == [1, 2] and e.comment == "followed its sentence to version 2" for e in events)
    assert not events.filter(verdict=gone).exists()
    assert "changed" in out.getvalue()


def test_on_a_terminal_the_pass_shows_a_bar_over_its_articles_and_on_a_string_none(story_with_verdicts):
    derivative, server = story_with_verdicts["derivatives"][0], story_with_verdicts["server"]
    server.routes["/derivative"] = Page(body=derivative.versions.get().raw_content.encode())
    Article.objects.filter(pk=derivative.pk).update(canonical_url=server.url("/derivative"), tracking=True)
    out = io.StringIO()
    with PseudoTerminal() as terminal:
        call_command("reverify", "--all", stdout=out, stderr=terminal.stream)
    counts = bar_counts(terminal.text, "re-verify")
    assert counts[0] == "0/2" and counts[-1] == "2/2"
    assert "2 articles re-fetched" in out.getvalue() and "\x1b" not in out.getvalue()
    assert not [f for f in frames(terminal.text) if f.startswith("error:")]

    out, err = io.StringIO(), io.StringIO()
    call_command("reverify", "--all", stdout=out, stderr=err)
    assert err.getvalue() == "" and "2 articles re-fetched: 0 changed" in out.getvalue()


def test_the_cadence_follows_the_articles_age():
    now = timezone.now()
    fresh = Article(published_at=now - timedelta(hours=2))
    week = Article(published_at=now - timedelta(days=3))
    old = Article(published_at=now - timedelta(days=400))
    assert (
        refetch_interval(article=fresh, now=now)
        < refetch_interval(article=week, now=now)
        < refetch_interval(article=old, now=now)
    )
