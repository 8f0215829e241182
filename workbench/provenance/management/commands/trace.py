from __future__ import annotations

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from workbench.core.progress import progress
from workbench.engine.files import article_files
from workbench.provenance.models import TraceJob
from workbench.provenance.reporting import render_report
from workbench.provenance.selectors import trace_job_progress, trace_report
from workbench.provenance.services import articles_trace, trace_job_create
from workbench.sources.models import ArticleVersion
from workbench.sources.services import articles_ingest_files

ASYNC_WAIT_S = 600.0
ASYNC_POLL_S = 0.25


class Command(BaseCommand):
    help = (
        "Ingest article files (no duplicates on re-run), trace every claim to its origin, store the result and print "
        "a report: readable and coloured, or with --json one JSON object (the stable contract for scripts). Progress "
        "bars go to stderr, and only when it is a terminal."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="article files or folders of them")
        parser.add_argument("--origin", metavar="PATH", help="the origin article, when known; found otherwise")
        parser.add_argument("--json", action="store_true", help="write the JSON report to stdout")
        parser.add_argument(
            "--async",
            dest="run_async",
            action="store_true",
            help="trace on the Celery workers through the broker (eagerly when none is configured); the report is "
            "the same",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=ASYNC_WAIT_S,
            metavar="SECONDS",
            help=f"with --async, how long to wait for the workers (default {ASYNC_WAIT_S:g})",
        )

    def handle(self, *args, **options):
        found = article_files(options["paths"])
        for note in found.notes():
            self.stderr.write(note)
        paths = found.paths
        origin_path = options["origin"]
        if origin_path and not Path(origin_path).is_file():
            raise CommandError(f"--origin {origin_path}: no such file")
        if origin_path and origin_path not in paths:
            paths.insert(0, origin_path)
        if not paths:
            raise CommandError("no article files found")
        with progress(self.stderr, "ingest", total=len(paths)) as bar:
            outcomes = articles_ingest_files(
                paths=paths, arrival=ArticleVersion.Arrival.UPLOAD, on_each=lambda _: bar.advance()
            )
        for outcome in outcomes:
            if outcome.error:
                self.stderr.write(f"error: {outcome.path}: {outcome.error}")
        ingested = [(o.path, o.result.article) for o in outcomes if o.result is not None]
        if origin_path and not any(path == origin_path for path, _ in ingested):
            raise CommandError(f"--origin {origin_path} could not be ingested")
        origin = next((article for path, article in ingested if path == origin_path), None)
        if ingested and options["run_async"]:
            self._trace_on_workers([article for _, article in ingested], origin, timeout_s=options["timeout"])
        elif ingested:
            articles = [article for _, article in ingested]
            # The engine reports each article as it is traced (with its number of sentences): one step each.
            with progress(self.stderr, "trace", total=len({article.pk for article in articles})) as bar:
                articles_trace(articles=articles, origin=origin, on_traced=lambda _sentences: bar.advance())
        report = trace_report(articles=_unique_by_article(ingested))
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=1))
        else:
            self.stdout.write(render_report(report, colour=self.stdout.isatty()))
        failed = [o for o in outcomes if o.error]
        if failed:
            raise CommandError(f"{len(failed)} of {len(outcomes)} files could not be ingested or traced")

    def _trace_on_workers(self, articles, origin, *, timeout_s: float) -> None:
        job = trace_job_create(articles=articles, origin=origin)
        deadline = time.monotonic() + timeout_s
        # Sentences traced, as the workers record them; the total is known once a worker has claimed the job.
        with progress(self.stderr, f"trace job {job.pk} queued") as bar:
            while True:
                status = trace_job_progress(job)
                bar.update(
                    status["done"],
                    status["total"] or None,
                    description=f"trace job {job.pk} {status['state']}",
                )
                if status["state"] == TraceJob.State.DONE:
                    return
                if status["state"] == TraceJob.State.FAILED:
                    raise CommandError(
                        f"trace job {job.pk} failed after {status['attempts']} attempts: {status['error']}"
                    )
                if time.monotonic() > deadline:
                    raise CommandError(
                        f"trace job {job.pk} is still {status['state']} after {timeout_s:g} s; it goes on in "
                        "the background (is a worker running? see `make worker`)"
                    )
                try:
                    time.sleep(ASYNC_POLL_S)
                except KeyboardInterrupt:
                    raise CommandError(
                        f"stopped waiting; trace job {job.pk} goes on in the background (see it in the admin)"
                    ) from None


def _unique_by_article(pairs):
    seen: set[int] = set()
    unique = []
    for path, article in pairs:
        if article.pk not in seen:
            seen.add(article.pk)
            unique.append((path, article))
    return unique
