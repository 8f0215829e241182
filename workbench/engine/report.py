"""Render traces in the `trace --json` report shape."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .clean import prepare
from .trace import trace_articles
from .types import ArticleInput, ArticleTrace


def article_report(traces: Sequence[ArticleTrace], paths: dict[str, str], headlines: dict[str, str]) -> dict[str, Any]:
    """The report object: every sentence of every article in order; `origin_text` joins aligned origin sentences."""
    by_key = {t.key: t for t in traces}
    articles = []
    for t in traces:
        origin = by_key.get(t.origin_key) if t.origin_key else None
        sentences = []
        for s in t.sentences:
            origin_text = None
            if origin is not None and s.origin_indices:
                origin_text = " ".join(origin.sentences[i].text for i in s.origin_indices)
            sentences.append(
                {
                    "text": s.text,
                    "label": s.label or None,
                    "origin_text": origin_text,
                    "score": s.score,
                    "attribution": s.attribution.label if s.attribution else None,
                    "first_appeared_in": paths.get(s.first_appeared_in, s.first_appeared_in)
                    if s.first_appeared_in
                    else None,
                    "flags": [
                        {"type": f.type, "span": f.span, "origin_span": f.origin_span, "explanation": f.explanation}
                        for f in s.flags
                    ],
                }
            )
        articles.append(
            {
                "path": paths.get(t.key, t.key),
                "headline": headlines.get(t.key, ""),
                "role": t.role,
                "language": t.language,
                "not_traced": t.not_traced,
                "origin_path": paths.get(t.origin_key, t.origin_key) if t.origin_key else None,
                "parent_path": paths.get(t.parent_key, t.parent_key) if t.parent_key else None,
                "origin_reasons": list(t.origin_reasons),
                "sentences": sentences,
            }
        )
    return {"articles": articles}


def files_report(paths: Sequence[str], *, origin_key: str | None = None, embedder=None) -> dict[str, Any]:
    """Read article files (UTF-8 page text), trace them together and return the report, keyed by the paths given."""
    articles, headlines = [], {}
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            prepared = prepare(fh.read())
        articles.append(
            ArticleInput(
                key=path,
                text=prepared.text,
                headline=prepared.headline,
                byline=prepared.byline,
                published=prepared.published,
            )
        )
        headlines[path] = prepared.headline
    traces = trace_articles(articles, origin_key=origin_key, embedder=embedder)
    return article_report(traces, {p: p for p in paths}, headlines)
