"""The browser fixtures (chromium via Playwright against the live server) shared with tests/browser, and the rows
stored before a hostile input arrives."""

import pytest

from tests.browser.conftest import browser, login  # noqa: F401
from tests.conftest import SEEDS_DIR
from tests.security.snapshots import snapshot
from workbench.sources.services import article_ingest_file


@pytest.fixture
def stored(db) -> dict[str, str]:
    """Two seed articles already stored; returns the snapshot taken before the hostile input arrives."""
    for path in sorted(SEEDS_DIR.glob("*.txt"))[:2]:
        article_ingest_file(path=path)
    before = snapshot()
    assert len(before) > 10
    return before
