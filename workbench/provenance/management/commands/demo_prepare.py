from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db.models import Count

from workbench.claims.models import Claim
from workbench.provenance.models import Divergence, Story
from workbench.provenance.services import articles_trace
from workbench.sources.models import Article

DEMO_USERNAME = "demo"


class Command(BaseCommand):
    help = "Load and trace the seed articles, create the demo superuser with a fresh password, print a summary."

    def handle(self, *args, **options):
        call_command("load_seeds", stdout=self.stdout, stderr=self.stderr)
        articles = list(Article.objects.filter(versions__arrival="fixture").distinct())
        articles_trace(articles=articles)
        password = secrets.token_urlsafe(12)
        user, _ = get_user_model().objects.get_or_create(username=DEMO_USERNAME)
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        labels = dict(Claim.objects.filter(label__gt="").values_list("label").annotate(n=Count("id")).order_by("label"))
        self.stdout.write("")
        self.stdout.write(f"Articles:    {Article.objects.count()}")
        self.stdout.write(f"Claims:      {Claim.objects.count()}  ({', '.join(f'{k} {v}' for k, v in labels.items())})")
        self.stdout.write(f"Stories:     {Story.objects.count()}")
        self.stdout.write(f"Divergences: {Divergence.objects.count()}")
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Admin: http://127.0.0.1:8000/admin/"))
        self.stdout.write(self.style.SUCCESS(f"Login: {DEMO_USERNAME} / {password}"))
