from __future__ import annotations

import json
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from workbench.core.progress import progress
from workbench.engine.embed import load_embedder
from workbench.provenance import evaluation as ev

FIXTURES = settings.BASE_DIR / "fixtures"
NEWS = FIXTURES / "news"
SETS = ("seeds", "dev", "tune", "fresh", "wice", "clough", "mrpc")
# Hand-labelled story sets, in the order the table shows them. `fresh` is never read while the engine is changed: its
# figure is the engine's accuracy on news it was not tuned on, and only its score line is printed, never its misses.
STORY_SETS = (
    ("seeds", "Seeds"),
    ("dev", "Development set"),
    ("tune", "News corpus, tuning part"),
    ("fresh", "News corpus, fresh part"),
)


class Command(BaseCommand):
    help = (
        "Score the engine on the hand-labelled seeds, development stories and news corpus (its tuning part and its "
        "fresh part side by side) and on public data sets (WiCE, Clough-Stevenson, MRPC), each beside a "
        "bag-of-words cosine baseline."
    )

    def add_arguments(self, parser):
        parser.add_argument("--only", default=",".join(SETS), help=f"comma-separated subset of {', '.join(SETS)}")
        parser.add_argument("--seeds", type=Path, default=FIXTURES / "seeds")
        parser.add_argument("--seeds-gold", type=Path, default=FIXTURES / "gold" / "seeds.json")
        parser.add_argument("--dev", type=Path, default=FIXTURES / "news-dev", help="folder of stories with GOLD.json")
        parser.add_argument("--tune", type=Path, default=NEWS / "tune", help="the news corpus's tuning part")
        parser.add_argument("--fresh", type=Path, default=NEWS / "fresh", help="the news corpus's fresh part")
        parser.add_argument("--wice", type=Path, default=FIXTURES / "public" / "wice" / "claims-dev.jsonl")
        parser.add_argument("--clough", type=Path, default=FIXTURES / "public" / "clough-stevenson")
        parser.add_argument("--mrpc", type=Path, default=FIXTURES / "public" / "mrpc" / "msr_paraphrase_train.txt")
        parser.add_argument("--embed", action="store_true", help="use the packaged sentence embedder if installed")
        parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")

    def handle(self, *args, **options):
        only = [name.strip() for name in options["only"].split(",") if name.strip()]
        unknown = set(only) - set(SETS)
        if unknown:
            raise CommandError(f"--only: unknown set(s) {', '.join(sorted(unknown))}; choose from {', '.join(SETS)}")
        embedder = load_embedder() if options["embed"] else None
        if options["embed"] and embedder is None:
            self.stderr.write("warning: no sentence embedder installed; evaluating the lexical engine")
        results: dict[str, dict] = {"embedder": embedder is not None}
        for name in only:
            started = time.monotonic()
            with progress(self.stderr, name) as bar:
                results[name] = getattr(self, f"run_{name}")(options, embedder, bar.update)
            results[name]["seconds"] = round(time.monotonic() - started, 1)
        if options["json"]:
            self.stdout.write(json.dumps(results, indent=1, default=lambda o: o.__dict__))
        else:
            self.stdout.write(render(results))

    def run_seeds(self, options, embedder, on_progress):
        paths = sorted(_existing(options["seeds"]).glob("*.txt"))
        return self._stories(paths, options["seeds_gold"], embedder, on_progress)

    def run_dev(self, options, embedder, on_progress):
        return self._story_folder(options["dev"], embedder, on_progress)

    def run_tune(self, options, embedder, on_progress):
        return self._story_folder(options["tune"], embedder, on_progress)

    def run_fresh(self, options, embedder, on_progress):
        return self._story_folder(options["fresh"], embedder, on_progress)

    def _story_folder(self, folder: Path, embedder, on_progress):
        """A folder of `<story>/*.txt` with its GOLD.json, every article traced together."""
        return self._stories(sorted(_existing(folder).glob("*/*.txt")), folder / "GOLD.json", embedder, on_progress)

    def _stories(self, paths, gold_path, embedder, on_progress):
        """Three runs, counted as three steps: the engine finding origins, the engine given them, the baseline."""
        if not paths:
            raise CommandError("no article files found for a hand-labelled set")
        gold = _read_json(gold_path)
        steps = ev.Steps(on_progress, 3)
        engine = ev.score_story_report(gold, ev.engine_story_report(paths, embedder=embedder))
        steps.step()
        given = ev.score_story_report(gold, ev.engine_story_report_given_origins(paths, gold, embedder=embedder))
        steps.step()
        baseline = ev.score_story_report(gold, ev.baseline_story_report(paths, gold))
        steps.step()
        return {
            "files": len(paths),
            "engine": _story_dict(engine),
            "engine_given_origins": _story_dict(given),
            "baseline": _story_dict(baseline),
        }

    def run_wice(self, options, embedder, on_progress):
        return ev.evaluate_wice(ev.load_wice(_existing(options["wice"])), embedder=embedder, on_progress=on_progress)

    def run_clough(self, options, embedder, on_progress):
        return ev.evaluate_clough_stevenson(_existing(options["clough"]), embedder=embedder, on_progress=on_progress)

    def run_mrpc(self, options, embedder, on_progress):
        return ev.evaluate_mrpc(ev.load_mrpc(_existing(options["mrpc"])), embedder=embedder, on_progress=on_progress)


