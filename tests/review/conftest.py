from __future__ import annotations

import pytest

from tests.factories import (
    ArticleFactory,
    ArticleVersionFactory,
    ClaimFactory,
    DivergenceFactory,
    OutletFactory,
    ProvenanceLinkFactory,
    StoryFactory,
    StoryMembershipFactory,
)

ORIGIN_TEXT = "NATO is redoubling efforts to rush more weapons to the war-torn country, officials said."
NEXT_ORIGIN_TEXT = "The ministers met in Brussels."
CLAIM_TEXT = "The alliance plans to double its efforts, delivering air defense systems to Kyiv."


def build_story(n_claims: int):
    """An origin article and one derivative with `n_claims` altered claims, each linked to an origin sentence and
    carrying two divergences. Returns (story, derivative claims, origin claim)."""
    origin_article = ArticleFactory(outlet=OutletFactory(name="Wire"), headline="NATO seeks to position Kyiv")
    derivative_article = ArticleFactory(outlet=OutletFactory(name="Republisher"), headline="NATO ramps up arms")
    story = StoryFactory(origin=origin_article)
    StoryMembershipFactory(story=story, article=origin_article, role="origin")
    StoryMembershipFactory(story=story, article=derivative_article, role="derivative")
    origin_version = ArticleVersionFactory(article=origin_article, clean_text=f"{ORIGIN_TEXT}\n\n{NEXT_ORIGIN_TEXT}")
    texts = [f"{CLAIM_TEXT} ({i})" for i in range(n_claims)]
    version = ArticleVersionFactory(article=derivative_article, clean_text=" ".join(texts))
    origin_claim = ClaimFactory(version=origin_version, position=0, start=0, text=ORIGIN_TEXT, label="origin")
    ClaimFactory(version=origin_version, position=1, start=len(ORIGIN_TEXT) + 2, text=NEXT_ORIGIN_TEXT, label="origin")
    claims = []
    offset = 0
    for i, text in enumerate(texts):
        claim = ClaimFactory(version=version, position=i, start=offset, text=text, label="altered", label_score=0.7)
        offset += len(text) + 1
        link = ProvenanceLinkFactory(claim=claim, origin_claim=origin_claim)
        DivergenceFactory(
            claim=claim,
            link=link,
            type="added_detail",
            span="air defense systems",
            origin_claim=origin_claim,
            origin_span="more weapons",
            explanation="Names weapons the origin does not list.",
        )
        DivergenceFactory(
            claim=claim,
            link=link,
            type="number_changed",
            span="double",
            origin_claim=origin_claim,
            origin_span="redoubling",
            explanation="Puts a number on the effort where the origin gives none.",
        )
        claims.append(claim)
    return story, claims, origin_claim


@pytest.fixture
def story_factory():
    return build_story
