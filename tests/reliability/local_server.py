"""A page server on 127.0.0.1 for tests: routes are set per test, requests are recorded, a route can block."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.loopback import LoopbackServer, QuietHandler

TRICKLE_EVERY_S = 2.0  # well inside the fetcher's read timeout, so a trickling page is slow, never stalled
TRICKLE_MAX_S = 120.0


@dataclass
class Page:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/plain; charset=utf-8"})
    gate: threading.Event | None = None  # when set, the response waits until the event is set
    # When set: the headers and then the body one byte every TRICKLE_EVERY_S until the event is set, then the rest.
    trickle_until: threading.Event | None = None


@dataclass
class Received:
    path: str
    headers: dict[str, str]


class LocalPageServer(LoopbackServer):
    def __init__(self) -> None:
        self.routes: dict[str, Page | Callable[[Received], Page]] = {}
        self.received: list[Received] = []
        self.arrived = threading.Event()
        server = self

        class Handler(QuietHandler):
            def do_GET(self):  # noqa: N802
                request = Received(path=self.path, headers={k.lower(): v for k, v in self.headers.items()})
                server.received.append(request)
                server.arrived.set()
                route = server.routes.get(self.path)
                page = route(request) if callable(route) else route
                if page is None:
                    page = Page(status=404, body=b"not found")
                if page.gate is not None:
                    page.gate.wait(timeout=60)
                self.send_response(page.status)
                for name, value in page.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(page.body)))
                self.end_headers()
                try:
                    body = page.body
                    if page.trickle_until is not None:
                        for _ in range(int(TRICKLE_MAX_S / TRICKLE_EVERY_S)):
                            if page.trickle_until.wait(TRICKLE_EVERY_S) or len(body) <= 1:
                                break
                            self.wfile.write(body[:1])
                            self.wfile.flush()
                            body = body[1:]
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        super().__init__(Handler)
