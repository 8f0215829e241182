"""`python -m workbench.engine [--origin PATH] [--embed] PATH...`: print the trace report as JSON."""
from __future__ import annotations

import argparse
import json
import sys

from .clean import prepare
from .embed import load_embedder
from .report import article_report
from .trace import trace_articles
from .types import ArticleInput


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workbench.engine")
    parser.add_argument("--origin", help="path of the article to treat as its story's origin")
    parser.add_argument("--embed", action="store_true", help="use the packaged sentence embedder if installed")
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args(argv)
    articles = []
    headlines = {}
    for path in args.paths:
        with open(path, encoding="utf-8") as fh:
            prepared = prepare(fh.read())
        articles.append(ArticleInput(key=path, text=prepared.text, headline=prepared.headline,
                                     byline=prepared.byline, published=prepared.published))
        headlines[path] = prepared.headline
    embedder = load_embedder() if args.embed else None
    if args.embed and embedder is None:
        print("warning: no sentence embedder installed; tracing lexically", file=sys.stderr)
    traces = trace_articles(articles, origin_key=args.origin, embedder=embedder)
    report = article_report(traces, {p: p for p in args.paths}, headlines)
    json.dump(report, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
