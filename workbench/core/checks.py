"""Start-up checks that turn a newcomer's silent 500 into one line saying what to do."""

from __future__ import annotations

import sys

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core.checks import Error
from django.core.files.storage import storages

STATIC_NOT_COLLECTED = (
    "DEBUG is off and the static files are not collected, so every admin page would answer 500: run "
    "`python manage.py collectstatic --noinput` once, or start with DEBUG=true (as `make demo` does)."
)


def static_files_served(app_configs=None, *, argv: list[str] | None = None, **kwargs) -> list[Error]:
    """`runserver` with DEBUG off and a hashed-name storage whose manifest is missing: an error, so the server stops
    at start-up. Only runserver: migrate and collectstatic itself run before the files are collected in a deploy."""
    argv = sys.argv if argv is None else argv
    if settings.DEBUG or "runserver" not in argv[1:2]:
        return []
    storage = storages["staticfiles"]
    if not isinstance(storage, ManifestFilesMixin) or storage.exists(storage.manifest_name):
        return []
    return [Error(STATIC_NOT_COLLECTED, id="workbench.E001")]
