"""What an ingest may write, digested row by row, so a test can show that rows stored before a hostile input are
byte-for-byte unchanged after it."""

from __future__ import annotations

import hashlib

from workbench.claims.models import Claim
from workbench.sources.models import Article, ArticleVersion

# A claim's engine label and score are re-derived by every trace; its text and offsets are what must not change.
TABLES = (
    (Article, ("id", "ingest_key", "headline", "url", "outlet_id")),
    (ArticleVersion, ("id", "article_id", "number", "clean_text", "raw_text", "content_hash")),
    (Claim, ("id", "version_id", "position", "start", "end", "text")),
)


def snapshot() -> dict[str, str]:
    """A digest per stored row of the tables an ingest may write."""
    digests = {}
    for model, fields in TABLES:
        names = [f for f in fields if f in {field.attname for field in model._meta.concrete_fields} | {"id"}]
        for row in model.objects.order_by("pk").values(*names):
            digests[f"{model.__name__}:{row['id']}"] = hashlib.sha256(repr(sorted(row.items())).encode()).hexdigest()
    return digests


def assert_untouched(before: dict[str, str]) -> None:
    after = snapshot()
    assert {key: after.get(key) for key in before} == before, "a row stored before the hostile input changed"
