"""A fact-checker's day in chromium, at a laptop's 1400 px and a small 1024 px: the queue fits the screen and reads
at a glance, the seeds show their outlets, five claims are reviewed with the keyboard alone, every link does what it
says, and axe-core finds no serious accessibility violation on the queue, claim, story and home pages."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command

from tests.browser.conftest import ARTIFACTS_DIR
from tests.conftest import SEEDS_DIR
from tests.factories import alice, erin
from workbench.claims.models import Claim
from workbench.review.models import Verdict
from workbench.review.selectors import review_queue

pytestmark = pytest.mark.django_db(transaction=True)

LAPTOP = {"width": 1400, "height": 900}
SMALL = {"width": 1024, "height": 768}
QUEUE_URL = "/admin/review/reviewqueueitem/"
CLAIMS_ON_SCREEN_MIN = 15
# Columns whose whole text must show; the claim and story columns trim long text (the full text is on hover) but
# keep enough width to read.
WHOLE_TEXT_COLUMNS = ("outlet", "engine_label", "worst_flag", "state_badge", "assignee")
READABLE_MIN_PX = {"sentence": 300, "story": 120}
SERIOUS = {"serious", "critical"}


@pytest.fixture
def seeds_traced():
    """The five seed articles, ingested with their metadata file and traced by the real engine."""
    call_command("trace", *sorted(str(p) for p in SEEDS_DIR.glob("*.txt")), stdout=StringIO(), stderr=StringIO())


def shoot(page, name: str) -> None:
    """Screenshots at both widths, as test-artifacts/<name>-1400.png and -1024.png; the page is left at 1400 px."""
    for size in (SMALL, LAPTOP):
        page.set_viewport_size(size)
        page.screenshot(path=str(ARTIFACTS_DIR / f"{name}-{size['width']}.png"))


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in results.response["violations"]
        if v["impact"] in SERIOUS
    ]


def column_measures(page) -> list[dict]:
    """For each visible queue row: its height and, per column, the cell's width and whether its text is cut."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('#result_list tbody tr')).map(row => {
            const cells = {};
            row.querySelectorAll('td, th').forEach(cell => {
                const name = (Array.from(cell.classList).find(c => c.startsWith('field-')) || '').slice(6);
                if (name) cells[name] = {width: cell.clientWidth, cut: cell.scrollWidth > cell.clientWidth + 1};
            });
            const box = row.getBoundingClientRect();
            return {top: box.top, bottom: box.bottom, height: box.height, cells};
        })"""
    )


def test_the_queue_shows_fifteen_readable_claims_on_a_laptop_screen(seeds_traced, login):
    alice()
    page = login("alice")
    page.set_viewport_size(LAPTOP)
    page.goto(QUEUE_URL)
    rows = column_measures(page)
    on_screen = [r for r in rows if r["bottom"] <= LAPTOP["height"]]
    assert len(on_screen) >= CLAIMS_ON_SCREEN_MIN, f"{len(on_screen)} claims fit on the screen"
    line_px = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('#result_list td')).lineHeight)")
    for row in rows:
        assert row["height"] < 2 * line_px + 12, f"a row is {row['height']} px tall: more than one line"
        for name in WHOLE_TEXT_COLUMNS:
            assert not row["cells"][name]["cut"], f"the {name} column cuts its text"
        for name, minimum in READABLE_MIN_PX.items():
            assert row["cells"][name]["width"] >= minimum, f"the {name} column is {row['cells'][name]['width']} px"
    # Trimmed claims carry their full text on hover.
    first = review_queue().first()
    assert page.locator("a.rv-claim").first.get_attribute("title") == first.text
    # The filters fold away and open on request.
    assert not page.locator("#changelist-filter").is_visible()
    page.locator("#queue-filters > summary").click()
    assert page.locator("#changelist-filter").is_visible()
    page.locator("#queue-filters > summary").click()
    shoot(page, "queue")

    page.set_viewport_size(SMALL)
    for row in column_measures(page):
        for name in WHOLE_TEXT_COLUMNS:
            assert not row["cells"][name]["cut"], f"at 1024 px the {name} column cuts its text"
        assert row["cells"]["sentence"]["width"] >= 200


def test_the_seeds_show_their_outlets_in_the_queue_and_on_the_story_page(seeds_traced, login):
    alice()
    page = login("alice")
    page.goto(QUEUE_URL + "?all=")
    outlets = set(page.locator("#result_list td.field-outlet").all_inner_texts())
    assert {"RT", "ALTN News", "Novyny.LIVE"} <= outlets
    assert "unknown outlet" not in outlets
    page.locator("#result_list td.field-story a").first.click()
    page.wait_for_selector("#story-articles")
    titles = page.locator("#story-articles td.title strong").all_inner_texts()
    assert titles[0] == "The Columbian"  # the origin, first
    assert {"RT", "ALTN News", "Novyny.LIVE"} <= set(titles)
    shoot(page, "story")


def test_a_fact_checker_reviews_five_claims_in_a_row_with_the_keyboard_alone(seeds_traced, login):
    alice()
    page = login("alice")
    page.goto("/admin/")
    shoot(page, "home")
    page.goto(QUEUE_URL)
    page.keyboard.press("j")
    page.keyboard.press("k")  # back to the first claim
    assert "rv-current" in page.locator("#result_list tbody tr").first.get_attribute("class")
    page.keyboard.press("Enter")
    reviewed = []
    for n in range(5):
        page.wait_for_selector("#verdict-form")
        claim_id = int(re.search(r"/reviewqueueitem/(\d+)/change/", page.url).group(1))
        # Ready for a label: keys.js focuses it once the page's scripts have run.
        page.wait_for_function("() => document.activeElement && document.activeElement.id === 'id_label'")
        page.keyboard.press("Tab")
        page.keyboard.type(f"Checked against the origin sentence ({n + 1}).")
        page.keyboard.press("Control+Enter")
        page.wait_for_selector(".messagelist .success")
        assert "Verdict submitted for approval." in page.locator(".messagelist").inner_text()
        reviewed.append(claim_id)
        # keys.js moves the focus once the page's scripts have run, which may be after the message is in the page.
        page.wait_for_function("() => document.activeElement && document.activeElement.id === 'next-claim'")
        assert page.evaluate("() => document.activeElement.id") == "next-claim"
        if n == 0:
            assert "waiting for an editor" in page.locator("#waiting-for-editor").inner_text()
            shoot(page, "claim-submitted")
            page.locator("#next-claim").focus()
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(rf"/reviewqueueitem/(?!{claim_id}/)\d+/change/"))
    assert len(set(reviewed)) == 5
    verdicts = Verdict.objects.filter(claim_id__in=reviewed)
    assert sorted(verdicts.values_list("state", flat=True)) == ["submitted"] * 5
    assert set(verdicts.values_list("reviewer__username", flat=True)) == {"alice"}
    # They came in queue order: each claim the first open one after the one before.
    assert reviewed == list(review_queue().filter(pk__in=reviewed).values_list("pk", flat=True))


def test_every_link_of_the_claim_and_story_pages_does_what_it_says(seeds_traced, login):
    alice(), erin()
    claim = review_queue().filter(divergences__isnull=False).first()
    page = login("alice")
    page.goto(f"{QUEUE_URL}{claim.pk}/change/")
    shoot(page, "claim")

    # "full text, claim located" marks the claim's sentence and brings it into view.
    page.locator("#claim-fulltext").click()
    located = page.locator(f"mark#claim-{claim.pk}")
    located.wait_for()
    assert located.inner_text().strip() == claim.text and located.is_visible()
    assert page.locator("#fulltext mark").count() == 1
    box, height = located.bounding_box(), page.viewport_size["height"]
    assert 0 <= box["y"] <= height
    shoot(page, "fulltext")

    # The story page's "claims" link of each article lists that article's claims only.
    page.goto(f"{QUEUE_URL}{claim.pk}/change/")
    page.locator("a[href*='/reviewqueueitem/story/']").first.click()
    page.wait_for_selector("#story-articles")
    rows = page.locator("#story-articles tbody tr")
    for i in range(rows.count()):
        outlet = rows.nth(i).locator("td.title strong").inner_text()
        href = rows.nth(i).get_by_role("link", name="claims").get_attribute("href")
        article_id = int(re.search(r"article=(\d+)", href).group(1))
        expected = review_queue().filter(version__article_id=article_id).count()
        page.goto(href)
        listed = page.locator("#result_list tbody tr")
        if expected:
            assert listed.count() == min(expected, 50)
            assert set(page.locator("#result_list td.field-outlet").all_inner_texts()) == {outlet}
        page.go_back()
        page.wait_for_selector("#story-articles")

    # Once approved, the claim page links to the verdict's public page, which carries its ClaimReview.
    page.goto(f"{QUEUE_URL}{claim.pk}/change/")
    page.fill("#id_rationale", "The origin hedges; this does not.")
    page.click('button[value="submit"]')
    editor_page = login("erin")
    editor_page.goto(f"{QUEUE_URL}{claim.pk}/change/")
    editor_page.click('button[value="approve"]')
    editor_page.locator("#public-verdict").click()
    editor_page.wait_for_selector("#claimreview-jsonld", state="attached")
    assert editor_page.locator("h1").inner_text() == Claim.objects.get(pk=claim.pk).verdict.get_label_display()
    assert claim.text in editor_page.locator("#claim").inner_text()
    assert editor_page.locator("#lineage li").count() >= 2
    shoot(editor_page, "public-verdict")
    assert serious_violations(editor_page) == []


@pytest.mark.parametrize("where", ["home", "queue", "claim", "story", "fulltext"])
def test_the_review_pages_have_no_serious_accessibility_violation(seeds_traced, login, where):
    alice()
    claim = review_queue().filter(divergences__isnull=False).first()
    story_id = claim.version.article.story_membership.story_id
    urls = {
        "home": "/admin/",
        "queue": QUEUE_URL,
        "claim": f"{QUEUE_URL}{claim.pk}/change/",
        "story": f"{QUEUE_URL}story/{story_id}/",
        "fulltext": f"{QUEUE_URL}text/{claim.version_id}/?claim={claim.pk}",
    }
    page = login("alice")
    for size in (LAPTOP, SMALL):
        page.set_viewport_size(size)
        page.goto(urls[where])
        assert serious_violations(page) == [], f"{where} at {size['width']} px"
