"""Model factories. Tests build their data here, never from fixture files."""

from __future__ import annotations

import hashlib

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from workbench.claims.models import Claim
from workbench.sources.models import Article, ArticleVersion, Outlet


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@newsroom.test")
    password = factory.django.Password("correct horse battery staple")


class OutletFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outlet

    name = factory.Sequence(lambda n: f"Outlet {n}")
    domain = factory.Sequence(lambda n: f"outlet{n}.example")
    kind = Outlet.Kind.NEWSPAPER


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    outlet = factory.SubFactory(OutletFactory)
    canonical_url = factory.Sequence(lambda n: f"https://news.example/article-{n}")
    ingest_key = factory.LazyAttribute(lambda a: a.canonical_url)
    headline = factory.Sequence(lambda n: f"Headline {n}")


class ArticleVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ArticleVersion

    article = factory.SubFactory(ArticleFactory)
    number = factory.Sequence(lambda n: n + 1)
    clean_text = "The council approved the budget on Monday. It takes effect in May."
    raw_content = factory.LazyAttribute(lambda v: v.clean_text)
    content_type = ArticleVersion.ContentType.TEXT
    content_hash = factory.LazyAttribute(lambda v: hashlib.sha256(v.clean_text.encode()).hexdigest())
    arrival = ArticleVersion.Arrival.UPLOAD
    fetched_at = factory.LazyFunction(timezone.now)


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim

    version = factory.SubFactory(ArticleVersionFactory)
    position = factory.Sequence(lambda n: n)
    start = factory.LazyAttribute(lambda c: c.position * 1000)
    text = "The council approved the budget on Monday."
    end = factory.LazyAttribute(lambda c: c.start + len(c.text))


# --- Review workflow: personas, provenance rows, verdicts -------------------------------------------------------


def _role_user(username: str, role: str):
    from django.contrib.auth.models import Group

    from workbench.review.roles import roles_install

    if not Group.objects.filter(name=role).exists():
        from django.apps import apps

        roles_install(apps)  # a flushed database (transactional tests) has lost the data migration's groups
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return type(user).objects.get(pk=user.pk)  # fresh instance: no stale permission cache


def alice():
    """Alice, a fact-checker."""
    return _role_user("alice", "fact-checker")


def bob():
    """Bob, a second fact-checker."""
    return _role_user("bob", "fact-checker")


def erin():
    """Erin, an editor: approves and returns verdicts, assigns claims."""
    return _role_user("erin", "editor")


def fact_checker(username: str):
    return _role_user(username, "fact-checker")


def editor(username: str):
    return _role_user(username, "editor")


class StoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "provenance.Story"

    origin = factory.SubFactory(ArticleFactory)
    title = factory.LazyAttribute(lambda s: s.origin.headline)


class StoryMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "provenance.StoryMembership"

    story = factory.SubFactory(StoryFactory)
    article = factory.SubFactory(ArticleFactory)
    role = "derivative"


class ProvenanceLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "provenance.ProvenanceLink"

    claim = factory.SubFactory(ClaimFactory, label="altered")
    origin_claim = factory.SubFactory(ClaimFactory, label="origin")
    rank = 0
    score = 0.8
    method = "factory"


class DivergenceFactory(factory.django.DjangoModelFactory):
    """A divergence whose spans are found in the claim's and origin claim's text (pass span and origin_span)."""

    class Meta:
        model = "provenance.Divergence"

    claim = factory.SubFactory(ClaimFactory, label="altered")
    link = None
    type = "added_detail"
    span = factory.LazyAttribute(lambda d: d.claim.text.split()[0])
    span_start = factory.LazyAttribute(lambda d: d.claim.text.index(d.span))
    span_end = factory.LazyAttribute(lambda d: d.span_start + len(d.span))
    origin_claim = None
    origin_span = None
    origin_start = factory.LazyAttribute(
        lambda d: d.origin_claim.text.index(d.origin_span) if d.origin_claim and d.origin_span else None
    )
    origin_end = factory.LazyAttribute(lambda d: d.origin_start + len(d.origin_span) if d.origin_span else None)
    explanation = "The claim adds a detail its origin does not give."


class VerdictFactory(factory.django.DjangoModelFactory):
    """A verdict row written directly, for read-side tests; workflow tests use the services."""

    class Meta:
        model = "review.Verdict"

    claim = factory.SubFactory(ClaimFactory, label="altered")
    label = "altered"
    reviewer = factory.SubFactory(UserFactory)
    rationale = "The claim adds weapon types the origin does not list."
