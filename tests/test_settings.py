"""The one settings module, in its embedded default and its production configuration."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO_DIR

PROBE = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], 'name': str(s.DATABASES['default']['NAME']), "
    "'eager': s.CELERY_TASK_ALWAYS_EAGER, 'broker': s.CELERY_BROKER_URL, 'debug': s.DEBUG, "
    "'hosts': s.ALLOWED_HOSTS, 'secure_cookies': s.SESSION_COOKIE_SECURE}))"
)
CONFIG_VARS = (
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CACHE_URL",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "HTTPS",
    "WORKBENCH_VAR_DIR",
    "SECURE_HSTS_SECONDS",
)


def run_with(env: dict[str, str], *args: str, tmp_path) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in CONFIG_VARS}
    clean.update({"DJANGO_SETTINGS_MODULE": "workbench.settings", "WORKBENCH_VAR_DIR": str(tmp_path)}, **env)
    return subprocess.run([sys.executable, *args], cwd=REPO_DIR, env=clean, capture_output=True, text=True, timeout=60)


def probe(env: dict[str, str], tmp_path) -> dict:
    result = run_with(env, "-c", PROBE, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_with_nothing_set_it_runs_embedded_on_sqlite_with_eager_celery(tmp_path):
    config = probe({}, tmp_path)
    assert config["engine"] == "django.db.backends.sqlite3"
    assert config["name"] == str(tmp_path / "workbench.sqlite3")
    assert config["eager"] is True
    assert config["debug"] is False
    assert config["hosts"] == ["127.0.0.1", "localhost", "[::1]"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_database_and_broker_urls_switch_to_postgres_and_real_workers(tmp_path):
    config = probe(
        {"DATABASE_URL": "postgres://wb:pw@db.internal:5432/workbench", "CELERY_BROKER_URL": "redis://cache:6379/1"},
        tmp_path,
    )
    assert config["engine"] == "django.db.backends.postgresql"
    assert config["name"] == "workbench"
    assert config["eager"] is False
    assert config["broker"] == "redis://cache:6379/1"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG must be one of"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY must be at least 50 characters"),
        ({"CELERY_TASK_TIME_LIMIT_S": "soon"}, "CELERY_TASK_TIME_LIMIT_S must be an integer"),
        ({"DATABASE_URL": "nonsense://x"}, "DATABASE_URL is not a database URL"),
        ({"CACHE_URL": "memcached://cache:11211"}, "CACHE_URL must be a redis://"),
    ],
)
def test_malformed_values_are_refused_at_start_up(env, message, tmp_path):
    result = run_with(env, "-c", PROBE, tmp_path=tmp_path)
    assert result.returncode != 0
    assert message in result.stderr


def test_check_deploy_is_clean_in_the_production_configuration(tmp_path):
    env = {
        "DEBUG": "false",
        "SECRET_KEY": "kq3-Zr8vT1pX0wLm9yBn4cJd7hFs2gAe6uQi5oKt_WxVzR1yP8nM3bC",
        "ALLOWED_HOSTS": "workbench.newsroom.example",
        "HTTPS": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    }
    result = run_with(env, "manage.py", "check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("engine", ["sqlite", "postgres"])
def test_the_embedded_and_the_production_database_pass_the_database_checks_without_warnings(engine, tmp_path):
    url = f"sqlite:///{tmp_path / 'checks.sqlite3'}" if engine == "sqlite" else os.environ.get("DATABASE_URL", "")
    if engine == "postgres" and not url.startswith("postgres"):
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")
    result = run_with(
        {"DATABASE_URL": url},
        "manage.py",
        "check",
        "--database",
        "default",
        "--fail-level",
        "WARNING",
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_complains_when_https_is_not_declared(tmp_path):
    env = {
        "DEBUG": "false",
        "SECRET_KEY": "kq3-Zr8vT1pX0wLm9yBn4cJd7hFs2gAe6uQi5oKt_WxVzR1yP8nM3bC",
        "ALLOWED_HOSTS": "workbench.newsroom.example",
    }
    result = run_with(env, "manage.py", "check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path)
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout


def test_a_cache_url_shares_the_cache_and_turns_on_remembered_tokens(tmp_path):
    probe_cache = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.CACHES['default']['BACKEND'], s.API_TOKEN_CACHE_S]))"
    )
    for env, expected in (
        ({}, ["django.core.cache.backends.locmem.LocMemCache", 0]),
        ({"CACHE_URL": "redis://:pw@cache:6379/1"}, ["django.core.cache.backends.redis.RedisCache", 60]),
    ):
        result = run_with(env, "-c", probe_cache, tmp_path=tmp_path)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout) == expected


def test_a_trace_job_heartbeat_slower_than_half_its_lease_is_refused_at_start_up(tmp_path):
    result = run_with({"TRACE_JOB_LEASE_S": "30", "TRACE_JOB_HEARTBEAT_S": "20"}, "-c", PROBE, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "TRACE_JOB_HEARTBEAT_S=20 must be at most half of TRACE_JOB_LEASE_S=30" in result.stderr
    assert probe({"TRACE_JOB_LEASE_S": "30", "TRACE_JOB_HEARTBEAT_S": "15"}, tmp_path)["eager"] is True
