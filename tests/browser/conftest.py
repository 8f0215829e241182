"""Playwright against pytest-django's live server, with Debian's chromium. The browser talks to 127.0.0.1 only."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.db import connections

CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS_DIR = Path(__file__).resolve().parents[2] / "test-artifacts"
PAGE_TIMEOUT_MS = 15_000


@pytest.fixture
def browser(monkeypatch):
    """A headless chromium. Playwright's sync API runs an event loop in this thread, so Django's ORM calls made by
    the test itself need DJANGO_ALLOW_ASYNC_UNSAFE (the live server answers from its own thread). While that loop
    runs, Django keeps this thread's connections apart from those it has without it (asgiref's Local), so they are
    closed here, before the loop ends: the test database's teardown would otherwise find them still open."""
    if not Path(CHROMIUM_PATH).exists():
        pytest.skip(f"{CHROMIUM_PATH} is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            connections.close_all()
            instance.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def login(browser, live_server):
    """Open a fresh browser context logged in as `username` (password from UserFactory)."""
    contexts = []

    def _login(username: str, password: str = "correct horse battery staple"):
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, base_url=live_server.url)
        context.route(lambda url: not url.startswith(live_server.url), lambda route: route.abort())
        context.set_default_timeout(PAGE_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.goto("/admin/login/?next=/admin/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("input[type=submit]")
        page.wait_for_url("**/admin/")
        return page

    yield _login
    for context in contexts:
        context.close()
