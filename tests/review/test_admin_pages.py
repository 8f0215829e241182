"""The review queue, the claim review page, the full-text page and the story view, through the admin."""

from __future__ import annotations

import html
import json
import re

import pytest
from django.urls import reverse

from tests.factories import ClaimFactory, DivergenceFactory, UserFactory, VerdictFactory, alice, bob, erin
from workbench.review import services
from workbench.review.models import ClaimAssignment, ReviewEvent, Verdict

pytestmark = pytest.mark.django_db

QUEUE = "admin:review_reviewqueueitem_changelist"


def text_of(response) -> str:
    """The page with entities resolved: article text is rendered through nh3.clean_text, which encodes spaces."""
    return html.unescape(response.content.decode())


def review_url(claim):
    return reverse("admin:review_reviewqueueitem_change", args=[claim.pk])


@pytest.fixture
def alice_client(client):
    client.force_login(alice())
    return client


def test_the_queue_lists_stale_then_flagged_by_severity_then_unsourced(alice_client):
    supported = ClaimFactory(label="supported", text="Supported claim.")
    unsourced = ClaimFactory(label="unsourced", text="Unsourced claim.")
    other = ClaimFactory(label="other_source", text="Other source claim.")
    low = DivergenceFactory(type="added_detail", claim=ClaimFactory(label="altered", text="Low flag claim.")).claim
    high = DivergenceFactory(type="number_changed", claim=ClaimFactory(label="altered", text="High flag claim.")).claim
    stale = services.verdict_create(
        claim=ClaimFactory(label="supported", text="Stale claim."), label="supported", by=bob()
    )
    services.verdicts_mark_stale(verdicts=[stale], reason="Origin changed.")
    ClaimFactory(label="origin", text="An origin sentence.")
    ClaimFactory(label="boilerplate", text="Subscribe now.")
    body = text_of(alice_client.get(reverse(QUEUE)))
    order = [body.index(c.text) for c in (stale.claim, high, low, unsourced, other, supported)]
    assert order == sorted(order)
    assert "An origin sentence." not in body and "Subscribe now." not in body


def test_the_queue_counts_each_state(alice_client):
    ClaimFactory(label="unsourced")
    ClaimFactory(label="altered")
    services.verdict_create(claim=ClaimFactory(label="supported"), label="supported", by=bob())
    body = text_of(alice_client.get(reverse(QUEUE)))
    counts = dict(re.findall(r'data-state="(\w+)".*?<b>(\d+)</b>', body, re.S))
    assert counts == {"stale": "0", "unreviewed": "2", "draft": "1", "submitted": "0", "returned": "0", "approved": "0"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"state": "draft"}, {"Mine draft."}),
        ({"state": "unreviewed"}, {"Flagged claim.", "Unsourced claim."}),
        ({"label": "unsourced"}, {"Unsourced claim."}),
        ({"divergence": "hedge_dropped"}, {"Flagged claim."}),
        ({"assignee": "me"}, {"Mine draft."}),
        ({"assignee": "none"}, {"Flagged claim.", "Unsourced claim."}),
        ({"verdict_label": "contradicted"}, {"Mine draft."}),
    ],
)
def test_queue_filters(alice_client, params, expected):
    me = alice()
    DivergenceFactory(type="hedge_dropped", claim=ClaimFactory(label="altered", text="Flagged claim."))
    ClaimFactory(label="unsourced", text="Unsourced claim.")
    mine = ClaimFactory(label="altered", text="Mine draft.")
    services.claim_self_assign(claim=mine, by=me)
    services.verdict_create(claim=mine, label="contradicted", by=me)
    body = text_of(alice_client.get(reverse(QUEUE), params))
    shown = {t for t in ("Flagged claim.", "Unsourced claim.", "Mine draft.") if t in body}
    assert shown == expected


def test_queue_filters_by_story_and_outlet(alice_client, story_factory):
    story, claims, _ = story_factory(2)
    ClaimFactory(label="unsourced", text="Elsewhere claim.")
    by_story = text_of(alice_client.get(reverse(QUEUE), {"story": story.pk}))
    assert "Elsewhere claim." not in by_story and claims[0].text in by_story
    outlet_id = claims[0].version.article.outlet_id
    by_outlet = text_of(alice_client.get(reverse(QUEUE), {"version__article__outlet__id__exact": outlet_id}))
    assert "Elsewhere claim." not in by_outlet and claims[1].text in by_outlet


