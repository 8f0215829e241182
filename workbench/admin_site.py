"""The admin site: the reviewers' pages first, the operators' pages (logins, schedules, tokens, users) apart.

The home page is the reviewer's day (workbench.review.selectors.reviewer_home) for anyone who may see the queue.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig

# Apps a fact-checker works in, in the order of their day; every other app is an operator's.
REVIEW_APPS = ("review", "provenance", "claims", "sources")


class WorkbenchAdminSite(admin.AdminSite):
    index_template = "admin/workbench_index.html"
    site_header = "Provenance workbench"
    site_title = "Provenance workbench"
    index_title = "Your review day"

    def get_app_list(self, request, app_label=None):
        """Review apps first, in REVIEW_APPS order, then the operators' apps by name."""
        order = {label: i for i, label in enumerate(REVIEW_APPS)}
        return sorted(
            super().get_app_list(request, app_label),
            key=lambda app: (order.get(app["app_label"], len(order)), app["name"]),
        )

    def index(self, request, extra_context=None):
        from workbench.review.selectors import reviewer_home

        apps = self.get_app_list(request)
        may_review = request.user.has_perm("review.view_reviewqueueitem") or request.user.has_perm(
            "review.view_verdict"
        )
        extra_context = {
            **(extra_context or {}),
            "review_apps": [a for a in apps if a["app_label"] in REVIEW_APPS],
            "operator_apps": [a for a in apps if a["app_label"] not in REVIEW_APPS],
            "home": reviewer_home(user=request.user) if may_review else None,
        }
        return super().index(request, extra_context)


class WorkbenchAdminConfig(AdminConfig):
    default_site = "workbench.admin_site.WorkbenchAdminSite"

    def ready(self):
        super().ready()
        from django.core.checks import register

        from workbench.core.checks import static_files_served

        register(static_files_served)
