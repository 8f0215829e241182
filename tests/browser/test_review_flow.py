"""A fact-checker's day in a real browser: queue, claim review, verdict, a refused concurrent edit, approval."""

from __future__ import annotations

import html
import re
from io import StringIO

import pytest
from django.core.management import call_command

from tests.browser.conftest import ARTIFACTS_DIR
from tests.conftest import SEEDS_DIR
from tests.factories import alice, bob, erin
from workbench.claims.models import Claim
from workbench.review.models import ReviewEvent, Verdict

pytestmark = pytest.mark.django_db(transaction=True)

DOUBLE_EFFORTS = (
    "The alliance plans to double its efforts, delivering advanced air defense systems, artillery, and armored "
    "vehicles to Kyiv."
)


@pytest.fixture
def traced_seeds():
    """The five seed articles ingested and traced by the real engine (`manage.py trace`)."""
    call_command("trace", *sorted(str(p) for p in SEEDS_DIR.glob("*.txt")), stdout=StringIO(), stderr=StringIO())
    claim = Claim.objects.get(text=DOUBLE_EFFORTS)
    assert claim.label == "altered", "the engine should find the double-efforts sentence altered"
    assert claim.links.exists() and claim.divergences.exists(), "the engine should link and flag it"
    return claim


def _marks(page, selector: str) -> list[str]:
    return [html.unescape(t) for t in page.locator(f"{selector} mark").all_inner_texts()]


def test_a_verdict_goes_from_fact_checker_to_editor_and_a_concurrent_edit_is_refused(traced_seeds, login):
    claim = traced_seeds
    alice(), bob(), erin()
    divergences = list(claim.divergences.order_by("span_start"))

    # Alice opens the queue and finds the claim.
    page = login("alice")
    page.goto("/admin/review/reviewqueueitem/")
    assert page.locator("#state-counts").is_visible()
    assert page.locator('#state-counts a[data-state="unreviewed"] b').inner_text() != "0"
    page.screenshot(path=str(ARTIFACTS_DIR / "queue.png"), full_page=False)
    page.get_by_role("link", name=re.compile("The alliance plans to double its efforts")).click()
    page.wait_for_selector("#claim-text")

    # Both sides are shown, the divergences marked where the stored offsets say.
    assert page.locator("#claim-text").inner_text().strip() == DOUBLE_EFFORTS
    assert _marks(page, "#claim-text") == [d.span for d in divergences]
    origin_text = page.locator(".origin-text").first.inner_text()
    assert origin_text.strip() == claim.links.get(rank=0).origin_claim.text
    origin_spans = [d.origin_span for d in divergences if d.origin_start is not None]
    assert _marks(page, ".origin-text") == origin_spans
    assert page.locator("#flags li").count() == len(divergences)
    page.locator("#claim-text mark").first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS_DIR / "review-page.png"), full_page=True)

    # Alice records an altered verdict.
    page.select_option("#id_label", "altered")
    page.fill(
        "#id_rationale",
        "The origin says NATO is redoubling efforts to send more weapons; the named systems "
        "and the doubling are not in it.",
    )
    page.fill("#id_corrected_wording", "NATO is redoubling efforts to rush more weapons to Ukraine.")
    page.click('button[value="save"]')
    assert "Verdict recorded as a draft." in page.locator(".messagelist").inner_text()

    # Bob opens the same verdict (revision 1) and starts editing.
    bob_page = login("bob")
    bob_page.goto(page.url)
    bob_page.fill("#id_rationale", "Looks fine to me.")
    bob_page.select_option("#id_label", "supported")

    # Alice submits first.
    page.click('button[value="submit"]')
    assert "Verdict submitted for approval." in page.locator(".messagelist").inner_text()

    # Bob's save is refused with a clear message; nothing of Alice's is lost.
    bob_page.click('button[value="save"]')
    error = bob_page.locator(".messagelist .error").inner_text()
    assert "was changed by alice since you opened it" in error and "not saved" in error
    verdict = Verdict.objects.get(claim=claim)
    assert (verdict.state, verdict.label, verdict.reviewer.username) == ("submitted", "altered", "alice")
    assert "redoubling" in verdict.rationale

    # Erin, an editor, approves it.
    editor_page = login("erin")
    editor_page.goto(page.url)
    editor_page.click('button[value="approve"]')
    assert "Verdict approved and published." in editor_page.locator(".messagelist").inner_text()
    verdict.refresh_from_db()
    assert (verdict.state, verdict.approver.username) == ("approved", "erin")
    assert list(ReviewEvent.objects.filter(verdict=verdict).values_list("kind", "actor__username")) == [
        ("created", "alice"),
        ("submitted", "alice"),
        ("conflict", "bob"),
        ("approved", "erin"),
    ]
    assert editor_page.locator("#history tbody tr").count() == 4
    editor_page.screenshot(path=str(ARTIFACTS_DIR / "review-page-approved.png"), full_page=True)

    # The story view draws the provenance graph.
    editor_page.locator("a[href*='/reviewqueueitem/story/']").first.click()
    editor_page.wait_for_selector("svg.story-graph")
    derivatives = editor_page.locator("svg.story-graph g.node-derivative").count()
    assert derivatives == 3
    assert editor_page.locator("svg.story-graph g.edge").count() == derivatives
    assert "altered" in editor_page.locator("svg.story-graph g.edge").first.text_content()
    editor_page.screenshot(path=str(ARTIFACTS_DIR / "story-view.png"), full_page=True)
