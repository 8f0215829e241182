"""Explicit serializers, one per direction: response serializers, and request serializers (the "requests" section).
They validate shapes only; ownership and state are set by services."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from workbench.api.models import Scope, Webhook, WebhookDelivery
from workbench.claims.models import Claim
from workbench.engine.language import not_traced_reason
from workbench.provenance.models import Divergence, ProvenanceLink, Story, StoryMembership, TraceJob
from workbench.provenance.selectors import trace_job_progress
from workbench.review.models import ClaimAssignment, Verdict
from workbench.review.selectors import verdict_actions
from workbench.sources.models import Article, ArticleVersion, Outlet

MAX_TRACE_WITH = 50
MAX_WEBHOOK_STORIES = 500


class SparseFieldsMixin:
    """`?fields=a,b` keeps only those top-level fields of the response (unknown names are a 400 in the view)."""

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is None or self.parent is not None and not isinstance(self.parent, serializers.ListSerializer):
            return fields
        wanted = self.context.get("sparse_fields")
        if wanted:
            return {name: field for name, field in fields.items() if name in wanted}
        return fields


# ---------------------------------------------------------------- responses


class OutletSerializer(serializers.ModelSerializer):
    class Meta:
        model = Outlet
        fields = ["id", "name", "domain", "kind"]


class ArticleVersionSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = ArticleVersion
        fields = ["id", "number", "content_type", "content_hash", "arrival", "fetched_at", "language"]


class ArticleVersionSerializer(serializers.ModelSerializer):
    not_traced_reason = serializers.CharField(read_only=True)

    class Meta:
        model = ArticleVersion
        fields = [
            "id",
            "number",
            "content_type",
            "content_hash",
            "arrival",
            "fetched_at",
            "language",
            "not_traced_reason",
            "clean_text",
            "removed_lines",
        ]


class ArticleBriefSerializer(serializers.ModelSerializer):
    outlet = OutletSerializer(allow_null=True)

    class Meta:
        model = Article
        fields = ["id", "headline", "canonical_url", "published_at", "outlet"]


class _ArticleBase(SparseFieldsMixin, serializers.ModelSerializer):
    outlet = OutletSerializer(allow_null=True)
    story = serializers.SerializerMethodField()
    role = serializers.SerializerMethodField()
    version_count = serializers.SerializerMethodField()

    def get_version_count(self, article) -> int:
        return len(article.version_rows)

    def get_story(self, article) -> int | None:
        membership = getattr(article, "story_membership", None)
        return membership.story_id if membership else None

    def get_role(self, article) -> str:
        membership = getattr(article, "story_membership", None)
        return membership.role if membership else StoryMembership.Role.UNRELATED


class ArticleSerializer(_ArticleBase):
    """Needs workbench.api.selectors.article_list (versions prefetched as `version_rows`)."""

    versions = ArticleVersionSummarySerializer(many=True, source="version_rows")

    class Meta:
        model = Article
        fields = [
            "id",
            "headline",
            "byline",
            "canonical_url",
            "published_at",
            "language",
            "outlet",
            "story",
            "role",
            "version_count",
            "versions",
            "created_at",
            "updated_at",
        ]


class ArticleDetailSerializer(_ArticleBase):
    """Needs workbench.api.selectors.article_detail (versions prefetched as `version_rows`)."""

    versions = ArticleVersionSerializer(many=True, source="version_rows")

    class Meta:
        model = Article
        fields = ArticleSerializer.Meta.fields


class StorySerializer(SparseFieldsMixin, serializers.ModelSerializer):
    origin = ArticleBriefSerializer()
    derivative_count = serializers.SerializerMethodField()
    derivatives = serializers.SerializerMethodField()

    class Meta:
        model = Story
        fields = ["id", "title", "origin", "derivative_count", "derivatives", "created_at", "updated_at"]

    def get_derivative_count(self, story) -> int:
        return len(story.derivative_memberships)

    @extend_schema_field(ArticleBriefSerializer(many=True))
    def get_derivatives(self, story):
        return ArticleBriefSerializer([m.article for m in story.derivative_memberships], many=True).data


class OriginClaimSerializer(serializers.ModelSerializer):
    article = serializers.IntegerField(source="version.article_id")
    version = serializers.IntegerField(source="version.number")

    class Meta:
        model = Claim
        fields = ["id", "article", "version", "position", "start", "end", "text"]


class ProvenanceLinkSerializer(serializers.ModelSerializer):
    origin_claim = OriginClaimSerializer()

    class Meta:
        model = ProvenanceLink
        fields = ["id", "rank", "score", "method", "origin_claim"]


class DivergenceSerializer(SparseFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = Divergence
        fields = [
            "id",
            "claim",
            "link",
            "type",
            "span_start",
            "span_end",
            "span",
            "origin_claim",
            "origin_start",
            "origin_end",
            "origin_span",
            "explanation",
            "created_at",
        ]


class DivergenceInClaimSerializer(serializers.ModelSerializer):
    """A divergence inside its claim: the claim and the creation time are the claim's to say."""

    class Meta:
        model = Divergence
        fields = [name for name in DivergenceSerializer.Meta.fields if name not in ("claim", "created_at")]


class VerdictBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Verdict
        fields = ["id", "label", "state", "is_stale", "revision"]


class ClaimSerializer(SparseFieldsMixin, serializers.ModelSerializer):
    """Needs workbench.api.selectors.claim_list: its article, version number and story annotated, and its links and
    divergences prefetched as `link_rows` and `divergence_rows`."""

    article = serializers.IntegerField(source="article_id", read_only=True)
    version = serializers.IntegerField(source="version_number", read_only=True)
    story = serializers.IntegerField(source="story_id", read_only=True, allow_null=True)
    links = ProvenanceLinkSerializer(many=True, source="link_rows")
    divergences = DivergenceInClaimSerializer(many=True, source="divergence_rows")
    verdict = serializers.SerializerMethodField()
    language = serializers.CharField(source="version_language", read_only=True)
    not_traced_reason = serializers.SerializerMethodField()

    class Meta:
        model = Claim
        fields = [
            "id",
            "article",
            "version",
            "story",
            "position",
            "start",
            "end",
            "text",
            "label",
            "label_score",
            "attribution",
            "attribution_speaker",
            "attribution_hedge",
            "traced_at",
            "language",
            "not_traced_reason",
            "links",
            "divergences",
            "verdict",
        ]

    def get_not_traced_reason(self, claim) -> str:
        """Why the engine gave this claim no label (its article's language), or "" when it traced it."""
        return not_traced_reason(claim.version_language) or ""

    @extend_schema_field(VerdictBriefSerializer(allow_null=True))
    def get_verdict(self, claim):
        try:
            verdict = claim.verdict
        except Verdict.DoesNotExist:
            return None
        if verdict.state != Verdict.State.APPROVED and not self.context.get("can_review"):
            return None
        return VerdictBriefSerializer(verdict).data


VERDICT_ACTIONS = ("update", "submit", "approve", "send_back", "reopen")


class VerdictSerializer(SparseFieldsMixin, serializers.ModelSerializer):
    reviewer = serializers.CharField(source="reviewer.get_username")
    approver = serializers.CharField(source="approver.get_username", allow_null=True, default=None)
    article = serializers.IntegerField(source="claim.version.article_id")
    etag = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField(
        help_text="What the caller may do with the verdict now (empty without the review scope)."
    )

    class Meta:
        model = Verdict
        fields = [
            "id",
            "claim",
            "article",
            "label",
            "rationale",
            "corrected_wording",
            "state",
            "is_stale",
            "stale_reason",
            "revision",
            "etag",
            "allowed_actions",
            "reviewer",
            "approver",
            "created_at",
            "updated_at",
        ]

    def get_etag(self, verdict) -> str:
        return verdict_etag(verdict)

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=VERDICT_ACTIONS)))
    def get_allowed_actions(self, verdict) -> list[str]:
        request = self.context.get("request")
        if request is None or not self.context.get("can_review"):
            return []
        try:
            assignment = verdict.claim.assignment
        except ClaimAssignment.DoesNotExist:
            assignment = None
        may = verdict_actions(user=request.user, verdict=verdict, assignment=assignment)
        allowed = {
            "update": may.edit,
            "submit": may.submit,
            "approve": may.decide,
            "send_back": may.decide,
            "reopen": may.reopen,
        }
        return [name for name in VERDICT_ACTIONS if allowed[name]]