@pytest.mark.parametrize("n_claims", [3, 30])
def test_the_queue_uses_a_fixed_number_of_queries(alice_client, story_factory, django_assert_max_num_queries, n_claims):
    _, claims, _ = story_factory(n_claims)
    for claim in claims[::2]:
        services.verdict_create(claim=claim, label="altered", by=bob())
    with django_assert_max_num_queries(18):  # 16, plus the two counts of what is left for alice
        response = alice_client.get(reverse(QUEUE))
    assert response.status_code == 200
    assert text_of(response).count('class="flagtag') == n_claims  # the worst of each claim's flags


@pytest.mark.parametrize("n_claims", [3, 30])
def test_the_review_page_uses_a_fixed_number_of_queries(
    alice_client, story_factory, django_assert_max_num_queries, n_claims
):
    _, claims, _ = story_factory(n_claims)
    verdict = services.verdict_create(claim=claims[0], label="altered", by=alice())
    for _ in range(5):
        verdict = services.verdict_update(
            verdict=verdict, expected_revision=verdict.revision, by=alice(), rationale=f"reason {verdict.revision}"
        )
    with django_assert_max_num_queries(14):
        response = alice_client.get(review_url(claims[0]))
    assert response.status_code == 200


def test_the_review_page_shows_both_sides_with_spans_marked(alice_client, story_factory):
    _, claims, origin = story_factory(1)
    body = text_of(alice_client.get(review_url(claims[0])))
    claim_side = body[body.index('id="claim-text"') : body.index("</p>", body.index('id="claim-text"'))]
    origin_side = body[body.index('class="rv-sentence origin-text"') : body.index("</p>", body.index("origin-text"))]
    assert re.findall(r"<mark [^>]*>([^<]*)</mark>", claim_side) == ["double", "air defense systems"]
    assert re.findall(r"<mark [^>]*>([^<]*)</mark>", origin_side) == ["redoubling", "more weapons"]
    assert "Names weapons the origin does not list." in body and "Number changed" in body
    assert "The ministers met in Brussels." in body  # the origin's next sentence, for context
    text_url = reverse("admin:review_reviewqueueitem_text", args=[origin.version_id])
    assert f"{text_url}?claim={origin.pk}#claim-{origin.pk}" in body  # the full text opens with the sentence marked


def test_stored_markup_in_article_text_never_runs(alice_client):
    text = 'Officials said <script>alert("x")</script><img src=x onerror=alert(1)> it would start.'
    claim = ClaimFactory(label="unsourced", text=text)
    for url in (
        review_url(claim),
        reverse("admin:review_reviewqueueitem_text", args=[claim.version_id]),
        reverse(QUEUE),
    ):
        body = alice_client.get(url).content.decode()
        assert "<script>alert" not in body and "<img src=x" not in body
    body = alice_client.get(review_url(claim)).content.decode()
    assert "&lt;script&gt;alert" in body


def test_the_full_text_page_locates_the_claim(alice_client, story_factory):
    _, claims, origin = story_factory(1)
    url = reverse("admin:review_reviewqueueitem_text", args=[origin.version_id])
    body = text_of(alice_client.get(url, {"claim": origin.pk}))
    assert f'<mark id="claim-{origin.pk}" class="sentence">' in body
    assert "Brussels" in body


def test_recording_and_submitting_through_the_page_uses_the_services(alice_client, story_factory):
    _, claims, _ = story_factory(1)
    response = alice_client.post(
        review_url(claims[0]),
        {
            "action": "submit",
            "label": "altered",
            "rationale": "Adds weapon types.",
            "corrected_wording": "",
            "evidence_links": "https://example.org/origin\n",
            "revision": "0",
        },
    )
    assert response.status_code == 302
    verdict = Verdict.objects.get(claim=claims[0])
    assert (verdict.state, verdict.label, verdict.evidence_links) == (
        "submitted",
        "altered",
        ["https://example.org/origin"],
    )
    assert list(ReviewEvent.objects.filter(verdict=verdict).values_list("kind", flat=True)) == ["created", "submitted"]


