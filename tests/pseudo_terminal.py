"""A real pseudo-terminal for the length of a `with` block: its slave end is the stream a command writes to (or a
subprocess's stderr), and a thread drains its master end, so a full terminal buffer never blocks the writer.

`bar_counts(text, description)` reads what a progress bar drew: the `done/total` of each frame it showed."""

from __future__ import annotations

import os
import re
import threading

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class PseudoTerminal:
    def __init__(self) -> None:
        self._master, self.slave_fd = os.openpty()
        self.stream = os.fdopen(self.slave_fd, "w", encoding="utf-8", closefd=False)
        self._chunks: list[bytes] = []
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self.text = ""

    def _drain(self) -> None:
        while True:
            try:
                chunk = os.read(self._master, 65536)
            except OSError:  # EIO: the slave end is closed and everything written has been read
                return
            if not chunk:
                return
            self._chunks.append(chunk)

    def __enter__(self) -> PseudoTerminal:
        self._reader.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stream.close()
        os.close(self.slave_fd)
        self._reader.join(timeout=10)
        os.close(self._master)
        self.text = b"".join(self._chunks).decode("utf-8", errors="replace")


def frames(text: str) -> list[str]:
    """What a terminal showed line by line and redraw by redraw: escape codes out, split at every CR and LF."""
    return [frame.strip() for frame in re.split(r"[\r\n]", ANSI.sub("", text)) if frame.strip()]


def bar_counts(text: str, description: str) -> list[str]:
    """The `done/total` of every frame of the bar labelled `description` (`?` for an unknown total)."""
    bar = re.compile(rf"^{re.escape(description)} [━╸╺ ]+ *(\d+/(?:\d+|\?)) \d+:\d\d:\d\d$")
    return [m.group(1) for m in map(bar.match, frames(text)) if m]
