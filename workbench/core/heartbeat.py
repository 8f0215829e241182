"""A heartbeat: call a function every few seconds on a background thread while some long work runs."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

logger = logging.getLogger(__name__)


class Heartbeat:
    """Calls ``beat`` every ``every_s`` seconds on a daemon thread between ``start`` and ``stop`` (or inside ``with``).

    ``beat`` returns False to say the work it vouches for is no longer ours (``lost`` is then set and the beats stop);
    an exception in ``beat`` is logged and the next beat tries again. ``on_exit`` runs on the thread as it ends (to
    close what the thread opened, such as its database connection). The thread dies with its process, which is the
    point: a killed worker stops beating.
    """

    def __init__(
        self, beat: Callable[[], bool], *, every_s: float, name: str, on_exit: Callable[[], None] | None = None
    ) -> None:
        self.beat, self.every_s, self.on_exit = beat, every_s, on_exit
        self.lost = threading.Event()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def _run(self) -> None:
        try:
            while not self._stopped.wait(self.every_s):
                try:
                    if not self.beat():
                        self.lost.set()
                        return
                except Exception:  # a failed beat is retried at the next one; the lease gives it time
                    logger.warning("event=heartbeat_failed thread=%s", self._thread.name, exc_info=True)
        finally:
            if self.on_exit is not None:
                self.on_exit()

    def start(self) -> Heartbeat:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop beating and wait for a beat in flight to end, so nothing is written after the work is over."""
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join()

    def __enter__(self) -> Heartbeat:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
