"""Bringing stored tokens within their users' roles (the rule itself is `permissions.scope_allowed`)."""

from __future__ import annotations

from workbench.api.permissions import TOKEN_SCOPE_ROLE_PERMISSIONS


def api_tokens_narrow_to_roles(apps) -> int:
    """Remove from every stored token the scopes its user's role does not allow (a token left with none keeps
    `read`). Works on a migration's historical models or the live registry (`apps`). Returns the tokens changed."""
    ApiToken = apps.get_model("api", "ApiToken")
    Permission = apps.get_model("auth", "Permission")
    changed = 0
    for scope, needed in TOKEN_SCOPE_ROLE_PERMISSIONS.items():
        app_label, codename = needed.split(".")
        permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
        for token in ApiToken.objects.select_related("user").iterator():
            if scope not in (token.scopes or []):
                continue
            user = token.user
            allowed = user.is_superuser or (
                permission is not None
                and (
                    user.user_permissions.filter(pk=permission.pk).exists()
                    or user.groups.filter(permissions=permission).exists()
                )
            )
            if not allowed:
                token.scopes = [s for s in token.scopes if s != scope] or ["read"]
                token.save(update_fields=["scopes"])
                changed += 1
    return changed
