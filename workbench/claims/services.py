"""Writing claims: split a version's clean text into sentences with offsets and attributions."""

from __future__ import annotations

from workbench.claims.models import Claim
from workbench.engine.attribute import find_attribution
from workbench.engine.segment import split_sentences
from workbench.sources.models import ArticleVersion


def claims_create_for_version(*, version: ArticleVersion) -> list[Claim]:
    """Create the claims of a new version. Needs the caller's transaction; a version's claims never change."""
    claims = []
    for sentence in split_sentences(version.clean_text):
        attribution = find_attribution(sentence.text)
        claims.append(
            Claim(
                version=version,
                position=sentence.index,
                start=sentence.start,
                end=sentence.end,
                text=sentence.text,
                attribution=(attribution.label if attribution else "")[:300],
                attribution_speaker=((attribution.speaker or "") if attribution else "")[:200],
                attribution_hedge=((attribution.hedge or "") if attribution else "")[:300],
            )
        )
    return Claim.objects.bulk_create(claims)
