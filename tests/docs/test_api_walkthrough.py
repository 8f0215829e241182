"""The REST walk-through in docs/api.md runs as written on a fresh demo database: `demo_prepare`, the development
server on 127.0.0.1, then the documented block in bash. It reads every id from the answers, so no database's ids
are baked into the document."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request

from tests.conftest import REPO_DIR

API_DOC = REPO_DIR / "docs" / "api.md"
STEP_TIMEOUT_S = 180
START_TIMEOUT_S = 60


def walkthrough_block() -> str:
    """The sh block between the walkthrough markers of docs/api.md."""
    text = API_DOC.read_text()
    marked = re.search(r"<!-- walkthrough:start -->\s*```sh\n(.*?)```\s*<!-- walkthrough:end -->", text, re.DOTALL)
    assert marked, "docs/api.md has no walk-through block between its markers"
    return marked.group(1)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_documented_walkthrough_runs_on_a_fresh_demo_database(tmp_path):
    block = walkthrough_block()
    assert not re.search(r"/(?:jobs|claims|verdicts|stories)/\d+/", block), "the walk-through hard-codes an id"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL"}}
    env.update({"DEBUG": "true", "WORKBENCH_VAR_DIR": str(tmp_path / "var"), "PYTHONPATH": str(REPO_DIR)})
    for command in (["migrate", "--noinput"], ["demo_prepare"]):
        done = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=REPO_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=STEP_TIMEOUT_S,
        )
        assert done.returncode == 0, done.stderr
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=REPO_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                urllib.request.urlopen(f"{base}/admin/login/", timeout=5).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "the demo server did not start"
                time.sleep(0.3)
        walk = subprocess.run(
            ["bash", "-c", block],
            cwd=REPO_DIR,
            env={**env, "B": base},
            capture_output=True,
            text=True,
            timeout=STEP_TIMEOUT_S,
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert walk.returncode == 0, f"the walk-through stopped:\n{walk.stdout[-3000:]}\n{walk.stderr[-3000:]}"
    out = walk.stdout
    assert '"username":"demo"' in out
    assert '"state":"done"' in out and '"state":"failed"' not in out
    assert '"state":"approved"' in out and '"approver":"demo-editor"' in out
    assert '"@type":"ClaimReview"' in out and "/review/verdicts/" in out
    assert "public page: 200" in out
