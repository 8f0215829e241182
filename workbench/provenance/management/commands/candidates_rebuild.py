"""Recompute the shared candidate index from every article's newest version."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from workbench.core.progress import progress
from workbench.provenance.candidates import candidates_compact, candidates_rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the candidate index (band postings) from the newest version of every article; with --compact, only "
        "pack the pending postings (those an older index carried over, say) into runs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=500, help="articles signed and written per batch")
        parser.add_argument("--compact", action="store_true", help="pack the pending postings; re-sign nothing")
        parser.add_argument("--processes", type=int, default=1, help="processes signing articles (one a core)")

    def handle(self, *args, batch: int, compact: bool, processes: int, **options):
        started = time.perf_counter()
        if compact:
            moved = candidates_compact(force=True)
            self.stdout.write(f"packed {moved} pending postings in {time.perf_counter() - started:.1f} s")
            return
        if processes < 1:
            raise CommandError(f"--processes must be at least 1, not {processes}")
        with progress(self.stderr, "index articles") as bar:
            count = candidates_rebuild(batch=batch, processes=processes, on_progress=bar.update)
        elapsed = time.perf_counter() - started
        rate = count / elapsed if elapsed else 0.0
        self.stdout.write(f"indexed {count} articles in {elapsed:.1f} s ({rate:.0f} articles/s)")