class ReviewEventSerializer(serializers.Serializer):
    """One step of a claim's review, refused conflicting saves included."""

    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    kind = serializers.CharField()
    actor = serializers.CharField(source="actor.get_username", allow_null=True, default=None)
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    revision = serializers.IntegerField(allow_null=True)
    comment = serializers.CharField()
    changes = serializers.DictField(help_text="{field: [stored, new]}; for a refused save, [stored, attempted].")


class VerdictHistorySerializer(serializers.Serializer):
    history_id = serializers.IntegerField()
    history_date = serializers.DateTimeField()
    history_type = serializers.ChoiceField(choices=[("+", "created"), ("~", "changed"), ("-", "deleted")])
    history_user = serializers.CharField(source="history_user.get_username", allow_null=True, default=None)
    label = serializers.CharField()
    state = serializers.CharField()
    is_stale = serializers.BooleanField()
    stale_reason = serializers.CharField()
    rationale = serializers.CharField()
    corrected_wording = serializers.CharField()
    revision = serializers.IntegerField()


class TraceJobProgressSerializer(serializers.Serializer):
    """workbench.provenance.selectors.trace_job_progress, read fresh."""

    id = serializers.IntegerField()
    state = serializers.ChoiceField(choices=TraceJob.State.choices)
    attempts = serializers.IntegerField()
    done = serializers.IntegerField(help_text="Sentences traced so far.")
    total = serializers.IntegerField(help_text="Sentences to trace (0 until known).")
    error = serializers.CharField(allow_blank=True)
    created_at = serializers.CharField(allow_null=True)
    enqueued_at = serializers.CharField(allow_null=True)
    started_at = serializers.CharField(allow_null=True)
    finished_at = serializers.CharField(allow_null=True)
    queued_s = serializers.FloatField(allow_null=True)
    running_s = serializers.FloatField(allow_null=True)
    story = serializers.IntegerField(allow_null=True)


class TraceJobSerializer(serializers.ModelSerializer):
    articles = serializers.SerializerMethodField()
    sentences_done = serializers.IntegerField()
    sentences_total = serializers.IntegerField()

    class Meta:
        model = TraceJob
        fields = [
            "id",
            "state",
            "url",
            "articles",
            "origin",
            "story",
            "attempts",
            "sentences_done",
            "sentences_total",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        ]

    def get_articles(self, job) -> list[int]:
        return sorted(article.pk for article in job.articles.all())


class TraceJobDetailSerializer(TraceJobSerializer):
    progress = serializers.SerializerMethodField()

    class Meta(TraceJobSerializer.Meta):
        fields = [*TraceJobSerializer.Meta.fields, "progress"]

    @extend_schema_field(TraceJobProgressSerializer)
    def get_progress(self, job):
        return trace_job_progress(job)


class SubmitResponseSerializer(serializers.Serializer):
    job = TraceJobDetailSerializer()
    job_url = serializers.URLField()
    replayed = serializers.BooleanField(
        help_text="True when this is the stored answer to an earlier identical request."
    )


class WebhookSerializer(serializers.ModelSerializer):
    stories = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    events = serializers.ListField(child=serializers.ChoiceField(choices=Webhook.Event.choices))

    class Meta:
        model = Webhook
        fields = ["id", "url", "events", "stories", "is_active", "created_at", "updated_at"]


class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(help_text="HMAC-SHA256 key for X-Workbench-Signature. Shown only now.")

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event_id",
            "event",
            "payload",
            "state",
            "attempts",
            "last_status_code",
            "last_error",
            "created_at",
            "delivered_at",
        ]


class TokenInfoSerializer(serializers.Serializer):
    username = serializers.CharField()
    token_name = serializers.CharField(allow_null=True)
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=Scope.choices))


# ---------------------------------------------------------------- requests


class ArticleContentMixin:
    """An article's text or HTML in a request: within the ingest limit and not empty."""

    def validate_content(self, value: str) -> str:
        limit = settings.INGEST_MAX_BYTES
        size = len(value.encode("utf-8"))
        if size > limit:
            raise serializers.ValidationError(f"The content is {size:,} bytes; the limit is {limit:,}.")
        if not value.strip():
            raise serializers.ValidationError("The content is empty.")
        return value


