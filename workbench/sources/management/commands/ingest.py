from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from workbench.core.progress import Bar, progress
from workbench.engine.files import article_files
from workbench.sources.models import ArticleVersion
from workbench.sources.services import FileOutcome, articles_ingest_files


class Command(BaseCommand):
    help = "Ingest article files (text or HTML) or folders of them. Re-running stores nothing twice."
    arrival = ArticleVersion.Arrival.UPLOAD

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")

    def handle(self, *args, **options):
        found = article_files(options["paths"])
        for note in found.notes():
            self.stderr.write(note)
        self.ingest(found.paths)

    def ingest(self, paths: list[str]) -> list[FileOutcome]:
        if not paths:
            raise CommandError("no article files found")
        with progress(self.stderr, "ingest", total=len(paths)) as bar:
            outcomes = articles_ingest_files(
                paths=paths, arrival=self.arrival, on_each=lambda outcome: self.report(outcome, bar)
            )
        failed = [outcome for outcome in outcomes if outcome.error]
        stored = sum(1 for outcome in outcomes if outcome.result and outcome.result.created_version)
        self.stdout.write(
            f"{len(outcomes) - len(failed)} of {len(outcomes)} files ingested, {stored} new versions stored"
        )
        if failed:
            raise CommandError(f"{len(failed)} of {len(outcomes)} files could not be ingested")
        return outcomes

    def report(self, outcome: FileOutcome, bar: Bar) -> None:
        """One file's line (above the bar), then the bar one file further."""
        if outcome.error:
            bar.write(self.stderr, f"error: {outcome.path}: {outcome.error}")
        else:
            result = outcome.result
            what = f"new version {result.version.number}" if result.created_version else "unchanged"
            bar.write(self.stdout, f"{outcome.path}: {what}, {result.version.claims.count()} claims")
        bar.advance()
