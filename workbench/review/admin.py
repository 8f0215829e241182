from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from workbench.review.models import Verdict


@admin.register(Verdict)
class VerdictAdmin(SimpleHistoryAdmin):
    list_display = ["claim", "label", "state", "is_stale", "reviewer", "approver", "updated_at"]
    list_filter = ["state", "label", "is_stale"]
    list_select_related = ["claim", "reviewer", "approver"]
    search_fields = ["claim__text", "rationale", "reviewer__username"]
    autocomplete_fields = ["claim", "reviewer", "approver"]
    readonly_fields = ["revision", "is_stale", "stale_reason", "created_at", "updated_at"]
