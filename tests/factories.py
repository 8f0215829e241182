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
