"""Every model can be browsed in the admin from day one."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import ClaimFactory, UserFactory
from workbench.review.models import Verdict
from workbench.sources.models import ArticleVersion
from workbench.sources.services import article_ingest

pytestmark = pytest.mark.django_db

WORKBENCH_APPS = {"sources", "claims", "provenance", "review"}


@pytest.fixture
def admin_client_logged_in(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_every_workbench_model_is_registered():
    registered = {model._meta.label for model in admin.site._registry}
    expected = {
        "sources.Outlet",
        "sources.Article",
        "sources.ArticleVersion",
        "claims.Claim",
        "provenance.Story",
        "provenance.StoryMembership",
        "provenance.ProvenanceLink",
        "provenance.Divergence",
        "provenance.TraceJob",
        "review.Verdict",
    }
    assert expected <= registered


def test_each_changelist_and_change_page_renders(admin_client_logged_in):
    claim = ClaimFactory()
    Verdict.objects.create(claim=claim, label=Verdict.Label.SUPPORTED, reviewer=UserFactory(username="alice"))
    article_ingest(
        content="<p>x</p><p>The minister said the plan <b>would</b> start soon, officials said on Monday.</p><p>y</p>",
        arrival=ArticleVersion.Arrival.UPLOAD,
    )
    for model in admin.site._registry:
        if model._meta.app_label not in WORKBENCH_APPS:
            continue
        opts = model._meta
        changelist = admin_client_logged_in.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        assert changelist.status_code == 200, opts.label
        search = admin_client_logged_in.get(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"), {"q": "minister"}
        )
        assert search.status_code == 200, opts.label
        obj = model.objects.first()
        if obj is not None:
            change = admin_client_logged_in.get(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
            )
            assert change.status_code == 200, opts.label


def test_stored_html_is_shown_as_text_not_rendered(admin_client_logged_in):
    result = article_ingest(
        content="<html><body><article><p>The council voted on Monday to close the old bridge for repairs, "
        "officials said.</p><p>Work starts in May and lasts a year.</p><script>alert('x')</script>"
        "<img src=x onerror=alert(2)></article></body></html>",
        arrival=ArticleVersion.Arrival.UPLOAD,
    )
    page = admin_client_logged_in.get(reverse("admin:sources_articleversion_change", args=[result.version.pk]))
    body = page.content.decode()
    assert "<script>alert('x')</script>" not in body
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in body
