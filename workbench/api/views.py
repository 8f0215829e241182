"""REST endpoints under /api/v1/. Views parse and authorise; selectors read; services write."""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response
from rest_framework.views import APIView

from workbench.api import exports, selectors, services
from workbench.api.exceptions import PreconditionRequired, UnprocessableEntity
from workbench.api.filters import (
    ArticleFilter,
    ClaimFilter,
    DivergenceFilter,
    QueryFilterBackend,
    StoryFilter,
    TraceJobFilter,
    VerdictFilter,
)
from workbench.api.models import ApiToken, Scope, Webhook
from workbench.api.permissions import request_has_scope
from workbench.api.renderers import JSONLDRenderer, ScriptSafeJSONRenderer
from workbench.api.serializers import (
    ArticleDetailSerializer,
    ArticleSerializer,
    ArticleSubmitSerializer,
    ClaimSerializer,
    DivergenceSerializer,
    OutletSerializer,
    ReviewEventSerializer,
    StorySerializer,
    SubmitResponseSerializer,
    TokenInfoSerializer,
    TraceJobDetailSerializer,
    TraceJobSerializer,
    VerdictCreateSerializer,
    VerdictHistorySerializer,
    VerdictSerializer,
    VerdictTransitionSerializer,
    VerdictUpdateSerializer,
    WebhookCreatedSerializer,
    WebhookCreateSerializer,
    WebhookDeliverySerializer,
    WebhookSerializer,
    WebhookUpdateSerializer,
    verdict_etag,
)
from workbench.provenance.models import TraceJob
from workbench.review import services as review_services
from workbench.sources.models import Outlet

IDEMPOTENCY_KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")
ETAG_PATTERN = re.compile(r'^(?:W/)?"?r?(\d+)"?$')
# An ETag this API sends is "r" and a revision number; a header far longer is refused before it is parsed (Python
# refuses to convert integer strings over 4,300 digits, which would otherwise be a 500).
IF_MATCH_MAX_CHARS = 64
VERDICT_HISTORY_MAX = 500

TRANSITIONS = {
    "submit": review_services.verdict_submit,
    "approve": review_services.verdict_approve,
    "return": review_services.verdict_return,
    "reopen": review_services.verdict_reopen,
}
NOTE_ARGUMENT = {"return": "comment", "reopen": "reason"}

FIELDS_PARAMETER = OpenApiParameter(
    "fields", OpenApiTypes.STR, description="Comma-separated top-level fields to return (sparse fieldset)."
)


# Exports answer JSON-LD or JSON, both safe to paste into a page's script element.
JSONLD_RENDERERS = [JSONLDRenderer, ScriptSafeJSONRenderer]


def _jsonld_responses(description: str) -> dict:
    """An export's answer in the schema: JSON-LD, as application/ld+json or, when asked for, plain JSON."""
    body = OpenApiResponse(OpenApiTypes.OBJECT, description=description)
    return {(200, "application/ld+json"): body, (200, "application/json"): body}


class SparseFieldsViewMixin:
    """Reads `?fields=`; an unknown field name is a 400 naming it."""

    def get_serializer_context(self):
        context = super().get_serializer_context()
        raw = self.request.query_params.get("fields") if self.request else None
        if raw is not None:
            wanted = {name.strip() for name in raw.split(",") if name.strip()}
            known = set(self.get_serializer_class()().fields)
            unknown = sorted(wanted - known)
            if unknown or not wanted:
                raise ValidationError(
                    {
                        "fields": [
                            f"Unknown field(s): {', '.join(unknown) or '(none given)'}. "
                            f"Known: {', '.join(sorted(known))}."
                        ]
                    }
                )
            context["sparse_fields"] = wanted
        context["can_review"] = request_has_scope(self.request, Scope.REVIEW) if self.request else False
        return context


class ReadOnlyViewSet(SparseFieldsViewMixin, viewsets.ReadOnlyModelViewSet):
    filter_backends = [QueryFilterBackend, OrderingFilter]
    ordering = ["-id"]


