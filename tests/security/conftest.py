"""The browser fixtures (chromium via Playwright against the live server) shared with tests/browser."""

from tests.browser.conftest import browser, login  # noqa: F401
