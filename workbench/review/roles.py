"""The two reviewer roles and the permissions each needs. Installed by a data migration; re-runnable."""

from __future__ import annotations

FACT_CHECKER = "fact-checker"
EDITOR = "editor"

_READ = [
    ("sources", "outlet", ["view"]),
    ("sources", "article", ["view"]),
    ("sources", "articleversion", ["view"]),
    ("claims", "claim", ["view"]),
    ("provenance", "story", ["view"]),
    ("provenance", "storymembership", ["view"]),
    ("provenance", "provenancelink", ["view"]),
    ("provenance", "divergence", ["view"]),
    ("review", "reviewqueueitem", ["view"]),
    ("review", "reviewevent", ["view"]),
    ("review", "claimassignment", ["view"]),
]

# (app_label, model, [action or custom codename]) per role.
ROLE_PERMISSIONS: dict[str, list[tuple[str, str, list[str]]]] = {
    FACT_CHECKER: [
        *_READ,
        ("review", "verdict", ["view", "add", "change", "reopen_verdict"]),
    ],
    EDITOR: [
        *_READ,
        ("review", "verdict", ["view", "add", "change", "approve_verdict", "reopen_verdict"]),
        ("review", "claimassignment", ["assign_claim"]),
    ],
}


def _codename(action: str, model: str) -> str:
    return f"{action}_{model}" if action in {"view", "add", "change", "delete"} else action


def roles_install(apps) -> None:
    """Create both groups and set exactly their permissions. Idempotent. `apps` is a migration or the live registry."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        previous = getattr(app_config, "models_module", None)
        app_config.models_module = previous or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = previous
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, grants in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        permissions = []
        for app_label, model, actions in grants:
            for action in actions:
                permissions.append(
                    Permission.objects.get(content_type__app_label=app_label, codename=_codename(action, model))
                )
        group.permissions.set(permissions)
