"""A newcomer's `manage.py runserver` with the default settings (DEBUG off): it stops at start-up with one line
saying what to do while the static files are not collected, and serves the pages once they are."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

from tests.conftest import REPO_DIR
from workbench.core.checks import STATIC_NOT_COLLECTED

START_TIMEOUT_S = 60


def _env(tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL", "STATIC_MANIFEST"}}
    env.update(
        {
            "WORKBENCH_VAR_DIR": str(tmp_path / "var"),
            "STATIC_ROOT": str(tmp_path / "static"),
            "PYTHONPATH": str(REPO_DIR),
        }
    )
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _manage(*args: str, env: dict[str, str], timeout_s: int = START_TIMEOUT_S) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO_DIR, env=env, capture_output=True, text=True, timeout=timeout_s
    )


def test_runserver_without_collected_static_files_stops_and_says_what_to_do(tmp_path):
    result = _manage("runserver", f"127.0.0.1:{_free_port()}", "--noreload", env=_env(tmp_path))
    assert result.returncode != 0
    assert STATIC_NOT_COLLECTED in result.stderr
    assert "collectstatic --noinput" in STATIC_NOT_COLLECTED and "DEBUG=true" in STATIC_NOT_COLLECTED


def test_runserver_serves_the_admin_once_the_static_files_are_collected(tmp_path):
    env = _env(tmp_path)
    assert _manage("migrate", "--noinput", env=env).returncode == 0
    assert _manage("collectstatic", "--noinput", env=env).returncode == 0
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=REPO_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login/", timeout=5) as response:
                    status, body = response.status, response.read().decode()
                break
            except OSError:
                assert server.poll() is None, f"runserver stopped: {server.stderr.read()}"
                assert time.monotonic() < deadline, "runserver did not answer"
                time.sleep(0.3)
        assert status == 200 and "Provenance workbench" in body
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/review/review.css", timeout=5) as response:
            assert response.status == 200
    finally:
        server.terminate()
        server.wait(timeout=10)