class ArticleSubmitSerializer(ArticleContentMixin, serializers.Serializer):
    """Either `url` (fetched by the worker) or `content` (text or HTML), plus optional metadata."""

    url = serializers.URLField(required=False, max_length=2000, help_text="http(s) URL of the article to fetch.")
    content = serializers.CharField(
        required=False, trim_whitespace=False, help_text="The article as plain text or HTML.", max_length=None
    )
    headline = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    outlet = serializers.CharField(
        required=False, allow_blank=True, max_length=200, default="", help_text="Outlet name."
    )
    published_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    origin = serializers.PrimaryKeyRelatedField(
        queryset=Article.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="Article to treat as the origin; detected when omitted.",
    )
    trace_with = serializers.ListField(
        child=serializers.PrimaryKeyRelatedField(queryset=Article.objects.all()),
        required=False,
        default=list,
        max_length=MAX_TRACE_WITH,
        help_text=f"Ids of stored articles to trace together with this one (at most {MAX_TRACE_WITH}).",
    )

    def validate_url(self, value: str) -> str:
        if value.split(":", 1)[0].lower() not in ("http", "https"):
            raise serializers.ValidationError("Only http and https URLs can be fetched.")
        return value

    def validate(self, attrs):
        has_url, has_content = bool(attrs.get("url")), bool(attrs.get("content"))
        if has_url == has_content:
            raise serializers.ValidationError(
                {"url": ["Give either url or content, not both."], "content": ["Give either url or content, not both."]}
                if has_url
                else {"url": ["Give a url or content."], "content": ["Give a url or content."]}
            )
        return attrs


class VerdictCreateSerializer(serializers.Serializer):
    claim = serializers.PrimaryKeyRelatedField(queryset=Claim.objects.all())
    label = serializers.ChoiceField(choices=Verdict.Label.choices)
    rationale = serializers.CharField(required=False, allow_blank=True, default="", max_length=20_000)
    corrected_wording = serializers.CharField(required=False, allow_blank=True, default="", max_length=20_000)
    evidence_links = serializers.ListField(
        child=serializers.URLField(max_length=2000), required=False, default=list, max_length=50
    )


class VerdictUpdateSerializer(serializers.Serializer):
    label = serializers.ChoiceField(choices=Verdict.Label.choices, required=False)
    rationale = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    corrected_wording = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    evidence_links = serializers.ListField(child=serializers.URLField(max_length=2000), required=False, max_length=50)
    revision = serializers.IntegerField(
        required=False, min_value=1, help_text="The revision you read; alternative to the If-Match header."
    )

    def validate(self, attrs):
        if not set(attrs) - {"revision"}:
            raise serializers.ValidationError("Give at least one field to change.")
        return attrs


class VerdictTransitionSerializer(serializers.Serializer):
    revision = serializers.IntegerField(
        required=False, min_value=1, help_text="The revision you read; alternative to the If-Match header."
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5_000)


class WebhookCreateSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=2000)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=Webhook.Event.choices),
        min_length=1,
        max_length=len(Webhook.Event.values),
        default=list(Webhook.Event.values),
    )
    stories = serializers.ListField(
        child=serializers.PrimaryKeyRelatedField(queryset=Story.objects.all()),
        help_text="Ids of stories to follow.",
        max_length=MAX_WEBHOOK_STORIES,
    )

    def validate_url(self, value: str) -> str:
        if value.split(":", 1)[0].lower() not in ("http", "https"):
            raise serializers.ValidationError("Only http and https URLs are allowed.")
        return value


class WebhookUpdateSerializer(WebhookCreateSerializer):
    url = serializers.URLField(max_length=2000, required=False)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=Webhook.Event.choices),
        min_length=1,
        required=False,
        max_length=len(Webhook.Event.values),
    )
    stories = serializers.ListField(
        child=serializers.PrimaryKeyRelatedField(queryset=Story.objects.all()),
        required=False,
        max_length=MAX_WEBHOOK_STORIES,
    )
    is_active = serializers.BooleanField(required=False)


def verdict_etag(verdict: Verdict) -> str:
    return f'"r{verdict.revision}"'
