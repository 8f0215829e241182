"""`python -m workbench.engine [--origin PATH] [--embed] [--check] PATH...`: print the trace report as JSON.

PATH is an article file or a folder of them; other files (README.md, notes) are skipped with a one-line note. With
``--check`` the exit status follows the flags, for a CMS hook that holds a draft back: 1 when any claim carries a
high-severity flag (each is named on stderr), 0 otherwise; 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import json
import sys

from .embed import load_embedder
from .files import article_files
from .report import files_report
from .types import FlagType

HIGH_SEVERITY = 3


def high_severity_flags(report: dict) -> list[tuple[str, dict]]:
    """(article path, flag) for every high-severity flag in the report."""
    return [
        (article["path"], flag)
        for article in report["articles"]
        for sentence in article["sentences"]
        for flag in sentence["flags"]
        if FlagType(flag["type"]).severity >= HIGH_SEVERITY
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workbench.engine")
    parser.add_argument("--origin", help="path of the article to treat as its story's origin")
    parser.add_argument("--embed", action="store_true", help="use the packaged sentence embedder if installed")
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit 1 when any claim carries a high-severity flag (a pre-publication check)",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="article files or folders of them")
    args = parser.parse_args(argv)
    embedder = load_embedder() if args.embed else None
    if args.embed and embedder is None:
        print("warning: no sentence embedder installed; tracing lexically", file=sys.stderr)
    found = article_files(args.paths)
    for note in found.notes():
        print(note, file=sys.stderr)
    paths = found.paths
    if args.origin and args.origin not in paths:
        paths.insert(0, args.origin)
    if not paths:
        parser.error("no article files found")
    try:
        report = files_report(paths, origin_key=args.origin, embedder=embedder)
    except OSError as exc:
        parser.error(f"{exc.filename}: {exc.strerror}")
    json.dump(report, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    if not args.check:
        return 0
    high = high_severity_flags(report)
    for path, flag in high:
        print(f"{path}: {flag['type']}: {flag['span']!r} ({flag['explanation']})", file=sys.stderr)
    return 1 if high else 0


if __name__ == "__main__":
    raise SystemExit(main())