def _existing(path: Path) -> Path:
    if not path.exists():
        raise CommandError(f"{path}: no such file or folder")
    return path


def _read_json(path: Path) -> dict:
    try:
        return json.loads(_existing(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise CommandError(f"{path}: not JSON: {exc}") from None


def _story_dict(score: ev.StoryScore) -> dict:
    return {
        "label": score.label,
        "align": score.align,
        "flags": score.flags,
        "origin": score.origin,
        "per_label": {
            label: {"precision": prf.precision, "recall": prf.recall, "f1": prf.f1, "n": prf.tp + prf.fn}
            for label, prf in score.per_label.items()
        },
    }


def render(results: dict) -> str:
    lines = [
        f"Engine mode: {'lexical + sentence embeddings' if results['embedder'] else 'lexical (no embedding model)'}",
        "",
    ]
    stories = [(name, title) for name, title in STORY_SETS if name in results]
    if stories:
        lines.append(f"{'Hand-labelled stories':<44}{'label':>7}{'align':>7}{'flags':>7}{'origin':>8}{'files':>7}")
        systems = (("engine", "engine"), ("engine_given_origins", "engine, origins given"), ("baseline", "baseline"))
        for name, title in stories:
            for system, system_title in systems:
                r = results[name][system]
                lines.append(
                    f"  {title + ' (' + system_title + ')':<42}"
                    f"{r['label']:>7.2f}{r['align']:>7.2f}{r['flags']:>7.2f}{r['origin']:>8.2f}"
                    f"{results[name]['files']:>7}"
                )
        lines.append("  (the baseline is given each article's true origin; the engine finds it, or is given it too)")
        for name, title in stories:
            if name == "fresh":
                continue  # the fresh part shows its score line only
            lines.append("")
            lines.append(f"{title}, engine, per label (truth: the labeller's ideal label)")
            lines.append(f"  {'label':<16}{'precision':>10}{'recall':>8}{'F1':>7}{'n':>5}")
            for label, prf in results[name]["engine"]["per_label"].items():
                lines.append(
                    f"  {label:<16}{prf['precision']:>10.2f}{prf['recall']:>8.2f}{prf['f1']:>7.2f}{prf['n']:>5}"
                )
    public = [
        (
            "wice",
            "WiCE dev: claim supported / partially / not; supported or not (5-fold cross-validated)",
            ("accuracy", "macro_f1", "supported_balanced_accuracy", "evidence_top1"),
        ),
        ("clough", "Clough-Stevenson: cut / light / heavy / non", ("accuracy", "macro_f1", "derived_vs_non_accuracy")),
        ("mrpc", "MRPC: paraphrase or not", ("accuracy", "macro_f1")),
    ]
    for name, title, metrics in public:
        if name not in results:
            continue
        r = results[name]
        sizes = ", ".join(f"{k.removeprefix('n_')} {v}" for k, v in r.items() if k.startswith("n"))
        lines.append("")
        lines.append(f"{title} ({sizes})")
        lines.append(f"  {'system':<12}" + "".join(f"{m:>26}" for m in metrics))
        for system in ("engine", "baseline"):
            lines.append(f"  {system:<12}" + "".join(f"{r[system][m]:>26.3f}" for m in metrics))
    return "\n".join(lines)
