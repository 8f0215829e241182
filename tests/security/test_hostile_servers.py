"""Hostile servers against the fetcher: zip bombs, slow-loris trickles, redirect loops and redirects to private
addresses. Servers run on 127.0.0.1 only; refused addresses come from injected resolvers and are never contacted."""

from __future__ import annotations

import socket
import threading
import time
import tracemalloc
import zlib

import pytest

from tests.core.test_fetch import NeverConnect, ScriptedConnect, resolver_for
from tests.security.snapshots import assert_untouched
from workbench.core.fetch import DomainThrottle, FetchFailed, FetchUnavailable, UrlRefused, fetch_url

BOMB_INFLATED_BYTES = 1024 * 1024 * 1024  # 1 GiB of zeros, about 1 MiB gzipped
FETCH_LIMIT_BYTES = 1024 * 1024
TRICKLE_INTERVAL_S = 0.2
TRICKLE_FOR_S = 12.0
DEADLINE_S = 1.0


def _gzip_bomb() -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1024 * 1024)
    parts = [compressor.compress(block) for _ in range(BOMB_INFLATED_BYTES // len(block))]
    parts.append(compressor.flush())
    return b"".join(parts)


class RawServer:
    """One-connection-at-a-time socket server on 127.0.0.1 whose answer is written by `respond(conn)`."""

    def __init__(self, respond) -> None:
        self.respond = respond
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            with conn:
                try:
                    conn.recv(65536)
                    self.respond(conn, self.stopped)
                except OSError:
                    pass

    def __enter__(self) -> RawServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        self.thread.join(5)
        self.sock.close()

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return _gzip_bomb()


def _bomb_page(bomb: bytes):
    def respond(conn, stopped):
        head = (
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n"
            f"Content-Length: {len(bomb)}\r\n\r\n"
        )
        conn.sendall(head.encode() + bomb)

    return respond


def _redirect_to(location: str):
    def respond(conn, stopped):
        conn.sendall(
            f"HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode()
        )

    return respond


def test_a_gzip_bomb_is_refused_at_the_size_limit_without_inflating_it(settings, bomb):
    with RawServer(_bomb_page(bomb)) as server:
        settings.FETCH_TEST_ALLOW_LOOPBACK = [f"127.0.0.1:{server.port}"]
        tracemalloc.start()
        try:
            with pytest.raises(FetchFailed, match="too large"):
                fetch_url(server.url(), max_bytes=FETCH_LIMIT_BYTES, throttle=DomainThrottle(0))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert len(bomb) < 2 * FETCH_LIMIT_BYTES
    assert peak < 16 * FETCH_LIMIT_BYTES, f"peak {peak:,} bytes while refusing a {BOMB_INFLATED_BYTES:,}-byte bomb"


def _trickle(conn, stopped):
    """A byte every TRICKLE_INTERVAL_S of a page small enough for any size limit: only a deadline stops it."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 4000\r\n\r\n")
    until = time.monotonic() + TRICKLE_FOR_S
    while time.monotonic() < until and not stopped.is_set():
        conn.sendall(b"a")
        time.sleep(TRICKLE_INTERVAL_S)


def test_a_slow_loris_server_is_cut_off_at_the_fetch_deadline(settings):
    outcome: dict = {}

    def fetch() -> None:
        try:
            fetch_url(server.url(), total_timeout_s=DEADLINE_S, throttle=DomainThrottle(0))
        except Exception as exc:  # noqa: BLE001 - the test inspects what was raised
            outcome["error"] = exc

    with RawServer(_trickle) as server:
        settings.FETCH_TEST_ALLOW_LOOPBACK = [f"127.0.0.1:{server.port}"]
        worker = threading.Thread(target=fetch, daemon=True)
        worker.start()
        # The server trickles for TRICKLE_FOR_S; a fetcher that honours its deadline has returned well before that.
        worker.join(TRICKLE_FOR_S / 2)
        finished_while_trickling = not worker.is_alive()
    assert finished_while_trickling, "the fetcher kept reading a trickle past its deadline"
    assert isinstance(outcome.get("error"), FetchUnavailable)
    assert "took longer than" in str(outcome["error"])


def test_a_redirect_loop_on_a_real_server_is_refused(settings):
    with RawServer(_redirect_to("/again")) as server:
        settings.FETCH_TEST_ALLOW_LOOPBACK = [f"127.0.0.1:{server.port}"]
        with pytest.raises(FetchFailed, match="redirects"):
            fetch_url(server.url("/start"), max_redirects=3, throttle=DomainThrottle(0))


def test_a_local_redirect_to_a_private_address_is_refused_before_connecting(settings):
    def respond(conn, stopped):
        conn.sendall(b"HTTP/1.1 301 Moved\r\nLocation: http://intranet.example/admin\r\nContent-Length: 0\r\n\r\n")

    with RawServer(respond) as server:
        settings.FETCH_TEST_ALLOW_LOOPBACK = [f"127.0.0.1:{server.port}"]
        resolver = resolver_for({"127.0.0.1": ["127.0.0.1"], "intranet.example": ["10.1.2.3"]})
        with pytest.raises(UrlRefused):
            fetch_url(server.url("/"), resolver=resolver, throttle=DomainThrottle(0))
        assert resolver.calls[-1] == "intranet.example"


@pytest.mark.parametrize("target", ["http://169.254.169.254/latest/meta-data/", "http://[fd00::1]/", "http://0.0.0.0/"])
def test_redirects_to_metadata_and_private_literals_are_refused(target):
    connect = ScriptedConnect({("93.184.216.34", "/"): (302, {"location": target}, b"")})
    with pytest.raises(UrlRefused):
        fetch_url(
            "http://news.example/",
            resolver=resolver_for({"news.example": ["93.184.216.34"]}),
            connect=connect,
            throttle=DomainThrottle(0),
        )
    assert len(connect.calls) == 1


def test_a_name_that_rebinds_to_loopback_is_refused():
    resolver = resolver_for({"rebind.example": ["127.0.0.1"]})
    with pytest.raises(UrlRefused):
        fetch_url("http://rebind.example:6379/", resolver=resolver, connect=NeverConnect(), throttle=DomainThrottle(0))


# ------------------------------------------------------------------------------------------- through the API


def _large_page(bomb: bytes):
    body = ("<p>The minister said the talks would resume next week after a long pause.</p>" * 200).encode()

    def respond(conn, stopped):
        conn.sendall(
            f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body
        )

    return respond


# page: (server, words the job's error must hold, attempts the job takes)
HOSTILE_PAGES = {
    "gzip bomb": (_bomb_page, "too large", 1),
    "page over INGEST_MAX_BYTES": (_large_page, "is too large", 1),  # refused by the fetcher, as it arrives
    "redirect loop": (lambda bomb: _redirect_to("/again"), "redirects", 1),
    "redirect to a private address": (lambda bomb: _redirect_to("http://intranet.example/admin"), "10.1.2.3", 1),
    # Transient: tried again up to the attempts cap, each attempt cut off at FETCH_TIMEOUT_S.
    "slow loris": (lambda bomb: _trickle, "took longer than 1", 2),
}


@pytest.mark.parametrize("page", list(HOSTILE_PAGES))
def test_a_hostile_page_submitted_through_the_api_ends_its_job_failed_naming_why(
    page, stored, bomb, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from rest_framework.test import APIClient

    from tests import factories
    from workbench.api.services import api_token_create
    from workbench.core import fetch
    from workbench.sources.models import Article

    respond, reason, attempts = HOSTILE_PAGES[page]
    settings.FETCH_DOMAIN_INTERVAL_S = 0
    settings.FETCH_TIMEOUT_S = 1
    settings.INGEST_MAX_BYTES = 8 * 1024
    settings.TRACE_JOB_MAX_ATTEMPTS = 2
    monkeypatch.setattr(
        fetch, "system_resolver", resolver_for({"127.0.0.1": ["127.0.0.1"], "intranet.example": ["10.1.2.3"]})
    )
    client = APIClient()
    tom = factories.UserFactory(username="tom")
    client.credentials(
        HTTP_AUTHORIZATION=f"Token {api_token_create(user=tom, name='t', scopes=['read', 'submit']).key}"
    )
    articles_before = Article.objects.count()
    with RawServer(respond(bomb)) as server:
        settings.FETCH_TEST_ALLOW_LOOPBACK = [f"127.0.0.1:{server.port}"]
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/api/v1/articles/", {"url": server.url("/start")}, format="json")
        took_s = time.monotonic() - started
    assert response.status_code == 202, response.content
    job = client.get(response.json()["job_url"]).json()
    assert job["state"] == "failed" and reason in job["error"], job
    assert job["attempts"] == attempts, job
    assert took_s < TRICKLE_FOR_S, "no attempt may outlast its fetch deadline"
    assert Article.objects.count() == articles_before
    assert_untouched(stored)
