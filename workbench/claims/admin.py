from __future__ import annotations

from django.contrib import admin

from workbench.claims.models import Claim


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ["__str__", "article", "position", "label", "label_score", "attribution"]
    list_filter = ["label", "version__article__outlet"]
    list_select_related = ["version__article"]
    search_fields = ["text", "attribution", "version__article__headline"]
    readonly_fields = [f.name for f in Claim._meta.fields if not f.primary_key]

    @admin.display(ordering="version__article__headline")
    def article(self, obj):
        return obj.version.article

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
