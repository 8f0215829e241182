from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests import factories
from workbench.api.services import api_token_create

ALL_SCOPES = ("read", "submit", "review")


def reset_broker_connections(app) -> None:
    """Forget pooled broker connections (kombu keeps them in process-wide registries), so the next publish uses the
    broker URL configured now and no later test inherits a pool for another broker."""
    from kombu import pools

    pools.reset()
    app._pool = None
    if "amqp" in app.__dict__:
        app.__dict__["amqp"]._producer_pool = None


@pytest.fixture(autouse=True)
def _fresh_throttles(settings):
    """Each test starts with empty rate counters and limits high enough not to interfere (throttle tests lower them)."""
    settings.API_THROTTLE_RATES = {"token": "100000/hour", "submit": "100000/hour"}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _remembered_tokens(settings):
    """As in production with a shared cache (CACHE_URL): token look-ups are remembered; each test's cache is new."""
    settings.API_TOKEN_CACHE_S = 60


@pytest.fixture
def token_for(db):
    """token_for(user, *scopes) -> the key of a new token for the user."""

    def make(user, *scopes: str, name: str = "tool") -> str:
        return api_token_create(user=user, name=name, scopes=scopes or ("read",)).key

    return make


@pytest.fixture
def client_for(token_for):
    """client_for(user, *scopes) -> an APIClient sending a new token with those scopes."""

    def make(user, *scopes: str) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user, *scopes)}")
        return client

    return make


@pytest.fixture
def tom(db):
    """Tom runs a newsroom tool: a plain user with no review role."""
    return factories.UserFactory(username="tom")


@pytest.fixture
def alice(db):
    return factories.alice()


@pytest.fixture
def erin(db):
    return factories.erin()


@pytest.fixture
def story_graph(db):
    """An origin article and two derivatives, with claims, provenance links, divergences and an approved verdict.

    Returns a dict of the rows by name.
    """
    wire = factories.OutletFactory(name="Wire Service", domain="wire.example")
    paper = factories.OutletFactory(name="Daily Paper", domain="paper.example")
    origin = factories.ArticleFactory(outlet=wire, headline="Council approves budget")
    origin_v = factories.ArticleVersionFactory(article=origin, number=1)
    copy = factories.ArticleFactory(outlet=paper, headline="Budget approved")
    copy_v = factories.ArticleVersionFactory(article=copy, number=1, clean_text="Copy text.")
    story = factories.StoryFactory(origin=origin, title="Council budget")
    factories.StoryMembershipFactory(story=story, article=origin, role="origin")
    factories.StoryMembershipFactory(story=story, article=copy, role="derivative")
    o1 = factories.ClaimFactory(
        version=origin_v, position=0, text="The council would probably approve the budget.", label="origin"
    )
    o2 = factories.ClaimFactory(version=origin_v, position=1, text="It takes effect in May.", label="origin")
    c1 = factories.ClaimFactory(
        version=copy_v, position=0, text="The council approved the budget of 5 million.", label="altered"
    )
    c2 = factories.ClaimFactory(version=copy_v, position=1, text="It takes effect in May.", label="supported")
    link1 = factories.ProvenanceLinkFactory(claim=c1, origin_claim=o1, score=0.7, method="embedding")
    link2 = factories.ProvenanceLinkFactory(claim=c2, origin_claim=o2, score=1.0, method="exact")
    divergence = factories.DivergenceFactory(
        claim=c1, link=link1, type="added_detail", span="of 5 million", origin_claim=o1, origin_span="the budget"
    )
    hedge = factories.DivergenceFactory(
        claim=c1,
        link=link1,
        type="hedge_dropped",
        span="approved",
        origin_claim=o1,
        origin_span="would probably approve",
    )
    return {
        "wire": wire,
        "paper": paper,
        "origin": origin,
        "copy": copy,
        "origin_v": origin_v,
        "copy_v": copy_v,
        "story": story,
        "o1": o1,
        "o2": o2,
        "c1": c1,
        "c2": c2,
        "link1": link1,
        "link2": link2,
        "divergence": divergence,
        "hedge": hedge,
    }
