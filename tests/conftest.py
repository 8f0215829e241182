from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_DIR = Path(__file__).resolve().parent.parent
SEEDS_DIR = REPO_DIR / "fixtures" / "seeds"
UNDER_CI = os.environ.get("CI", "").lower() == "true"

# The `celery_on_redis` fixture: real Celery workers for tests marked integration.
pytest_plugins = ["tests.reliability.workers"]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI=true a skipped test is a failure: CI must exercise every integration it claims to."""
    outcome = yield
    report = outcome.get_result()
    if UNDER_CI and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, which is not allowed: {report.longrepr}"


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Tests render admin pages without a collectstatic manifest."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Factories hash a password per user; the production hasher's cost is not what the tests measure."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def seed_paths() -> list[Path]:
    return sorted(SEEDS_DIR.glob("*.txt"))


@pytest.fixture(autouse=True)
def _celery_eager_unless_integration(request):
    """Under CI the broker URL is set for the whole suite; only tests marked integration talk to real workers."""
    from workbench.celery import app

    if request.node.get_closest_marker("integration"):
        yield
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _fetcher_connects_to_loopback_only(monkeypatch):
    """A second line behind the fetcher's own guard: in tests its real connection may reach 127.0.0.1 / ::1 only."""
    import ipaddress

    from workbench.core import fetch

    real_connect = fetch.urllib3_connect

    def loopback_only(**kwargs):
        if not ipaddress.ip_address(kwargs["ip"]).is_loopback:
            raise AssertionError(f"a test tried to connect to {kwargs['ip']}: tests may reach loopback only")
        return real_connect(**kwargs)

    monkeypatch.setattr(fetch, "urllib3_connect", loopback_only)
