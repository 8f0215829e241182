"""`POST /api/v1/check/`: the pre-publication check of a draft, its request and response shapes. Stores nothing."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from workbench.api.serializers import ArticleContentMixin
from workbench.engine.types import FlagType, Label
from workbench.provenance.checking import draft_check
from workbench.sources.models import Article


class CheckRequestSerializer(ArticleContentMixin, serializers.Serializer):
    """A draft as text or HTML; the origin by id or by its stored URL, or found in the archive when neither is given."""

    content = serializers.CharField(
        trim_whitespace=False, max_length=None, help_text="The draft as plain text or HTML."
    )
    headline = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    outlet = serializers.CharField(
        required=False, allow_blank=True, max_length=200, default="", help_text="Outlet name."
    )
    origin = serializers.PrimaryKeyRelatedField(
        queryset=Article.objects.select_related("outlet"),
        required=False,
        allow_null=True,
        default=None,
        help_text="Id of the stored article the draft is based on.",
    )
    origin_url = serializers.URLField(
        required=False,
        allow_blank=True,
        max_length=2000,
        default="",
        help_text="Canonical URL of the stored article the draft is based on (it is not fetched).",
    )

    def validate(self, attrs):
        url = attrs.pop("origin_url", "")
        if url and attrs.get("origin") is not None:
            raise serializers.ValidationError({"origin_url": ["Give origin or origin_url, not both."]})
        if url:
            origin = Article.objects.select_related("outlet").filter(canonical_url=url).first()
            if origin is None:
                raise serializers.ValidationError({"origin_url": ["No stored article has this URL."]})
            attrs["origin"] = origin
        return attrs


class CheckedFlagSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=[(t.value, t.display_name) for t in FlagType])
    severity = serializers.IntegerField(help_text="3 high, 2 medium, 1 low.")
    span = serializers.CharField()
    origin_span = serializers.CharField(allow_null=True)
    explanation = serializers.CharField()


class CheckedSentenceSerializer(serializers.Serializer):
    text = serializers.CharField()
    label = serializers.ChoiceField(choices=[(label.value, label.display_name) for label in Label])
    origin_text = serializers.CharField(allow_null=True)
    score = serializers.FloatField()
    attribution = serializers.CharField(allow_null=True)
    flags = CheckedFlagSerializer(many=True)


class CheckedOriginSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    headline = serializers.CharField()
    url = serializers.CharField(source="canonical_url")


class CheckResponseSerializer(serializers.Serializer):
    origin = CheckedOriginSerializer(allow_null=True, help_text="The archived article traced against; null if none.")
    role = serializers.ChoiceField(choices=["derivative", "unrelated"])
    blocking = serializers.BooleanField(help_text="True when any flag is of high severity: hold publication.")
    high_severity_flags = serializers.IntegerField()
    flag_counts = serializers.DictField(child=serializers.IntegerField(), help_text="Flags in the draft by type.")
    sentences = CheckedSentenceSerializer(many=True)


class CheckView(APIView):
    """Trace a draft against the archive before it is published. Needs the read scope; counts against the submit rate
    (each check runs the engine)."""

    action = "check"
    submission_actions = frozenset({"check"})

    @extend_schema(
        summary="Check a draft against its origin before publication (stores nothing)",
        request=CheckRequestSerializer,
        responses={200: CheckResponseSerializer},
    )
    def post(self, request):
        serializer = CheckRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        checked = draft_check(**serializer.validated_data)
        draft = checked.report["articles"][0]
        body = {
            "origin": checked.origin,
            "role": draft["role"],
            "blocking": checked.blocking,
            "high_severity_flags": checked.high_severity_flags,
            "flag_counts": checked.flag_counts,
            "sentences": draft["sentences"],
        }
        return Response(CheckResponseSerializer(body).data)
