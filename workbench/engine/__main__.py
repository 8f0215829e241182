"""`python -m workbench.engine [--origin PATH] [--embed] PATH...`: print the trace report as JSON."""

from __future__ import annotations

import argparse
import json
import sys

from .embed import load_embedder
from .report import files_report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workbench.engine")
    parser.add_argument("--origin", help="path of the article to treat as its story's origin")
    parser.add_argument("--embed", action="store_true", help="use the packaged sentence embedder if installed")
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args(argv)
    embedder = load_embedder() if args.embed else None
    if args.embed and embedder is None:
        print("warning: no sentence embedder installed; tracing lexically", file=sys.stderr)
    report = files_report(args.paths, origin_key=args.origin, embedder=embedder)
    json.dump(report, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
