"""A story's tree stored and shown: parents, the origin's reasons, and where inherited material first appeared."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.engine.test_stories_and_lineage import ADDED, _chain
from tests.factories import alice, erin
from workbench.api.exports import story_prov_json
from workbench.claims.models import Claim
from workbench.provenance.models import Story, StoryMembership
from workbench.review import services as review_services
from workbench.review.claimreview import claim_review
from workbench.review.graph import story_graph
from workbench.review.selectors import story_overview, verdicts_for_export
from workbench.sources.models import Article

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain_folder(tmp_path):
    for name, article in _chain().items():
        (tmp_path / f"{name}.txt").write_text(article.text, encoding="utf-8")
    (tmp_path / "README.md").write_text("# The chain\nA wire report, a rewrite and its copy.\n", encoding="utf-8")
    return tmp_path


def _traced(folder) -> tuple[dict, str, dict[str, Article]]:
    out, err = io.StringIO(), io.StringIO()
    call_command("trace", "--json", str(folder), stdout=out, stderr=err)
    articles = {
        Path(a.ingest_key.removeprefix("file:")).stem: a for a in Article.objects.filter(ingest_key__startswith="file:")
    }
    return json.loads(out.getvalue()), err.getvalue(), articles


def test_trace_takes_a_folder_and_skips_what_is_not_an_article(chain_folder):
    report, err, articles = _traced(chain_folder)
    assert sorted(Path(a["path"]).stem for a in report["articles"]) == ["aggregator", "copy", "wire"]
    assert err.strip().splitlines() == [f"skipped {chain_folder / 'README.md'}: not an article (a project file)"]
    assert set(articles) == {"aggregator", "copy", "wire"}


def test_the_stored_story_is_the_tree_with_the_origin_s_reasons(chain_folder):
    report, _, articles = _traced(chain_folder)
    by_name = {Path(a["path"]).stem: a for a in report["articles"]}
    assert Path(by_name["copy"]["parent_path"]).stem == "aggregator"
    story = Story.objects.get()
    assert story.origin == articles["wire"] and "Reuters dateline" in story.origin_reasons
    parents = dict(StoryMembership.objects.values_list("article_id", "parent_id"))
    assert parents == {
        articles["wire"].pk: None,
        articles["aggregator"].pk: articles["wire"].pk,
        articles["copy"].pk: articles["aggregator"].pk,
    }
    inherited = Claim.objects.filter(version__article=articles["copy"], text__startswith=ADDED[0][:20])
    assert [c.first_appeared_in_id for c in inherited] == [articles["aggregator"].pk]
    assert not Claim.objects.filter(version__article=articles["aggregator"], first_appeared_in__isnull=False).exists()


def test_prov_json_and_the_graph_draw_origin_to_aggregator_to_copy(chain_folder):
    _, _, articles = _traced(chain_folder)
    story = Story.objects.get()
    doc = story_prov_json(story=story)
    version = {name: f"wb:version-{a.versions.latest().pk}" for name, a in articles.items()}
    derived = {(r["prov:generatedEntity"], r["prov:usedEntity"]) for r in doc["wasDerivedFrom"].values()}
    assert (version["aggregator"], version["wire"]) in derived
    assert (version["copy"], version["aggregator"]) in derived
    assert (version["copy"], version["wire"]) not in derived
    assert "Reuters dateline" in doc["entity"][version["wire"]]["wb:originReasons"]

    graph = story_graph(story_overview(story_id=story.pk))
    origin = next(n for n in graph["nodes"] if n["role"] == "origin")
    columns = sorted({n["x"] for n in graph["nodes"]})
    assert len(columns) == 3 and origin["x"] == columns[0]
    derivatives = sorted((n for n in graph["nodes"] if n["role"] == "derivative"), key=lambda n: n["x"])
    aggregator, copy = derivatives
    assert aggregator["parent"] == articles["wire"].pk and copy["parent"] == articles["aggregator"].pk
    # Each edge leaves its parent's right side: origin -> aggregator, aggregator -> copy.
    starts = sorted(e["x1"] for e in graph["edges"])
    assert starts == [origin["x"] + origin["w"], aggregator["x"] + aggregator["w"]]


def test_the_story_page_says_why_the_origin_is_the_origin(chain_folder, client):
    _traced(chain_folder)
    story = Story.objects.get()
    client.force_login(alice())
    body = client.get(reverse("admin:review_reviewqueueitem_story", args=[story.pk])).content.decode()
    assert "Origin because: Reuters dateline" in body
    assert body.count('class="edge ') == 2


def test_claimreview_appearance_follows_the_tree_to_where_the_claim_first_appeared(chain_folder):
    _, _, articles = _traced(chain_folder)
    for name, article in articles.items():
        article.canonical_url = f"https://{name}.example/story"
        article.save(update_fields=["canonical_url"])
    claim = Claim.objects.get(version__article=articles["copy"], text__startswith=ADDED[1][:20])
    verdict = review_services.verdict_create(claim=claim, label="unsourced", by=alice())
    verdict = review_services.verdict_submit(verdict=verdict, expected_revision=verdict.revision, by=alice())
    review_services.verdict_approve(verdict=verdict, expected_revision=verdict.revision, by=erin())
    doc = claim_review(verdicts_for_export().get(pk=verdict.pk), base_url="https://factcheck.example/")
    item = doc["itemReviewed"]
    assert [w["url"] for w in item["appearance"]] == ["https://copy.example/story", "https://aggregator.example/story"]
    assert item["firstAppearance"]["url"] == "https://aggregator.example/story"


def test_a_lone_article_is_its_story_s_origin_and_the_queue_does_not_offer_its_sentences(tmp_path):
    from workbench.review.selectors import review_queue

    (tmp_path / "wire.txt").write_text(_chain()["wire"].text, encoding="utf-8")
    report, _, articles = _traced(tmp_path)
    (entry,) = report["articles"]
    assert entry["role"] == "origin" and entry["origin_reasons"] == ["the only article of its story"]
    assert {s["label"] for s in entry["sentences"]} == {"origin"}
    assert Story.objects.get().origin == articles["wire"]
    claims = Claim.objects.filter(version__article=articles["wire"])
    assert claims.exists() and set(claims.values_list("label", flat=True)) == {"origin"}
    assert not review_queue(Claim.objects.all()).exists()
