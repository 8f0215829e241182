"""Progress bars for the long management commands: drawn with rich on the command's stderr, and only when that stream
is a terminal. Piped, redirected to a file or captured, a bar writes nothing at all (no text, no escape codes), so
scripts and logs see exactly what they saw without it.

    with progress(self.stderr, "ingest", total=len(paths)) as bar:
        for path in bar.track(paths):  # or bar.advance() / bar.update(done, total) where the work is counted
            ...
            bar.write(self.stdout, f"{path}: stored")  # a line above the bar, not through it

The engine knows nothing of bars: a long loop there (or in a service) takes an ``on_progress`` callback, and the
command passes ``bar.update`` or ``bar.advance``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.core.management.base import OutputWrapper
from rich.console import Console
from rich.control import Control, ControlType
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

T = TypeVar("T")

# At most this often the bar is redrawn (the last state is always drawn): a bar of a million steps costs little.
REDRAW_S = 0.1

_CLEAR_LINE = Control((ControlType.CARRIAGE_RETURN,), (ControlType.ERASE_IN_LINE, 2))


def is_terminal(stream) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed file
        return False


class _Unstyled:
    """A command's OutputWrapper as a plain file for rich: no line ending added, no ERROR colour around the bar."""

    def __init__(self, wrapper: OutputWrapper) -> None:
        self.wrapper = wrapper
        self.encoding = getattr(wrapper, "encoding", None) or "utf-8"

    def write(self, text: str) -> int:
        self.wrapper.write(text, style_func=lambda s: s, ending="")
        return len(text)

    def flush(self) -> None:
        self.wrapper.flush()

    def isatty(self) -> bool:
        return True


class Bar:
    """One progress bar. When its stream is not a terminal it is silent: every method then only keeps the count."""

    def __init__(self, stream, description: str, total: int | None) -> None:
        self.description, self.total, self.completed = description, total, 0
        self._progress: Progress | None = None
        self._last_draw = 0.0
        if is_terminal(stream):
            file = _Unstyled(stream) if isinstance(stream, OutputWrapper) else stream
            console = Console(file=file, force_terminal=True)
            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                auto_refresh=False,  # drawn from this thread only, so a line written above it never races a redraw
                redirect_stdout=False,  # print() and the command's stdout stay where they were
                redirect_stderr=False,
            )
            self._task = self._progress.add_task(description, total=total)

    @property
    def silent(self) -> bool:
        return self._progress is None

    def advance(self, steps: int = 1) -> None:
        self.update(self.completed + steps)

    def update(self, completed: int | None = None, total: int | None = None, *, description: str | None = None):
        """Set the count, the total (None: unchanged) and the description; ``on_progress(done, total)`` callbacks
        can be this method itself."""
        changed = (total is not None and total != self.total) or (
            description is not None and description != self.description
        )
        self.completed = self.completed if completed is None else completed
        self.total = self.total if total is None else total
        self.description = self.description if description is None else description
        if self._progress is None:
            return
        self._progress.update(self._task, completed=self.completed, total=self.total, description=self.description)
        now = time.monotonic()
        if changed or now - self._last_draw >= REDRAW_S or self.completed == self.total:
            self._progress.refresh()
            self._last_draw = now

    def track(self, items: Iterable[T]) -> Iterator[T]:
        """The items, one step counted after each is handled."""
        for item in items:
            yield item
            self.advance()

    def write(self, stream, text: str) -> None:
        """Write a line to a command's stdout or stderr while the bar is drawn: when that stream is a terminal too,
        the bar is cleared first and drawn again under the line, so the two do not run into each other."""
        if self._progress is None or not is_terminal(stream):
            stream.write(text)
            return
        self._progress.console.control(_CLEAR_LINE)
        stream.write(text)
        stream.flush()
        self._progress.refresh()

    def _start(self) -> None:
        if self._progress is not None:
            self._progress.start()  # drawn at 0 at once
            self._last_draw = time.monotonic()

    def _stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()  # the last state drawn, then a new line


@contextmanager
def progress(stream, description: str, total: int | None = None) -> Iterator[Bar]:
    """A progress bar on ``stream`` (a command's ``self.stderr``) for the duration of the block; ``total`` None is
    an unknown total, given later with ``bar.update(total=...)``. Nothing is written unless ``stream`` is a
    terminal."""
    bar = Bar(stream, description, total)
    bar._start()
    try:
        yield bar
    finally:
        bar._stop()
