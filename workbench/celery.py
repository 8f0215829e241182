"""The Celery application. Settings come from Django's settings module, prefixed CELERY_."""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings")

app = Celery("workbench")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def _database_connection_checked(task=None, **kwargs) -> None:
    """A worker keeps its database connection from task to task (CELERY_DB_REUSE_MAX) and treats each task as Django
    treats a request: a connection that saw an error and no longer answers, or is older than its maximum age, is
    closed, and a kept one is health-checked on first use. Eager tasks run inside their caller's connection."""
    if task is not None and getattr(task.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()