def test_a_stale_revision_from_the_form_is_refused_with_a_clear_message(client, story_factory):
    _, claims, _ = story_factory(1)
    verdict = services.verdict_create(claim=claims[0], label="altered", by=alice())
    services.verdict_update(verdict=verdict, expected_revision=1, by=alice(), rationale="First edit.")
    client.force_login(alice())
    response = client.post(
        review_url(claims[0]),
        {
            "action": "save",
            "label": "supported",
            "rationale": "Overwrite?",
            "corrected_wording": "",
            "evidence_links": "",
            "revision": "1",
        },
    )
    assert response.status_code == 200
    assert "was changed by alice since you opened it" in text_of(response)
    verdict.refresh_from_db()
    assert (verdict.label, verdict.rationale, verdict.revision) == ("altered", "First edit.", 2)


def test_an_assigned_claim_cannot_be_edited_by_another_reviewer(client, story_factory):
    _, claims, _ = story_factory(1)
    services.claim_self_assign(claim=claims[0], by=bob())
    client.force_login(alice())
    page = text_of(client.get(review_url(claims[0])))
    assert 'id="verdict-form"' not in page
    response = client.post(review_url(claims[0]), {"action": "save", "label": "altered", "revision": "0"})
    assert "assigned to bob" in text_of(response)
    assert not Verdict.objects.exists()


def test_editor_assigns_and_approves_from_the_page(client, story_factory):
    _, claims, _ = story_factory(1)
    client.force_login(erin())
    client.post(review_url(claims[0]), {"action": "assign", "assignee": alice().pk})
    assert ClaimAssignment.objects.get(claim=claims[0]).assignee.username == "alice"
    verdict = services.verdict_create(claim=claims[0], label="altered", by=alice())
    verdict = services.verdict_submit(verdict=verdict, expected_revision=1, by=alice())
    client.post(review_url(claims[0]), {"action": "approve", "revision": str(verdict.revision)})
    verdict.refresh_from_db()
    assert verdict.state == "approved" and verdict.approver.username == "erin"


def test_a_fact_checker_sees_no_approve_button_and_cannot_approve_by_posting(alice_client, story_factory):
    _, claims, _ = story_factory(1)
    verdict = services.verdict_create(claim=claims[0], label="altered", by=bob())
    verdict = services.verdict_submit(verdict=verdict, expected_revision=1, by=bob())
    assert 'value="approve"' not in text_of(alice_client.get(review_url(claims[0])))
    response = alice_client.post(review_url(claims[0]), {"action": "approve", "revision": str(verdict.revision)})
    assert "review.approve_verdict" in text_of(response)
    verdict.refresh_from_db()
    assert verdict.state == "submitted"


def test_a_user_without_a_role_cannot_open_the_queue(client):
    client.force_login(UserFactory(username="visitor", is_staff=True))
    assert client.get(reverse(QUEUE)).status_code == 403


def test_bulk_accept_engine_label_only_for_supported(alice_client):
    supported, altered = ClaimFactory(label="supported", label_score=0.95), ClaimFactory(label="altered")
    response = alice_client.post(
        reverse(QUEUE),
        {
            "action": "accept_engine_label",
            "_selected_action": [supported.pk, altered.pk],
        },
        follow=True,
    )
    body = text_of(response)
    assert "1 supported verdict(s) recorded" in body and "1 skipped" in body
    assert Verdict.objects.get().claim_id == supported.pk
    assert Verdict.objects.get().state == "submitted"


def test_bulk_export_gives_claimreview_json_ld_for_approved_verdicts(client, story_factory):
    _, claims, _ = story_factory(2)
    verdict = services.verdict_create(claim=claims[0], label="altered", by=alice())
    verdict = services.verdict_submit(verdict=verdict, expected_revision=1, by=alice())
    services.verdict_approve(verdict=verdict, expected_revision=verdict.revision, by=erin())
    client.force_login(alice())
    response = client.post(reverse(QUEUE), {"action": "export_claimreview", "_selected_action": [c.pk for c in claims]})
    assert response["Content-Type"] == "application/ld+json"
    payload = json.loads(response.content)
    assert [item["claimReviewed"] for item in payload] == [claims[0].text]
    assert payload[0]["reviewRating"]["alternateName"] == "Altered"


