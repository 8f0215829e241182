"""Writing claims: split a version's clean text into sentences with offsets and attributions."""

from __future__ import annotations

from workbench.claims.models import Claim
from workbench.core.bulk import rows_insert
from workbench.engine.attribute import find_attribution
from workbench.engine.segment import split_sentences
from workbench.sources.models import ArticleVersion


def claims_create_for_version(*, version: ArticleVersion) -> int:
    """Create the claims of a new version; returns how many. Needs the caller's transaction; a version's claims
    never change."""
    rows = []
    for sentence in split_sentences(version.clean_text):
        attribution = find_attribution(sentence.text)
        rows.append(
            (
                version.pk,
                sentence.index,
                sentence.start,
                sentence.end,
                sentence.text,
                (attribution.label if attribution else "")[:300],
                ((attribution.speaker or "") if attribution else "")[:200],
                ((attribution.hedge or "") if attribution else "")[:300],
                "",
            )
        )
    fields = [
        "version_id",
        "position",
        "start",
        "end",
        "text",
        "attribution",
        "attribution_speaker",
        "attribution_hedge",
        "label",
    ]
    rows_insert(Claim, fields, rows)
    return len(rows)
