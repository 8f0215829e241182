"""The commands' progress bar: drawn on a real terminal up to its total, with lines written above it intact, and not
one byte when the stream is a pipe or a string."""

from __future__ import annotations

import io
import os

from django.core.management.base import OutputWrapper

from tests.pseudo_terminal import PseudoTerminal, bar_counts, frames
from workbench.core.progress import progress


def test_on_a_terminal_the_bar_counts_up_to_its_total_under_the_lines_written_above_it():
    with PseudoTerminal() as terminal:
        stderr = OutputWrapper(terminal.stream)
        stderr.style_func = lambda text: f"\x1b[31m{text}\x1b[0m"  # as a command colours its stderr on a terminal
        with progress(stderr, "ingest", total=3) as bar:
            for n in bar.track(range(3)):
                bar.write(stderr, f"file {n}: stored")
    counts = bar_counts(terminal.text, "ingest")
    assert counts[0] == "0/3" and counts[-1] == "3/3"
    assert set(counts) <= {"0/3", "1/3", "2/3", "3/3"}
    # Each line stands on its own, once, never run into a frame of the bar.
    assert [f for f in frames(terminal.text) if "file" in f] == ["file 0: stored", "file 1: stored", "file 2: stored"]
    # The bar is not dressed in the stream's error colour; the line written through the stream is.
    assert "\x1b[31mingest" not in terminal.text and "\x1b[31mfile 0: stored" in terminal.text
    assert terminal.text.endswith("\n\x1b[?25h")  # the bar ends its line and shows the cursor it hid


def test_an_unknown_total_is_shown_as_such_until_it_is_known():
    with PseudoTerminal() as terminal:
        with progress(OutputWrapper(terminal.stream), "trace job 7 queued") as bar:
            bar.update(0, None, description="trace job 7 running")
            bar.update(2, 4, description="trace job 7 running")
            bar.update(4, 4, description="trace job 7 done")
    assert bar_counts(terminal.text, "trace job 7 queued") == ["0/?"]
    assert bar_counts(terminal.text, "trace job 7 done")[-1] == "4/4"


def test_on_a_string_or_a_pipe_nothing_is_written_but_the_lines():
    captured = io.StringIO()
    read_end, write_end = os.pipe()
    with os.fdopen(write_end, "w") as pipe:
        for stream in (OutputWrapper(captured), OutputWrapper(pipe)):
            with progress(stream, "ingest", total=3) as bar:
                assert bar.silent
                for n in bar.track(range(3)):
                    bar.write(stream, f"file {n}")
            assert bar.completed == 3  # the count is kept all the same
    with os.fdopen(read_end) as piped:
        assert piped.read() == "file 0\nfile 1\nfile 2\n"
    assert captured.getvalue() == "file 0\nfile 1\nfile 2\n"
