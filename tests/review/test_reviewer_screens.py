"""The reviewer's day in the admin: the home page, the next claim, who can approve, the located sentence, the story's
per-article links, outlet corrections, the public page of a published verdict."""

from __future__ import annotations

import html
import json
import re
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from tests.factories import ClaimFactory, UserFactory, alice, bob, erin
from workbench.review import selectors, services
from workbench.review.models import Verdict
from workbench.sources.models import Article

pytestmark = pytest.mark.django_db

QUEUE = "admin:review_reviewqueueitem_changelist"


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())


def review_url(claim) -> str:
    return reverse("admin:review_reviewqueueitem_change", args=[claim.pk])


def _approved(claim) -> Verdict:
    verdict = services.verdict_create(
        claim=claim, label="altered", rationale="Doubling is not in the origin.", by=alice()
    )
    verdict = services.verdict_submit(verdict=verdict, expected_revision=verdict.revision, by=alice())
    return services.verdict_approve(verdict=verdict, expected_revision=verdict.revision, by=erin())


def test_the_home_page_shows_my_claims_what_waits_for_my_approval_and_todays_stories(client, story_factory):
    story, claims, _ = story_factory(4)
    for claim in claims[:2]:
        services.claim_assign(claim=claim, assignee=alice(), by=erin())
    submitted = services.verdict_create(claim=claims[3], label="altered", by=bob())
    services.verdict_submit(verdict=submitted, expected_revision=submitted.revision, by=bob())

    client.force_login(erin())
    body = page(client, reverse("admin:index"))
    assert re.search(r'id="left-today">1<', body)  # erin: nothing assigned, one verdict to approve
    awaiting = body[body.index('id="awaiting-approval"') : body.index('id="stale-verdicts"')]
    assert claims[3].text in awaiting and "by bob" in awaiting
    assert str(story) in body[body.index('id="stories-updated"') :]
    assert 'id="operator-pages"' not in body  # an editor has no operator's page

    # A superuser sees the operators' pages (logins, schedules, tokens, users) grouped apart, after the review pages.
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    body = page(client, reverse("admin:index"))
    operations = body[body.index('id="operator-pages"') :]
    assert body.index("Review pages") < body.index('id="operator-pages"')
    assert "Periodic tasks" in operations and "Access attempts" in operations and "Review queue" not in operations

    client.force_login(alice())
    body = page(client, reverse("admin:index"))
    assert re.search(r'id="left-today">2<', body)
    mine = body[body.index('id="my-claims"') : body.index('id="stale-verdicts"')]
    assert claims[0].text in mine and claims[1].text in mine and claims[2].text not in mine
    assert 'id="awaiting-approval"' not in body  # a fact-checker approves nothing


def test_the_queue_counts_what_is_left_for_me_today(client, story_factory):
    _, claims, _ = story_factory(3)
    services.claim_assign(claim=claims[0], assignee=alice(), by=erin())
    client.force_login(alice())
    body = page(client, reverse(QUEUE))
    assert re.search(r'id="left-today"><strong>1</strong> left for you today \(1 assigned to you\)', body)
    assert "2 open and unassigned" in body


def test_the_next_claim_follows_queue_order_and_skips_claims_taken_by_others(story_factory):
    _, claims, _ = story_factory(4)
    services.claim_assign(claim=claims[1], assignee=bob(), by=erin())
    assert selectors.review_queue_next(claim=claims[0], user=alice()) == claims[2]
    # Once claims[2] is submitted it has left the open states; the next one is still the one after it.
    verdict = services.verdict_create(claim=claims[2], label="altered", by=alice())
    services.verdict_submit(verdict=verdict, expected_revision=verdict.revision, by=alice())
    assert selectors.review_queue_next(claim=claims[2], user=alice()) == claims[3]
    # After the last claim the queue starts again from the top; with nothing else open there is no next claim.
    assert selectors.review_queue_next(claim=claims[3], user=alice()) == claims[0]


def test_the_claim_page_offers_the_next_claim(client, story_factory):
    _, claims, _ = story_factory(2)
    client.force_login(alice())
    body = page(client, review_url(claims[0]))
    assert f'href="{review_url(claims[1])}" id="next-claim"' in body


def test_a_submitted_verdict_says_it_waits_for_an_editor_and_who_can_approve(client, story_factory):
    _, claims, _ = story_factory(1)
    erin()
    UserFactory(username="root", is_staff=True, is_superuser=True)
    verdict = services.verdict_create(claim=claims[0], label="altered", by=alice())
    services.verdict_submit(verdict=verdict, expected_revision=verdict.revision, by=alice())
    client.force_login(alice())
    body = page(client, review_url(claims[0]))
    waiting = body[body.index('id="waiting-for-editor"') : body.index("</p>", body.index('id="waiting-for-editor"'))]
    assert "Submitted by alice" in waiting and "waiting for an editor’s approval" in waiting
    assert re.findall(r"<strong>(\w+)</strong>", waiting) == ["erin", "root"]


def test_an_empty_assign_list_says_who_can_be_assigned_and_where_to_add_them(client, story_factory):
    _, claims, _ = story_factory(1)
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    body = page(client, review_url(claims[0]))
    assert 'id="no-reviewers"' in body and "fact-checker" in body and reverse("admin:auth_user_changelist") in body
    alice()
    body = page(client, review_url(claims[0]))
    assert 'id="no-reviewers"' not in body and '<option value="' in body


