"""Scopes: a token carries read / submit / review; a browser session gets the scopes its user's permissions allow."""

from __future__ import annotations

from rest_framework import permissions

from workbench.api.models import ApiToken, Scope

SESSION_SCOPE_PERMISSIONS = {
    Scope.READ: None,
    Scope.SUBMIT: "sources.add_article",
    Scope.REVIEW: "review.change_verdict",
}


# A token's scopes never exceed its user's role: these scopes need the permission named (reviewer roles have it).
TOKEN_SCOPE_ROLE_PERMISSIONS = {Scope.REVIEW: "review.change_verdict"}


def scope_allowed(user, scope: str) -> bool:
    """Whether ``user``'s role lets a token of theirs hold ``scope``; checked again at every request, so a user who
    leaves a reviewer role loses the scope on every token at once."""
    needed = TOKEN_SCOPE_ROLE_PERMISSIONS.get(Scope(scope))
    return needed is None or user.has_perm(needed)


def scopes_beyond_role(user, scopes) -> str:
    """Why ``user`` may not hold these scopes ("" when they may): the one message the API, the admin and the
    command line give."""
    beyond = [str(scope) for scope in scopes if not scope_allowed(user, scope)]
    if not beyond:
        return ""
    return (
        f"{user} may not hold the {', '.join(beyond)} scope: a token's scopes never exceed its user's role, and "
        f"{user} is in no reviewer group (fact-checker or editor)."
    )


def request_has_scope(request, scope: str) -> bool:
    """True when the authenticated caller may act with the scope. Anonymous callers have none."""
    user = request.user
    if not user or not user.is_authenticated:
        return False
    if isinstance(request.auth, ApiToken):
        return request.auth.has_scope(scope) and scope_allowed(user, scope)
    needed = SESSION_SCOPE_PERMISSIONS[Scope(scope)]
    return needed is None or user.has_perm(needed)


class ScopePermission(permissions.BasePermission):
    """The view's `required_scopes` maps a method (or "*") to the scope it needs; reading needs "read" by default."""

    message = "Your token does not have the scope this request needs."

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        scope = required_scope(request, view)
        if not request_has_scope(request, scope):
            self.message = f"This request needs the '{scope}' scope."
            return False
        return True


def required_scope(request, view) -> str:
    scopes = getattr(view, "required_scopes", {})
    action = getattr(view, "action", None)
    if action and action in scopes:
        return scopes[action]
    if request.method in permissions.SAFE_METHODS:
        return scopes.get("read", Scope.READ)
    return scopes.get("write", Scope.READ)
