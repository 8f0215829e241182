from __future__ import annotations

from django.contrib import admin

from workbench.claims.models import Claim
from workbench.claims.selectors import claims_search
from workbench.core.search import RankedSearchAdminMixin


@admin.register(Claim)
class ClaimAdmin(RankedSearchAdminMixin, admin.ModelAdmin):
    search_with = claims_search
    list_display = ["__str__", "article", "position", "label", "label_score", "attribution"]
    list_filter = ["label", "version__article__outlet"]
    list_select_related = ["version__article"]
    search_fields = ["text", "attribution", "version__article__headline"]
    readonly_fields = [*(f.name for f in Claim._meta.fields if not f.primary_key), "language", "not_traced_reason"]

    @admin.display(description="Language")
    def language(self, obj):
        return obj.version.language

    @admin.display(description="Not traced because")
    def not_traced_reason(self, obj):
        return obj.version.not_traced_reason or "-"

    @admin.display(ordering="version__article__headline")
    def article(self, obj):
        return obj.version.article

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
