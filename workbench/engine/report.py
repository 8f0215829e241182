"""Render traces in the `trace --json` report shape."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .types import ArticleTrace


def article_report(
    traces: Sequence[ArticleTrace], paths: dict[str, str], headlines: dict[str, str]
) -> dict[str, Any]:
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
                    "label": s.label,
                    "origin_text": origin_text,
                    "score": s.score,
                    "attribution": s.attribution.label if s.attribution else None,
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
                "origin_path": paths.get(t.origin_key, t.origin_key) if t.origin_key else None,
                "sentences": sentences,
            }
        )
    return {"articles": articles}
