"""The outlet scorecard page in a browser: the chart, the table sorted by a click on a column, the CSV link."""

from __future__ import annotations

import pytest

from tests import factories
from tests.browser.conftest import ARTIFACTS_DIR
from tests.provenance.scorecard_data import archive

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_editor_reads_the_scorecards_sorts_them_and_finds_the_csv(login):
    archive()
    factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    page = login("root")
    page.goto("/admin/sources/outlet/scorecard/")
    assert page.locator("#scorecard-chart g.sc-bar").count() == 2
    page.click("#scorecard-table th[data-key=share_altered] a")
    page.click("#scorecard-table th[data-key=share_altered] a")  # the second click sorts the other way
    first = page.locator("#scorecard-table tbody tr").first.locator("td").first.inner_text()
    assert first == "Gazette"  # half its claims altered, the highest share
    assert "sort=-share_altered" in page.url
    page.screenshot(path=str(ARTIFACTS_DIR / "outlet-scorecard.png"), full_page=True)
    with page.expect_download() as download:
        page.click("#scorecard-csv")
    assert download.value.suggested_filename == "outlet-scorecards.csv"