# ---------------------------------------------------------------- outlets, articles, jobs


@extend_schema_view(list=extend_schema(summary="List outlets"), retrieve=extend_schema(summary="An outlet"))
class OutletViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = OutletSerializer
    filter_backends = [QueryFilterBackend, OrderingFilter]
    ordering_fields = ["id", "name"]
    ordering = ["name"]

    def get_queryset(self):
        return Outlet.objects.all()


@extend_schema_view(
    list=extend_schema(summary="List articles", parameters=[FIELDS_PARAMETER]),
    retrieve=extend_schema(summary="An article with its versions", parameters=[FIELDS_PARAMETER]),
)
class ArticleViewSet(SparseFieldsViewMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    filterset_class = ArticleFilter
    ordering_fields = ["id", "created_at", "updated_at"]
    ordering = ["-id"]
    required_scopes = {"create": Scope.SUBMIT}
    submission_actions = frozenset({"create"})
    extra_error_codes = {"POST": (422,)}

    def get_queryset(self):
        if self.action == "retrieve":
            return selectors.article_detail(user=self.request.user)
        return selectors.article_list(user=self.request.user)

    def get_serializer_class(self):
        if self.action == "create":
            return ArticleSubmitSerializer
        return ArticleDetailSerializer if self.action == "retrieve" else ArticleSerializer

    @extend_schema(
        summary="Submit an article (URL or text/HTML) for tracing",
        request=ArticleSubmitSerializer,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="Any unique string (max 255 printable ASCII). A retry with the same key and body returns "
                "the first answer instead of starting a second job.",
            )
        ],
        responses={202: SubmitResponseSerializer},
    )
    def create(self, request, *args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        if key is not None and not IDEMPOTENCY_KEY_PATTERN.match(key):
            raise ValidationError({"Idempotency-Key": ["1 to 255 printable ASCII characters, no spaces."]})
        fingerprint = services.request_fingerprint(method="POST", path=request.path, body=request.data)
        if key is not None:
            replay = self._replay(key, fingerprint)
            if replay is not None:
                return replay
        serializer = ArticleSubmitSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        try:
            with transaction.atomic():
                job = services.article_submit(by=request.user, **serializer.validated_data)
                body = self._submit_body(job)
                if key is not None:
                    services.idempotent_store(
                        user=request.user, key=key, fingerprint=fingerprint, status=status.HTTP_202_ACCEPTED, body=body
                    )
        except IntegrityError:
            if key is None:
                raise
            replay = self._replay(key, fingerprint)  # a concurrent request with the same key won the race
            if replay is None:
                raise
            return replay
        return Response(
            {**body, "replayed": False}, status=status.HTTP_202_ACCEPTED, headers={"Location": body["job_url"]}
        )

    def _submit_body(self, job) -> dict:
        job_url = self.request.build_absolute_uri(reverse("api:job-detail", kwargs={"pk": job.pk}))
        return {"job": TraceJobDetailSerializer(job).data, "job_url": job_url}

    def _replay(self, key: str, fingerprint: str) -> Response | None:
        try:
            replay = services.idempotent_replay(user=self.request.user, key=key, fingerprint=fingerprint)
        except services.IdempotencyMismatch:
            raise UnprocessableEntity("This Idempotency-Key was already used with a different request.") from None
        if replay is None:
            return None
        return Response(
            {**replay.body, "replayed": True},
            status=replay.status,
            headers={"Location": replay.body.get("job_url", "")},
        )


@extend_schema_view(
    list=extend_schema(summary="Your trace jobs"), retrieve=extend_schema(summary="A trace job's state and progress")
)
class TraceJobViewSet(viewsets.ReadOnlyModelViewSet):
    filterset_class = TraceJobFilter
    filter_backends = [QueryFilterBackend, OrderingFilter]
    ordering_fields = ["id", "created_at"]
    ordering = ["-id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return TraceJob.objects.none()
        return selectors.trace_job_list(user=self.request.user)

    def get_serializer_class(self):
        return TraceJobDetailSerializer if self.action == "retrieve" else TraceJobSerializer


# ---------------------------------------------------------------- stories, claims, divergences


@extend_schema_view(
    list=extend_schema(summary="List stories with origin and derivatives", parameters=[FIELDS_PARAMETER]),
    retrieve=extend_schema(summary="A story with origin and derivatives", parameters=[FIELDS_PARAMETER]),
)
class StoryViewSet(ReadOnlyViewSet):
    serializer_class = StorySerializer
    filterset_class = StoryFilter
    ordering_fields = ["id", "created_at", "updated_at"]

    def get_queryset(self):
        return selectors.story_list(user=self.request.user)

    @extend_schema(
        summary="The story's provenance as W3C PROV-JSON",
        responses={
            (200, "application/json"): OpenApiResponse(OpenApiTypes.OBJECT, description="A PROV-JSON document.")
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="prov",
        renderer_classes=[ScriptSafeJSONRenderer],
    )
    def prov(self, request, pk=None):
        story = self.get_object()
        return Response(exports.story_prov_json(story=story))

    @extend_schema(
        summary="ClaimReview JSON-LD for the story's approved verdicts",
        responses=_jsonld_responses("A JSON-LD @graph."),
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="claimreview",
        renderer_classes=JSONLD_RENDERERS,
    )
    def claimreview(self, request, pk=None):
        story = self.get_object()
        return Response(exports.story_claim_reviews(story=story))


@extend_schema_view(
    list=extend_schema(summary="List claims with provenance links and divergences", parameters=[FIELDS_PARAMETER]),
    retrieve=extend_schema(summary="A claim with provenance links and divergences", parameters=[FIELDS_PARAMETER]),
)
class ClaimViewSet(ReadOnlyViewSet):
    serializer_class = ClaimSerializer
    filterset_class = ClaimFilter
    ordering_fields = ["id", "position"]

    def get_queryset(self):
        return selectors.claim_list(user=self.request.user)


@extend_schema_view(
    list=extend_schema(summary="List divergences (spans with offsets)", parameters=[FIELDS_PARAMETER]),
    retrieve=extend_schema(summary="A divergence", parameters=[FIELDS_PARAMETER]),
)
class DivergenceViewSet(ReadOnlyViewSet):
    serializer_class = DivergenceSerializer
    filterset_class = DivergenceFilter
    ordering_fields = ["id", "span_start"]

    def get_queryset(self):
        return selectors.divergence_list(user=self.request.user)


# ---------------------------------------------------------------- verdicts


def expected_revision(request, body_revision: int | None) -> int:
    """The revision the client last read: If-Match (an ETag such as "r3", or 3) wins over `revision` in the body.

    Raises PreconditionRequired when neither is given and ValidationError for a malformed If-Match.
    """
    header = request.headers.get("If-Match")
    if header is not None:
        if len(header) > IF_MATCH_MAX_CHARS:
            raise ValidationError({"If-Match": [f"At most {IF_MATCH_MAX_CHARS} characters; send the ETag you read."]})
        match = ETAG_PATTERN.match(header.strip())
        if not match:
            raise ValidationError({"If-Match": ['Send the ETag you read, e.g. "r3".']})
        return int(match.group(1))
    if body_revision is not None:
        return body_revision
    raise PreconditionRequired()


@extend_schema_view(
    list=extend_schema(summary="List verdicts (reviewers see drafts too)", parameters=[FIELDS_PARAMETER]),
    retrieve=extend_schema(
        summary="A verdict; its ETag is the revision to send in If-Match", parameters=[FIELDS_PARAMETER]
    ),
)
class VerdictViewSet(
    SparseFieldsViewMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    filterset_class = VerdictFilter
    ordering_fields = ["id", "created_at", "updated_at"]
    ordering = ["-id"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    required_scopes = {
        "create": Scope.REVIEW,
        "partial_update": Scope.REVIEW,
        "submit": Scope.REVIEW,
        "approve": Scope.REVIEW,
        "send_back": Scope.REVIEW,
        "reopen": Scope.REVIEW,
    }
    extra_error_codes = {
        "PATCH": (409, 412, 428),
        "submit": (409, 412, 428),
        "approve": (409, 412, 428),
        "send_back": (409, 412, 428),
        "reopen": (409, 412, 428),
        "create": (409,),
        "claimreview": (409,),
    }

    def get_queryset(self):
        can_review = request_has_scope(self.request, Scope.REVIEW)
        return selectors.verdict_list(user=self.request.user, can_review=can_review)

    def get_serializer_class(self):
        return VerdictSerializer

    def retrieve(self, request, *args, **kwargs):
        verdict = self.get_object()
        return self._verdict_response(verdict)

    def _verdict_response(self, verdict, *, status_code=status.HTTP_200_OK, reload: bool = False) -> Response:
        if reload:
            verdict = selectors.verdict_list(user=self.request.user, can_review=True).get(pk=verdict.pk)
        data = VerdictSerializer(verdict, context=self.get_serializer_context()).data
        return Response(data, status=status_code, headers={"ETag": verdict_etag(verdict)})

    @extend_schema(
        summary="Record a verdict on a claim", request=VerdictCreateSerializer, responses={201: VerdictSerializer}
    )
    def create(self, request, *args, **kwargs):
        serializer = VerdictCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        verdict = review_services.verdict_create(by=request.user, **serializer.validated_data)
        response = self._verdict_response(verdict, status_code=status.HTTP_201_CREATED, reload=True)
        response["Location"] = request.build_absolute_uri(reverse("api:verdict-detail", kwargs={"pk": verdict.pk}))
        return response

    @extend_schema(
        summary="Change a verdict (If-Match required)",
        request=VerdictUpdateSerializer,
        responses={200: VerdictSerializer},
        parameters=[
            OpenApiParameter("If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, description="The ETag you read.")
        ],
    )
    def partial_update(self, request, *args, **kwargs):
        verdict = self.get_object()
        serializer = VerdictUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        revision = expected_revision(request, changes.pop("revision", None))
        verdict = review_services.verdict_update(
            verdict=verdict, expected_revision=revision, by=request.user, **changes
        )
        return self._verdict_response(verdict, reload=True)

    def update(self, request, *args, **kwargs):
        if not kwargs.get("partial"):
            raise NotFound()
        return self.partial_update(request, *args, **kwargs)

    def _transition(self, request, step: str) -> Response:
        verdict = self.get_object()
        serializer = VerdictTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        note = serializer.validated_data["note"].strip()
        if step in NOTE_ARGUMENT and not note:
            raise ValidationError({"note": [f"A {NOTE_ARGUMENT[step]} is required to {step} a verdict."]})
        revision = expected_revision(request, serializer.validated_data.get("revision"))
        extra = {NOTE_ARGUMENT[step]: note} if step in NOTE_ARGUMENT else {}
        verdict = TRANSITIONS[step](verdict=verdict, expected_revision=revision, by=request.user, **extra)
        return self._verdict_response(verdict, reload=True)

    _transition_schema = dict(
        request=VerdictTransitionSerializer,
        responses={200: VerdictSerializer},
        parameters=[
            OpenApiParameter("If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, description="The ETag you read.")
        ],
    )

    @extend_schema(summary="Submit a draft verdict for approval", **_transition_schema)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._transition(request, "submit")

    @extend_schema(summary="Approve a submitted verdict", **_transition_schema)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._transition(request, "approve")

    @extend_schema(summary="Return a submitted verdict to its reviewer (note required)", **_transition_schema)
    @action(detail=True, methods=["post"], url_path="return")
    def send_back(self, request, pk=None):
        return self._transition(request, "return")

    @extend_schema(summary="Reopen an approved or returned verdict", **_transition_schema)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._transition(request, "reopen")

    @extend_schema(summary="The verdict's history, newest first", responses={200: VerdictHistorySerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request, pk=None):
        verdict = self.get_object()
        records = verdict.history.select_related("history_user").order_by("-history_date", "-history_id")[
            :VERDICT_HISTORY_MAX
        ]
        return Response(VerdictHistorySerializer(records, many=True).data)

    @extend_schema(
        summary="The verdict's review events, newest first, refused conflicting saves included",
        responses={200: ReviewEventSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def events(self, request, pk=None):
        verdict = self.get_object()
        events = verdict.events.select_related("actor").order_by("-created_at", "-id")[:VERDICT_HISTORY_MAX]
        return Response(ReviewEventSerializer(events, many=True).data)

    @extend_schema(
        summary="The verdict as ClaimReview JSON-LD",
        responses=_jsonld_responses("A schema.org ClaimReview."),
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="claimreview",
        pagination_class=None,
        filter_backends=[],
        renderer_classes=JSONLD_RENDERERS,
    )
    def claimreview(self, request, pk=None):
        verdict = self.get_object()
        return Response(exports.verdict_claim_review(verdict=verdict))


# ---------------------------------------------------------------- webhooks


@extend_schema_view(
    list=extend_schema(summary="Your webhooks"),
    retrieve=extend_schema(summary="A webhook"),
    destroy=extend_schema(summary="Delete a webhook"),
)
class WebhookViewSet(viewsets.ModelViewSet):
    serializer_class = WebhookSerializer
    filter_backends = [QueryFilterBackend, OrderingFilter]
    ordering_fields = ["id", "created_at"]
    ordering = ["-id"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Webhook.objects.none()
        return selectors.webhook_list(user=self.request.user)

    @extend_schema(
        summary="Register a webhook for stories you follow",
        request=WebhookCreateSerializer,
        responses={201: WebhookCreatedSerializer},
    )
    def create(self, request, *args, **kwargs):
        serializer = WebhookCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token = request.auth if isinstance(request.auth, ApiToken) else None
        created = services.webhook_create(owner=request.user, token=token, **serializer.validated_data)
        webhook = self.get_queryset().get(pk=created.webhook.pk)
        data = {**WebhookSerializer(webhook).data, "secret": created.secret}
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Change a webhook", request=WebhookUpdateSerializer, responses={200: WebhookSerializer})
    def partial_update(self, request, *args, **kwargs):
        webhook = self.get_object()
        serializer = WebhookUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        webhook = services.webhook_update(webhook=webhook, by=request.user, **serializer.validated_data)
        return Response(WebhookSerializer(self.get_queryset().get(pk=webhook.pk)).data)

    def update(self, request, *args, **kwargs):
        if not kwargs.get("partial"):
            raise NotFound()
        return self.partial_update(request, *args, **kwargs)

    def perform_destroy(self, instance):
        services.webhook_delete(webhook=instance, by=self.request.user)

    @extend_schema(
        summary="The webhook's deliveries, newest first", responses={200: WebhookDeliverySerializer(many=True)}
    )
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        webhook = self.get_object()
        queryset = selectors.webhook_delivery_list(user=request.user, webhook=webhook).order_by("-id")
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)


# ---------------------------------------------------------------- who am I, and the rest


@extend_schema(exclude=True)
class NotFoundView(APIView):
    """Any other path under /api/v1/: authentication first (an anonymous caller learns nothing, not even which paths
    exist: 401), then a 404 in the API's error shape."""

    def _not_found(self, request, *args, **kwargs):
        raise NotFound("No such API endpoint.")

    get = post = put = patch = delete = head = options = _not_found


class MeView(APIView):
    @extend_schema(summary="The caller's user name, token and scopes", responses={200: TokenInfoSerializer})
    def get(self, request):
        token = request.auth if isinstance(request.auth, ApiToken) else None
        scopes = [scope for scope in Scope.values if request_has_scope(request, scope)]
        return Response(
            TokenInfoSerializer(
                {"username": request.user.get_username(), "token_name": token.name if token else None, "scopes": scopes}
            ).data
        )
