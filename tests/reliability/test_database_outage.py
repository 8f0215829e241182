"""While PostgreSQL is unreachable the web app answers 503 (API error shape or a short page), never a 500, and it
recovers by itself when the database comes back.

A real gunicorn serves the app; its database connection goes through a TCP relay on 127.0.0.1 that the test cuts
(closing the listener and every relayed connection) and restores.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from tests import factories
from tests.loopback import free_port
from tests.reliability.workers import gunicorn_serving
from workbench.api.services import api_token_create

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

RECOVER_S = 20.0


class TcpRelay:
    """Relays 127.0.0.1:port to a target address; cut() drops the listener and every open connection."""

    def __init__(self, target: tuple[str, int], port: int) -> None:
        self.target, self.port = target, port
        self.listener: socket.socket | None = None
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        if self.listener is not None:
            try:
                self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept(); close() alone does not
            except OSError:
                pass
            self.listener.close()
            self.listener = None
        with self.lock:
            for s in self.sockets:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
            self.sockets.clear()


def _get(url: str, headers: dict[str, str]) -> tuple[int, str, str, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310 - loopback only
            return (
                response.status,
                response.headers.get("Content-Type", ""),
                response.read().decode(),
                dict(response.headers),
            )
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read().decode(), dict(exc.headers)


@pytest.fixture
def app_through_relay(transactional_db, tmp_path: Path):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the app under test shares the test database")
    db = settings.DATABASES["default"]
    relay = TcpRelay((db.get("HOST") or "127.0.0.1", int(db.get("PORT") or 5432)), free_port())
    relay.start()
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db.get('USER') or 'postgres'}@127.0.0.1:{relay.port}/{db['NAME']}",
        "SECRET_KEY": settings.SECRET_KEY,
        "CELERY_BROKER_URL": "",
        "STATIC_MANIFEST": "false",
        "DB_CONN_MAX_AGE_S": "60",
    }
    args = ["--workers", "1", "--bind", f"127.0.0.1:{port}", "--timeout", "30"]
    try:
        with gunicorn_serving(args=args, env=env, port=port, log_path=tmp_path / "gunicorn.log") as base:
            yield base, relay
    finally:
        relay.cut()


def test_the_site_answers_503_while_the_database_is_unreachable_and_recovers_by_itself(app_through_relay):
    base, relay = app_through_relay
    erin = factories.erin()
    key = api_token_create(user=erin, name="t", scopes=["read"]).key
    browser = Client()
    browser.force_login(erin)
    session = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"}
    api = {"Authorization": f"Token {key}", "Accept": "application/json"}
    pages = {"api": (f"{base}/api/v1/claims/", api), "admin": (f"{base}/admin/review/reviewqueueitem/", session)}

    for name, (url, headers) in pages.items():
        assert _get(url, headers)[0] == 200, name

    relay.cut()
    for name, (url, headers) in pages.items():
        status, content_type, body, response_headers = _get(url, headers)
        assert status == 503, (name, status, body[:300])
        assert response_headers.get("Retry-After") == "30"
        if name == "api":
            assert json.loads(body)["error"]["code"] == "service_unavailable"
        else:
            assert content_type.startswith("text/html") and "Service unavailable" in body

    relay.start()
    deadline = time.monotonic() + RECOVER_S
    statuses: dict[str, int] = {}
    while time.monotonic() < deadline:
        statuses = {name: _get(url, headers)[0] for name, (url, headers) in pages.items()}
        if set(statuses.values()) == {200}:
            break
        assert set(statuses.values()) <= {200, 503}, statuses
        time.sleep(0.5)
    assert statuses == {"api": 200, "admin": 200}
