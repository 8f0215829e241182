from __future__ import annotations

from django.conf import settings

from workbench.engine.files import article_files
from workbench.sources.management.commands.ingest import Command as IngestCommand
from workbench.sources.models import ArticleVersion

SEEDS_DIR = settings.BASE_DIR / "fixtures" / "seeds"


class Command(IngestCommand):
    help = "Ingest the seed articles in fixtures/seeds/. Re-running stores nothing twice."
    arrival = ArticleVersion.Arrival.FIXTURE

    def add_arguments(self, parser):
        pass

    def handle(self, *args, **options):
        self.ingest(article_files([str(SEEDS_DIR)]).paths)
