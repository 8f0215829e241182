"""What every app's Celery tasks share: one log line per run, the retry backoff, and sending a task by its name."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

from celery import current_app
from celery.utils.time import get_exponential_backoff_interval

logger = logging.getLogger("workbench.tasks")

RETRY_BACKOFF_FACTOR_S = 5
RETRY_BACKOFF_MAX_S = 300
# Celery's own retry backoff, for tasks that retry with autoretry_for: the delays backoff_s gives.
# https://docs.celeryq.dev/en/stable/userguide/tasks.html#automatic-retry-for-known-exceptions
RETRY_BACKOFF = {
    "retry_backoff": RETRY_BACKOFF_FACTOR_S,
    "retry_backoff_max": RETRY_BACKOFF_MAX_S,
    "retry_jitter": True,
}


@contextmanager
def task_log(task: str, **ids) -> Iterator[dict]:
    """One structured line per task run: task, the ids it worked on, duration and outcome."""
    started = time.monotonic()
    record = {"outcome": "ok"}
    try:
        yield record
    except Exception as exc:
        record["outcome"] = f"error:{exc.__class__.__name__}"
        raise
    finally:
        fields = " ".join(f"{key}={value}" for key, value in {**ids, **record}.items() if key != "outcome")
        logger.info(
            "task=%s %s duration_ms=%d outcome=%s",
            task,
            fields,
            (time.monotonic() - started) * 1000,
            record["outcome"],
        )


def backoff_s(retries: int) -> float:
    """Exponential backoff with full jitter: up to 5 s, 10 s, 20 s ... capped at 5 minutes."""
    return get_exponential_backoff_interval(
        factor=RETRY_BACKOFF_FACTOR_S, retries=retries, maximum=RETRY_BACKOFF_MAX_S, full_jitter=True
    )


def task_send(name: str, *args, countdown_s: float | None = None) -> None:
    """Send the task registered under its stable ``name`` (delivered after ``countdown_s``; run at once when Celery
    is eager). Services send their tasks by name because the tasks modules import the services; each app registers
    its tasks when Django starts (``AppConfig.ready``). Raises KeyError for a name no app registered."""
    task = current_app.tasks[name]
    if countdown_s is None:
        task.delay(*args)
    else:
        task.apply_async(args=list(args), countdown=countdown_s)
