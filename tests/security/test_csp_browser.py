"""In a real browser, under the site's Content-Security-Policy: Swagger UI runs, and the admin and the review pages
work with no policy violation. Hostile stored text is shown as text, never run."""

from __future__ import annotations

import pytest

from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>'


def _watch(page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    return problems


def test_swagger_ui_runs_under_the_policy(login):
    factories.erin()
    page = login("erin")
    problems = _watch(page)
    page.goto("/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "Provenance workbench API" in page.locator(".swagger-ui .info .title").inner_text()
    page.wait_for_selector(".opblock-tag")
    assert page.locator(".opblock-tag").count() >= 5
    assert page.get_by_text("/api/v1/verdicts/{id}/approve/").count() == 1
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems


def test_review_pages_run_under_the_policy_and_show_hostile_text_as_text(login):
    factories.erin()
    version = factories.ArticleVersionFactory(clean_text=f"Plain start. {HOSTILE} Plain end.")
    claim = factories.ClaimFactory(version=version, position=0, start=0, text=f"A claim {HOSTILE}", label="altered")
    page = login("erin")
    problems = _watch(page)
    for path in (
        "/admin/review/reviewqueueitem/",
        f"/admin/review/reviewqueueitem/{claim.pk}/change/",
        f"/admin/review/reviewqueueitem/text/{version.pk}/",
    ):
        page.goto(path)
        page.wait_for_load_state("load")
        assert page.evaluate("window.__pwned") is None, path
        assert page.locator("img[src=x]").count() == 0, path
    page.goto(f"/admin/review/reviewqueueitem/{claim.pk}/change/")
    assert "<script>window.__pwned=1</script>" in page.content().replace("&lt;", "<").replace("&gt;", ">")
    assert not [p for p in problems if "Content Security Policy" in p], problems