def test_the_full_text_marks_the_located_sentence(client, story_factory):
    _, claims, _ = story_factory(3)
    client.force_login(alice())
    url = reverse("admin:review_reviewqueueitem_text", args=[claims[1].version_id])
    body = page(client, f"{url}?claim={claims[1].pk}")
    assert re.findall(r'<mark id="claim-(\d+)" class="sentence">', body) == [str(claims[1].pk)]
    assert f'<span id="claim-{claims[0].pk}" class="sentence">' in body


def test_the_story_pages_claims_links_filter_to_each_article(client, story_factory):
    story, claims, origin = story_factory(2)
    other = ClaimFactory(label="unsourced", text="A claim of another article entirely.")
    client.force_login(alice())
    body = page(client, reverse("admin:review_reviewqueueitem_story", args=[story.pk]))
    links = re.findall(r'href="([^"]*\?article=(\d+))">claims</a>', body)
    assert {int(article) for _, article in links} == {origin.version.article_id, claims[0].version.article_id}
    derivative_link = next(url for url, article in links if int(article) == claims[0].version.article_id)
    listed = page(client, derivative_link)
    assert all(claim.text in listed for claim in claims) and other.text not in listed


def test_a_reviewer_corrects_an_outlet_on_the_full_text_page(client, story_factory):
    _, claims, _ = story_factory(1)
    article = claims[0].version.article
    client.force_login(alice())
    url = reverse("admin:review_reviewqueueitem_text", args=[claims[0].version_id])
    response = client.post(url, {"outlet": "Kyiv Post", "kind": "newspaper"})
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.outlet.name, article.outlet.kind, article.outlet_source) == ("Kyiv Post", "newspaper", "reviewer")
    response = client.post(url, {"outlet": " ", "kind": ""})
    assert "The outlet was not changed: an outlet needs a name" in html.unescape(response.content.decode())
    assert Article.objects.get(pk=article.pk).outlet.name == "Kyiv Post"


def test_someone_who_only_reads_cannot_correct_an_outlet(client, story_factory):
    _, claims, _ = story_factory(1)
    reader = UserFactory(username="reader", is_staff=True)
    reader.user_permissions.add(*Group.objects.get(name="fact-checker").permissions.filter(codename__startswith="view"))
    client.force_login(reader)
    url = reverse("admin:review_reviewqueueitem_text", args=[claims[0].version_id])
    assert client.post(url, {"outlet": "Mine"}).status_code == 403
    assert claims[0].version.article.outlet.name == "Republisher"


def test_a_published_verdict_has_a_public_page_with_its_claimreview_embedded(client, story_factory):
    _, claims, origin = story_factory(1)
    verdict = _approved(claims[0])
    url = reverse("review:verdict", args=[verdict.pk])
    body = page(client, url)  # anonymous: the page is public
    embedded = json.loads(re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', body, re.S).group(1))
    assert embedded["@type"] == "ClaimReview" and embedded["url"] == f"http://testserver{url}"
    assert embedded["claimReviewed"] == claims[0].text
    assert claims[0].text in body and origin.text in body and "Doubling is not in the origin." in body
    lineage = body[body.index('id="lineage"') :]
    assert lineage.index("Wire") < lineage.index("Republisher")  # the origin first, then the republication
    json_url = reverse("review:claimreview", args=[verdict.pk])
    assert json.loads(client.get(json_url).content)["url"] == f"http://testserver{url}"


def test_an_unpublished_verdict_has_no_public_page(client, story_factory):
    _, claims, _ = story_factory(1)
    verdict = services.verdict_create(claim=claims[0], label="altered", by=alice())
    assert client.get(reverse("review:verdict", args=[verdict.pk])).status_code == 404
    assert client.get(reverse("review:verdict", args=[verdict.pk + 999])).status_code == 404


def test_text_in_the_public_page_cannot_close_its_json_ld(client, story_factory):
    _, claims, _ = story_factory(1)
    verdict = services.verdict_create(
        claim=claims[0], label="altered", rationale="</script><script>alert(1)</script>", by=alice()
    )
    verdict = services.verdict_submit(verdict=verdict, expected_revision=verdict.revision, by=alice())
    services.verdict_approve(verdict=verdict, expected_revision=verdict.revision, by=erin())
    raw = client.get(reverse("review:verdict", args=[verdict.pk])).content.decode()
    assert "<script>alert(1)" not in raw and raw.count("</script>") == 1


def test_the_demo_logs_in_a_fact_checker_with_claims_and_prints_an_editors_login(seed_paths):
    out = StringIO()
    call_command("demo_prepare", stdout=out, stderr=StringIO())
    printed = out.getvalue()
    logins = dict(re.findall(r"(Fact-checker|Editor) login:\s+(\S+) / \S+", printed))
    assert logins == {"Fact-checker": "demo", "Editor": "demo-editor"}
    demo = type(alice()).objects.get(username="demo")
    assert not demo.is_superuser and list(demo.groups.values_list("name", flat=True)) == ["fact-checker"]
    assert demo.claim_assignments.count() == 5
    assert type(alice()).objects.get(username="demo-editor").has_perm("review.approve_verdict")
    outlets = set(Article.objects.values_list("outlet__name", flat=True))
    assert {"RT", "The Columbian", "Prime Headlines"} <= outlets and None not in outlets
