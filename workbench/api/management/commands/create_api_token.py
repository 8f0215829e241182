from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from workbench.api.models import Scope
from workbench.api.services import api_token_create


class Command(BaseCommand):
    help = "Create an API token for USERNAME and print its key once (only a hash is stored)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--scopes", default=Scope.READ, help=f"Comma-separated, from: {','.join(Scope.values)} (default: read)."
        )
        parser.add_argument("--name", default="", help="What the token is for (default: 'cli').")

    def handle(self, *args, username, scopes, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if not user.is_active:
            raise CommandError(f"User {username!r} is inactive.")
        scope_list = [item.strip() for item in scopes.split(",") if item.strip()]
        unknown = sorted(set(scope_list) - set(Scope.values))
        if unknown or not scope_list:
            raise CommandError(f"Unknown or missing scope(s) {unknown}; choose from {', '.join(Scope.values)}.")
        try:
            created = api_token_create(user=user, name=name or "cli", scopes=scope_list)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stderr.write(f"Token {created.token.prefix}… for {username} with scopes {','.join(created.token.scopes)}.")
        self.stderr.write("Copy it now; it cannot be shown again.")
        self.stdout.write(created.key)
