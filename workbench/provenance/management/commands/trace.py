from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from workbench.provenance.reporting import render_report
from workbench.provenance.selectors import trace_report
from workbench.provenance.services import articles_trace
from workbench.sources.models import ArticleVersion
from workbench.sources.services import article_files, articles_ingest_files


class Command(BaseCommand):
    help = (
        "Ingest article files (no duplicates on re-run), trace every claim to its origin, store the result and print "
        "a report: readable and coloured, or with --json one JSON object (the stable contract for scripts)."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="article files or folders of them")
        parser.add_argument("--origin", metavar="PATH", help="the origin article, when known; found otherwise")
        parser.add_argument("--json", action="store_true", help="write the JSON report to stdout")

    def handle(self, *args, **options):
        paths = article_files(options["paths"])
        origin_path = options["origin"]
        if origin_path and not Path(origin_path).is_file():
            raise CommandError(f"--origin {origin_path}: no such file")
        if origin_path and origin_path not in paths:
            paths.insert(0, origin_path)
        if not paths:
            raise CommandError("no article files found")
        outcomes = articles_ingest_files(paths=paths, arrival=ArticleVersion.Arrival.UPLOAD)
        for outcome in outcomes:
            if outcome.error:
                self.stderr.write(f"error: {outcome.path}: {outcome.error}")
        ingested = [(o.path, o.result.article) for o in outcomes if o.result is not None]
        if origin_path and not any(path == origin_path for path, _ in ingested):
            raise CommandError(f"--origin {origin_path} could not be ingested")
        origin = next((article for path, article in ingested if path == origin_path), None)
        if ingested:
            articles_trace(articles=[article for _, article in ingested], origin=origin)
        report = trace_report(articles=_unique_by_article(ingested))
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=1))
        else:
            self.stdout.write(render_report(report, colour=self.stdout.isatty()))
        failed = [o for o in outcomes if o.error]
        if failed:
            raise CommandError(f"{len(failed)} of {len(outcomes)} files could not be ingested or traced")


def _unique_by_article(pairs):
    seen: set[int] = set()
    unique = []
    for path, article in pairs:
        if article.pk not in seen:
            seen.add(article.pk)
            unique.append((path, article))
    return unique
