"""A CPU-time budget for one piece of work in a worker process.

The kernel counts a process's CPU seconds (RLIMIT_CPU) and sends SIGXCPU when the soft limit is passed; the handler
turns that into CpuTimeExceeded, which the job runner records as the job's failure. Wall-clock limits (Celery's time
limits) do not tell a runaway computation from a slow database; this does. Only the main thread receives signals, so
elsewhere (a web server's threads, which never run jobs) the budget is not enforced.
"""

from __future__ import annotations

import resource
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from workbench.core.errors import WorkbenchError


class CpuTimeExceeded(WorkbenchError):
    """The work used more CPU time than its budget and was stopped."""


def cpu_seconds_used() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@contextmanager
def cpu_time_limit(seconds: float | None, *, what: str = "the work") -> Iterator[None]:
    """Raise CpuTimeExceeded inside the block once it has used about ``seconds`` more CPU seconds (whole seconds,
    rounded up). No limit when ``seconds`` is falsy or outside the main thread. Restores the previous limit."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    budget = int(cpu_seconds_used() + seconds) + 1
    if hard != resource.RLIM_INFINITY:
        budget = min(budget, hard)

    def stop(signum, frame):
        raise CpuTimeExceeded(f"{what} used more than {seconds:g} s of CPU time and was stopped")

    previous = signal.signal(signal.SIGXCPU, stop)
    resource.setrlimit(resource.RLIMIT_CPU, (budget, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
        signal.signal(signal.SIGXCPU, previous)
