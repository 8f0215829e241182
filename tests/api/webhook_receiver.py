"""A webhook receiver on 127.0.0.1 for tests: answers POSTs with scripted status codes and records each call."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from tests.loopback import LoopbackServer, QuietHandler


@dataclass
class Call:
    path: str
    headers: dict[str, str]
    body: bytes


class WebhookReceiver(LoopbackServer):
    def __init__(self, statuses: list[int] | None = None) -> None:
        self.statuses = list(statuses or [])
        self.calls: list[Call] = []
        self.arrived = threading.Event()
        receiver = self

        class Handler(QuietHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                receiver.calls.append(Call(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                status = receiver.statuses.pop(0) if receiver.statuses else 204
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
                receiver.arrived.set()

        super().__init__(Handler)

    def url(self, path: str = "/hook") -> str:
        return super().url(path)
