from __future__ import annotations

from django.contrib import admin
from django.db.models import Count

from workbench.sources.models import Article, ArticleVersion, Outlet
from workbench.sources.services import article_outlet_correct


@admin.register(Outlet)
class OutletAdmin(admin.ModelAdmin):
    list_display = ["name", "domain", "kind", "article_count"]
    list_filter = ["kind"]
    search_fields = ["name", "domain"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    @admin.display(ordering="article_count", description="Articles")
    def article_count(self, obj):
        return obj.article_count


class ArticleVersionInline(admin.TabularInline):
    model = ArticleVersion
    fields = ["number", "arrival", "content_type", "fetched_at", "content_hash"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "outlet", "outlet_source", "published_at", "version_count", "created_at"]
    list_filter = ["outlet__kind", "language", "published_at"]
    list_select_related = ["outlet"]
    search_fields = ["headline", "canonical_url", "byline", "ingest_key"]
    autocomplete_fields = ["outlet"]
    readonly_fields = ["ingest_key", "outlet_source", "created_at", "updated_at"]
    date_hierarchy = "created_at"
    inlines = [ArticleVersionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(version_count=Count("versions"))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "outlet" in form.changed_data and obj.outlet is not None:
            # A person chose this outlet: ingest must keep it (see article_outlet_correct).
            article_outlet_correct(article=obj, name=obj.outlet.name, by=request.user)

    @admin.display(ordering="version_count", description="Versions")
    def version_count(self, obj):
        return obj.version_count


@admin.register(ArticleVersion)
class ArticleVersionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "number", "arrival", "content_type", "fetched_at", "claim_count"]
    list_filter = ["arrival", "content_type", "fetched_at"]
    list_select_related = ["article"]
    search_fields = ["article__headline", "content_hash", "clean_text"]
    readonly_fields = [
        "article",
        "number",
        "arrival",
        "content_type",
        "fetched_at",
        "content_hash",
        "http_etag",
        "http_last_modified",
        "clean_text",
        "removed_lines",
        "raw_content",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(claim_count=Count("claims"))

    @admin.display(ordering="claim_count", description="Claims")
    def claim_count(self, obj):
        return obj.claim_count

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
