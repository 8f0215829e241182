"""The provenance workbench: trace republished news claims back to their origin."""

from workbench.celery import app as celery_app

__all__ = ["celery_app"]
