"""Recompute the shared candidate index from every article's newest version."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from workbench.provenance.candidates import candidates_rebuild


class Command(BaseCommand):
    help = "Rebuild the candidate index (band postings) from the newest version of every article."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=500, help="articles signed and written per batch")

    def handle(self, *args, batch: int, **options):
        started = time.perf_counter()
        count = candidates_rebuild(batch=batch)
        elapsed = time.perf_counter() - started
        rate = count / elapsed if elapsed else 0.0
        self.stdout.write(f"indexed {count} articles in {elapsed:.1f} s ({rate:.0f} articles/s)")
