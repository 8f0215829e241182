"""A story's provenance as W3C PROV-JSON, parsed back with the prov package."""

from __future__ import annotations

import json

import pytest
from prov.model import ProvAgent, ProvDerivation, ProvDocument

from tests.api.test_auth import assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def prov(tom, client_for, story_graph) -> dict:
    response = client_for(tom, "read").get(f"/api/v1/stories/{story_graph['story'].pk}/prov/")
    assert response.status_code == 200, response.content
    return response.json()


def test_versions_and_claims_are_entities_and_outlets_are_agents(prov, story_graph):
    entities = prov["entity"]
    assert (
        f"wb:version-{story_graph['origin_v'].pk}" in entities and f"wb:version-{story_graph['copy_v'].pk}" in entities
    )
    claim = entities[f"wb:claim-{story_graph['c1'].pk}"]
    assert claim["prov:value"] == story_graph["c1"].text and claim["wb:label"] == "altered"
    assert {a["prov:label"] for a in prov["agent"].values()} == {"Wire Service", "Daily Paper"}
    attributed = {(r["prov:entity"], r["prov:agent"]) for r in prov["wasAttributedTo"].values()}
    assert (f"wb:version-{story_graph['copy_v'].pk}", f"wb:outlet-{story_graph['paper'].pk}") in attributed
    members = {(r["prov:collection"], r["prov:entity"]) for r in prov["hadMember"].values()}
    assert (f"wb:version-{story_graph['copy_v'].pk}", f"wb:claim-{story_graph['c1'].pk}") in members


def test_a_paraphrase_is_derived_and_a_verbatim_copy_is_quoted(prov, story_graph):
    derivations = {(r["prov:generatedEntity"], r["prov:usedEntity"]): r for r in prov["wasDerivedFrom"].values()}
    altered = derivations[(f"wb:claim-{story_graph['c1'].pk}", f"wb:claim-{story_graph['o1'].pk}")]
    assert "prov:type" not in altered and altered["wb:divergences"] == "added_detail,hedge_dropped"
    quoted = derivations[(f"wb:claim-{story_graph['c2'].pk}", f"wb:claim-{story_graph['o2'].pk}")]
    assert quoted["prov:type"]["$"] == "prov:Quotation"
    assert (f"wb:version-{story_graph['copy_v'].pk}", f"wb:version-{story_graph['origin_v'].pk}") in derivations


def test_the_document_is_valid_prov_json(prov):
    document = ProvDocument.deserialize(content=json.dumps(prov), format="json")
    assert len(document.get_records()) == sum(len(group) for key, group in prov.items() if key != "prefix")
    assert len(list(document.get_records(ProvDerivation))) == len(prov["wasDerivedFrom"])
    assert len(list(document.get_records(ProvAgent))) == len(prov["agent"]) == 2
    assert ProvDocument.deserialize(content=document.serialize(format="json"), format="json") == document


def test_prov_export_queries_do_not_grow_with_the_story(tom, client_for, story_graph, django_assert_max_num_queries):
    from tests import factories

    client = client_for(tom, "read")
    client.get("/api/v1/me/")
    for _ in range(10):
        article = factories.ArticleFactory()
        version = factories.ArticleVersionFactory(article=article)
        factories.StoryMembershipFactory(story=story_graph["story"], article=article)
        claim = factories.ClaimFactory(version=version)
        factories.ProvenanceLinkFactory(claim=claim, origin_claim=story_graph["o1"])
    with django_assert_max_num_queries(10):
        assert client.get(f"/api/v1/stories/{story_graph['story'].pk}/prov/").status_code == 200


def test_an_unknown_story_is_a_404(tom, client_for):
    assert_error(client_for(tom, "read").get("/api/v1/stories/999999/prov/"), 404)
