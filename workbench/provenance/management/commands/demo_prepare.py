from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db.models import Count

from workbench.claims.models import Claim
from workbench.provenance.models import Divergence, Story
from workbench.provenance.services import articles_trace
from workbench.review import services as review_services
from workbench.review.models import ClaimAssignment
from workbench.review.roles import EDITOR, FACT_CHECKER
from workbench.review.selectors import OPEN_STATES, review_queue
from workbench.sources.models import Article

DEMO_USERNAME = "demo"  # a fact-checker: the demo shows their day
DEMO_EDITOR_USERNAME = "demo-editor"  # the second person who approves the fact-checker's verdicts
DEMO_ASSIGNED_CLAIMS = 5


class Command(BaseCommand):
    help = (
        "Load and trace the seed articles; create a demo fact-checker and a demo editor with fresh passwords, give the "
        "fact-checker the queue's first claims, and print a summary with both logins."
    )

    def handle(self, *args, **options):
        call_command("load_seeds", stdout=self.stdout, stderr=self.stderr)
        articles = list(Article.objects.filter(versions__arrival="fixture").distinct())
        articles_trace(articles=articles)
        checker, checker_password = _demo_user(DEMO_USERNAME, FACT_CHECKER)
        editor, editor_password = _demo_user(DEMO_EDITOR_USERNAME, EDITOR)
        if not ClaimAssignment.objects.filter(assignee=checker).exists():
            for claim in review_queue().filter(review_state__in=OPEN_STATES, assignment__isnull=True)[
                :DEMO_ASSIGNED_CLAIMS
            ]:
                review_services.claim_assign(claim=claim, assignee=checker, by=editor)
        labels = dict(Claim.objects.filter(label__gt="").values_list("label").annotate(n=Count("id")).order_by("label"))
        self.stdout.write("")
        self.stdout.write(f"Articles:    {Article.objects.count()}")
        self.stdout.write(f"Claims:      {Claim.objects.count()}  ({', '.join(f'{k} {v}' for k, v in labels.items())})")
        self.stdout.write(f"Stories:     {Story.objects.count()}")
        self.stdout.write(f"Divergences: {Divergence.objects.count()}")
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Admin: http://127.0.0.1:8000/admin/"))
        self.stdout.write(self.style.SUCCESS(f"Fact-checker login: {DEMO_USERNAME} / {checker_password}"))
        self.stdout.write(self.style.SUCCESS(f"Editor login:       {DEMO_EDITOR_USERNAME} / {editor_password}"))
        self.stdout.write("(the editor approves what the fact-checker submits; nobody approves their own verdict)")


def _demo_user(username: str, group_name: str):
    """A staff user in exactly one reviewer group, with a fresh random password. Returns (user, password)."""
    password = secrets.token_urlsafe(12)
    user, _ = get_user_model().objects.get_or_create(username=username)
    user.is_staff = True
    user.is_superuser = False
    user.set_password(password)
    user.save()
    user.groups.set([Group.objects.get(name=group_name)])
    return user, password
