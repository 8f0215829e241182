from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html

from workbench.provenance.models import Divergence, ProvenanceLink, Story, StoryMembership, TraceJob
from workbench.provenance.selectors import trace_jobs_visible


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the engine and the pipeline write: browsable, never added, edited or deleted by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StoryMembershipInline(admin.TabularInline):
    model = StoryMembership
    fields = ["article", "role"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Story)
class StoryAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "origin", "article_count", "review_overview", "updated_at"]
    list_select_related = ["origin"]
    search_fields = ["title", "origin__headline"]
    readonly_fields = ["origin", "created_at", "updated_at"]
    inlines = [StoryMembershipInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("memberships"))

    @admin.display(ordering="article_count", description="Articles")
    def article_count(self, obj):
        return obj.article_count

    @admin.display(description="Overview")
    def review_overview(self, obj):
        return format_html(
            '<a href="{}">graph and counts</a>', reverse("admin:review_reviewqueueitem_story", args=[obj.pk])
        )


@admin.register(StoryMembership)
class StoryMembershipAdmin(ReadOnlyAdmin):
    list_display = ["article", "story", "role", "updated_at"]
    list_filter = ["role"]
    list_select_related = ["article", "story__origin"]
    search_fields = ["article__headline", "story__title"]


class DivergenceInline(admin.TabularInline):
    model = Divergence
    fk_name = "link"
    fields = ["type", "span", "origin_span", "explanation"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ProvenanceLink)
class ProvenanceLinkAdmin(ReadOnlyAdmin):
    list_display = ["claim", "origin_claim", "rank", "score", "method"]
    list_filter = ["method", "claim__label"]
    list_select_related = ["claim", "origin_claim"]
    search_fields = ["claim__text", "origin_claim__text"]
    readonly_fields = ["claim", "origin_claim", "rank", "score", "method", "created_at"]
    inlines = [DivergenceInline]


@admin.register(Divergence)
class DivergenceAdmin(ReadOnlyAdmin):
    list_display = ["type", "span", "origin_span", "explanation", "claim"]
    list_filter = ["type", "claim__version__article__outlet"]
    list_select_related = ["claim"]
    search_fields = ["span", "origin_span", "explanation", "claim__text"]
    readonly_fields = [f.name for f in Divergence._meta.fields if not f.primary_key]


@admin.register(TraceJob)
class TraceJobAdmin(ReadOnlyAdmin):
    def get_queryset(self, request):
        return trace_jobs_visible(user=request.user, queryset=super().get_queryset(request))

    list_display = ["__str__", "state", "attempts", "sentences_done", "sentences_total", "created_at", "finished_at"]
    list_filter = ["state"]
    readonly_fields = [
        "state",
        "origin",
        "attempts",
        "lease_expires_at",
        "sentences_done",
        "sentences_total",
        "error",
        "created_at",
        "started_at",
        "finished_at",
    ]
    filter_horizontal = ["articles"]