def test_the_story_view_shows_counts_and_the_graph(alice_client, story_factory, django_assert_max_num_queries):
    story, claims, _ = story_factory(3)
    VerdictFactory(claim=claims[0], label="altered", reviewer=bob())
    url = reverse("admin:review_reviewqueueitem_story", args=[story.pk])
    with django_assert_max_num_queries(14):
        body = text_of(alice_client.get(url))
    assert "<svg" in body and body.count('class="edge ') == 1 and body.count('class="node ') == 2
    assert "3 of 3 altered" in body and "6 flags" in body
    row = body[body.index('class="role-derivative"') :]
    cells = re.findall(r"<td>([^<]*)</td>", row[: row.index("</tr>")])
    assert cells[:3] == ["derivative", "3", "·"] and cells[3] == "3" and cells[-1] == "6"
    assert "Altered: 1" in row[: row.index("</tr>")]


def test_a_fact_checker_can_read_every_revision_of_a_verdict(alice_client):
    verdict = services.verdict_create(claim=ClaimFactory(label="altered"), label="altered", by=alice())
    services.verdict_update(verdict=verdict, expected_revision=1, by=alice(), rationale="Second thoughts.")
    response = alice_client.get(reverse("admin:review_verdict_history", args=[verdict.pk]))
    assert response.status_code == 200
    body = text_of(response)
    assert body.count("alice") >= 2 and "updated" in body and "created" in body
    assert alice_client.get(reverse("admin:review_verdict_change", args=[verdict.pk])).status_code == 200
    assert (
        alice_client.post(reverse("admin:review_verdict_change", args=[verdict.pk]), {"label": "supported"}).status_code
        == 403
    )
    verdict.refresh_from_db()
    assert verdict.label == "altered"


def test_a_returned_verdict_shows_the_editors_comment_to_its_reviewer(alice_client, story_factory):
    _, claims, _ = story_factory(1)
    verdict = services.verdict_create(claim=claims[0], label="supported", by=alice())
    verdict = services.verdict_submit(verdict=verdict, expected_revision=1, by=alice())
    services.verdict_return(
        verdict=verdict, expected_revision=verdict.revision, by=erin(), comment="Two flags: why supported?"
    )
    body = text_of(alice_client.get(review_url(claims[0])))
    assert "Returned by the editor: “Two flags: why supported?”" in body
    assert 'id="verdict-form"' in body


def test_an_editor_cannot_publish_her_own_rewrite_of_someone_elses_draft_from_the_page(client, story_factory):
    _, claims, _ = story_factory(1)
    verdict = services.verdict_create(claim=claims[0], label="altered", rationale="Alice's.", by=alice())
    client.force_login(erin())
    client.post(review_url(claims[0]), {"action": "assign", "assignee": erin().pk})
    client.post(
        review_url(claims[0]),
        {"action": "submit", "label": "supported", "rationale": "Erin's.", "revision": str(verdict.revision)},
    )
    verdict.refresh_from_db()
    assert (verdict.label, verdict.rationale, verdict.state) == ("supported", "Erin's.", "submitted")
    response = client.post(review_url(claims[0]), {"action": "approve", "revision": str(verdict.revision)})
    assert "may not approve it" in text_of(response)
    verdict.refresh_from_db()
    assert verdict.state == "submitted" and verdict.approver is None


def test_the_history_page_cannot_revert_a_verdict(client):
    """A reopened, edited verdict cannot be put back to its approved revision from the history page: the form there
    only shows a revision, and a POST to it is refused without writing anything."""
    verdict = services.verdict_create(claim=ClaimFactory(label="altered"), label="altered", by=alice())
    verdict = services.verdict_submit(verdict=verdict, expected_revision=verdict.revision, by=alice())
    verdict = services.verdict_approve(verdict=verdict, expected_revision=verdict.revision, by=erin())
    approved = verdict.history.get(revision=verdict.revision)
    verdict = services.verdict_reopen(verdict=verdict, expected_revision=verdict.revision, by=erin(), reason="Check.")
    verdict = services.verdict_update(
        verdict=verdict, expected_revision=verdict.revision, by=alice(), label="unsourced"
    )
    events_before = ReviewEvent.objects.count()
    url = reverse("admin:review_verdict_simple_history", args=[verdict.pk, approved.history_id])
    for user in (alice(), erin()):
        client.force_login(user)
        page = client.get(url)
        assert page.status_code == 200 and "Revert" not in text_of(page)
        response = client.post(url, {"label": "altered", "state": "approved", "revision": str(approved.revision)})
        assert response.status_code == 403
    verdict.refresh_from_db()
    assert (verdict.state, verdict.label) == ("draft", "unsourced")
    assert ReviewEvent.objects.count() == events_before
