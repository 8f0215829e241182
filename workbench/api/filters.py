"""Query-string filters for the list endpoints (django-filter)."""

from __future__ import annotations

from datetime import UTC, timedelta

import django_filters as filters
from django import forms
from django.db.models import Exists, OuterRef
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend

from workbench.api.search import SEARCH_HELP, ArticleSearchFilter, ClaimSearchFilter
from workbench.claims.models import Claim, Label
from workbench.provenance.models import Divergence, Story, StoryMembership, TraceJob
from workbench.review.models import Verdict
from workbench.sources.models import Article

MAX_ID = 2**63 - 1


class QueryFilterBackend(DjangoFilterBackend):
    """django-filter, left out when the query string names none of the view's filters: building the filter form is
    a good part of a plain list request's cost, and with no filter given it narrows nothing."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and request.query_params.keys().isdisjoint(filterset_class.base_filters):
            return queryset
        return super().filter_queryset(request, queryset, view)


class IdField(forms.IntegerField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class IdFilter(filters.NumberFilter):
    """A row id: a whole number in the database's range, so any other value is a 400, never an overflow."""

    field_class = IdField


MAX_UTC_OFFSET = timedelta(hours=14)


class MomentField(IsoDateTimeField):
    """An ISO 8601 moment whose offset is a real one (at most ±14:00) and which exists in UTC."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        offset = moment.utcoffset()
        if offset is not None and abs(offset) > MAX_UTC_OFFSET:
            raise forms.ValidationError("The UTC offset must be between -14:00 and +14:00.", code="invalid")
        try:
            return moment.astimezone(UTC)
        except OverflowError:
            raise forms.ValidationError("The date is out of range.", code="invalid") from None


class MomentFilter(filters.IsoDateTimeFilter):
    field_class = MomentField


class ArticleFilter(filters.FilterSet):
    outlet = IdFilter(field_name="outlet_id", help_text="Outlet id.")
    story = IdFilter(field_name="story_membership__story_id", help_text="Story id.")
    role = filters.ChoiceFilter(field_name="story_membership__role", choices=StoryMembership.Role.choices)
    published_after = MomentFilter(field_name="published_at", lookup_expr="gte")
    published_before = MomentFilter(field_name="published_at", lookup_expr="lt")
    created_after = MomentFilter(field_name="created_at", lookup_expr="gte")
    created_before = MomentFilter(field_name="created_at", lookup_expr="lt")
    search = ArticleSearchFilter(help_text=SEARCH_HELP)

    class Meta:
        model = Article
        fields = ["outlet", "story", "role"]


class StoryFilter(filters.FilterSet):
    outlet = IdFilter(method="filter_outlet", help_text="Stories with an article from this outlet.")
    origin = IdFilter(field_name="origin_id", help_text="Origin article id.")
    created_after = MomentFilter(field_name="created_at", lookup_expr="gte")
    created_before = MomentFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Story
        fields = ["outlet", "origin"]

    def filter_outlet(self, queryset, name, value):
        members = StoryMembership.objects.filter(story=OuterRef("pk"), article__outlet_id=value)
        return queryset.filter(Exists(members))


class ClaimFilter(filters.FilterSet):
    story = IdFilter(field_name="version__article__story_membership__story_id", help_text="Story id.")
    article = IdFilter(field_name="version__article_id", help_text="Article id.")
    outlet = IdFilter(field_name="version__article__outlet_id", help_text="Outlet id.")
    label = filters.ChoiceFilter(choices=Label.choices)
    divergence_type = filters.ChoiceFilter(
        choices=Divergence.Type.choices,
        method="filter_divergence_type",
        help_text="Claims with a divergence of this type.",
    )
    has_divergences = filters.BooleanFilter(method="filter_has_divergences")
    traced_after = MomentFilter(field_name="traced_at", lookup_expr="gte")
    traced_before = MomentFilter(field_name="traced_at", lookup_expr="lt")
    search = ClaimSearchFilter(help_text=SEARCH_HELP)

    class Meta:
        model = Claim
        fields = ["story", "article", "outlet", "label"]

    def filter_divergence_type(self, queryset, name, value):
        return queryset.filter(Exists(Divergence.objects.filter(claim=OuterRef("pk"), type=value)))

    def filter_has_divergences(self, queryset, name, value):
        exists = Exists(Divergence.objects.filter(claim=OuterRef("pk")))
        return queryset.filter(exists) if value else queryset.exclude(exists)


class DivergenceFilter(filters.FilterSet):
    type = filters.ChoiceFilter(choices=Divergence.Type.choices)
    claim = IdFilter(field_name="claim_id")
    article = IdFilter(field_name="claim__version__article_id")
    story = IdFilter(field_name="claim__version__article__story_membership__story_id")
    outlet = IdFilter(field_name="claim__version__article__outlet_id")
    label = filters.ChoiceFilter(field_name="claim__label", choices=Label.choices, help_text="The claim's label.")
    created_after = MomentFilter(field_name="created_at", lookup_expr="gte")
    created_before = MomentFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Divergence
        fields = ["type", "claim", "article", "story", "outlet", "label"]


class VerdictFilter(filters.FilterSet):
    state = filters.ChoiceFilter(choices=Verdict.State.choices)
    label = filters.ChoiceFilter(choices=Verdict.Label.choices)
    is_stale = filters.BooleanFilter()
    claim = IdFilter(field_name="claim_id")
    story = IdFilter(field_name="claim__version__article__story_membership__story_id")
    outlet = IdFilter(field_name="claim__version__article__outlet_id")
    divergence_type = filters.ChoiceFilter(choices=Divergence.Type.choices, method="filter_divergence_type")
    updated_after = MomentFilter(field_name="updated_at", lookup_expr="gte")
    updated_before = MomentFilter(field_name="updated_at", lookup_expr="lt")

    class Meta:
        model = Verdict
        fields = ["state", "label", "is_stale", "claim", "story", "outlet"]

    def filter_divergence_type(self, queryset, name, value):
        return queryset.filter(Exists(Divergence.objects.filter(claim=OuterRef("claim_id"), type=value)))


class TraceJobFilter(filters.FilterSet):
    state = filters.ChoiceFilter(choices=TraceJob.State.choices)
    created_after = MomentFilter(field_name="created_at", lookup_expr="gte")
    created_before = MomentFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = TraceJob
        fields = ["state"]
