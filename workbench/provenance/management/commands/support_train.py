from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from workbench.engine.support import MODEL_PATH
from workbench.provenance import evaluation as ev


class Command(BaseCommand):
    help = (
        "Fit the support check (does a page support a claim) on WiCE's claims and write its weights; prints the "
        "5-fold cross-validated balanced accuracy first. Deterministic: the same data give the same file."
    )

    def add_arguments(self, parser):
        default = settings.BASE_DIR / "fixtures" / "public" / "wice" / "claims-dev.jsonl"
        parser.add_argument("--wice", type=Path, default=default)
        parser.add_argument("--out", type=Path, default=MODEL_PATH)

    def handle(self, *args, **options):
        if not options["wice"].exists():
            raise CommandError(f"{options['wice']}: no such file")
        rows = ev.load_wice(options["wice"])
        x, truth = ev.wice_support_rows(rows)
        score = ev.balanced_accuracy(truth, ev.support_cross_validated(x, truth))
        self.stdout.write(f"cross-validated balanced accuracy (supported or not), {len(rows)} claims: {score:.3f}")
        model = ev.support_model_fit(rows)
        options["out"].parent.mkdir(parents=True, exist_ok=True)
        options["out"].write_text(model.to_json() + "\n", encoding="utf-8")
        self.stdout.write(f"wrote {options['out']}")
