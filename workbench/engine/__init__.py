"""Provenance tracing engine: clean, segment, attribute, align, diverge, trace.

Pure Python; nothing in this package imports Django.
"""

from __future__ import annotations

from .types import (
    ArticleInput,
    ArticleTrace,
    Attribution,
    Flag,
    Prepared,
    Sentence,
    SentenceTrace,
)

__all__ = [
    "ArticleInput",
    "ArticleTrace",
    "Attribution",
    "Flag",
    "Prepared",
    "Sentence",
    "SentenceTrace",
]
