"""The fact-checkers' workflow in the admin: the review queue, the claim review page, a story's overview.

Every write goes through workbench.review.services; every read through workbench.review.selectors.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from workbench.claims.models import Claim, Label
from workbench.core.errors import WorkbenchError
from workbench.core.safe_json import script_safe_dumps
from workbench.provenance.models import Divergence, Story, StoryMembership
from workbench.review import selectors, services
from workbench.review.claimreview import claim_review
from workbench.review.errors import InvalidTransition
from workbench.review.forms import VerdictForm
from workbench.review.graph import story_graph
from workbench.review.highlight import Span, highlight, plain, sentences_in_text
from workbench.review.models import ClaimAssignment, ReviewEvent, ReviewQueueItem, Verdict
from workbench.review.roles import EDITOR, FACT_CHECKER
from workbench.review.selectors import DIVERGENCE_SEVERITY, SEVERITY_NAMES, ReviewState
from workbench.sources.models import Article, ArticleVersion, Outlet
from workbench.sources.services import article_outlet_correct

# --------------------------------------------------------------------------------------------------------- filters


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return ReviewState.CHOICES

    def queryset(self, request, queryset):
        return queryset.filter(review_state=self.value()) if self.value() else queryset


class StoryFilter(admin.SimpleListFilter):
    title = "story"
    parameter_name = "story"

    def lookups(self, request, model_admin):
        return [(str(s.pk), str(s)[:80]) for s in Story.objects.select_related("origin").order_by("-created_at")[:50]]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(version__article__story_membership__story_id=int(self.value()))
        return queryset


class ArticleFilter(admin.SimpleListFilter):
    """One article's claims: the story page links here. Listed in the side bar only while it is applied."""

    title = "article"
    parameter_name = "article"

    def lookups(self, request, model_admin):
        value = self.value()
        if value and value.isdigit():
            return [(value, str(a)[:80]) for a in Article.objects.filter(pk=int(value))]
        return []

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(version__article_id=int(self.value()))
        return queryset


class DivergenceTypeFilter(admin.SimpleListFilter):
    title = "divergence type"
    parameter_name = "divergence"

    def lookups(self, request, model_admin):
        return Divergence.Type.choices

    def queryset(self, request, queryset):
        if self.value() in Divergence.Type.values:
            return selectors.review_queue_filter_divergence_type(queryset, self.value())
        return queryset


class AssigneeFilter(admin.SimpleListFilter):
    title = "assignee"
    parameter_name = "assignee"

    def lookups(self, request, model_admin):
        reviewers = (
            get_user_model().objects.filter(groups__name__in=[FACT_CHECKER, EDITOR]).distinct().order_by("username")
        )
        return [("me", "Assigned to me"), ("none", "Unassigned")] + [(str(u.pk), u.get_username()) for u in reviewers]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "me":
            return queryset.filter(assignment__assignee=request.user)
        if value == "none":
            return queryset.filter(assignment__isnull=True)
        if value and value.isdigit():
            return queryset.filter(assignment__assignee_id=int(value))
        return queryset


class EngineLabelFilter(admin.SimpleListFilter):
    title = "engine label"
    parameter_name = "label"

    def lookups(self, request, model_admin):
        return [(value, label) for value, label in Label.choices if value in selectors.QUEUE_CLAIM_LABELS]

    def queryset(self, request, queryset):
        return queryset.filter(label=self.value()) if self.value() else queryset


class VerdictLabelFilter(admin.SimpleListFilter):
    title = "verdict label"
    parameter_name = "verdict_label"

    def lookups(self, request, model_admin):
        return Verdict.Label.choices

    def queryset(self, request, queryset):
        return queryset.filter(verdict__label=self.value()) if self.value() else queryset


# ------------------------------------------------------------------------------------------------------ the queue


QUEUE_CLAIM_CHARS = 200  # the cell trims to its width; the full text is in the title


def _url(name: str, *args) -> str:
    return reverse(f"admin:review_reviewqueueitem_{name}", args=args)


@admin.register(ReviewQueueItem)
class ReviewQueueAdmin(admin.ModelAdmin):
    change_list_template = "admin/review/queue_change_list.html"
    list_display = ["sentence", "outlet", "story", "engine_label", "worst_flag", "state_badge", "assignee"]
    list_display_links = None
    list_filter = [
        StateFilter,
        StoryFilter,
        ArticleFilter,
        ("version__article__outlet", admin.RelatedOnlyFieldListFilter),
        EngineLabelFilter,
        VerdictLabelFilter,
        DivergenceTypeFilter,
        AssigneeFilter,
    ]
    search_fields = ["text", "version__article__headline"]
    list_per_page = 50
    actions = ["take_for_review", "accept_engine_label", "export_claimreview"]

    # --- permissions: reviewers see the queue; nobody adds or deletes claims here

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("review.view_reviewqueueitem") or request.user.has_perm("review.view_verdict")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_review_permission(self, request):
        return request.user.has_perm("review.add_verdict")

    def get_ordering(self, request):
        return list(selectors.QUEUE_ORDERING)

    def get_queryset(self, request):
        return selectors.review_queue(ReviewQueueItem.objects.all()).prefetch_related("divergences")

    # --- columns

    @admin.display(description="Claim", ordering="priority")
    def sentence(self, obj):
        text = obj.text if len(obj.text) <= QUEUE_CLAIM_CHARS else obj.text[: QUEUE_CLAIM_CHARS - 1] + "…"
        return format_html(
            '<a href="{}" class="rv-claim" title="{}">{}</a>', _url("change", obj.pk), plain(obj.text), plain(text)
        )

    @admin.display(description="State", ordering="review_state")
    def state_badge(self, obj):
        label = dict(ReviewState.CHOICES).get(obj.review_state, obj.review_state)
        verdict = _verdict_of(obj)
        title = f"{label}: {verdict.get_label_display()}" if verdict else label
        return format_html('<span class="state state-{}" title="{}">{}</span>', obj.review_state, title, label)

    @admin.display(description="Worst flag", ordering="-max_severity")
    def worst_flag(self, obj):
        found = sorted(obj.divergences.all(), key=lambda d: (-DIVERGENCE_SEVERITY.get(d.type, 1), d.span_start))
        if not found:
            return "—"
        worst = found[0]
        severity = DIVERGENCE_SEVERITY.get(worst.type, 1)
        return format_html(
            '<span class="flagtag sev-{}" title="{}">{}{}</span>',
            severity,
            " / ".join(f"{d.get_type_display()}: {d.explanation}" for d in found),
            worst.get_type_display(),
            f" +{len(found) - 1}" if len(found) > 1 else "",
        )

    @admin.display(description="Engine", ordering="label")
    def engine_label(self, obj):
        return obj.get_label_display()

    @admin.display(description="Assignee", ordering="assignment__assignee__username")
    def assignee(self, obj):
        assignment = _assignment_of(obj)
        return assignment.assignee.get_username() if assignment else "—"

    @admin.display(description="Outlet", ordering="version__article__outlet__name")
    def outlet(self, obj):
        article = obj.version.article
        outlet = article.outlet.name if article.outlet_id else "unknown outlet"
        return format_html('<span title="{}: {}">{}</span>', outlet, plain(str(article)), outlet)

    @admin.display(description="Story")
    def story(self, obj):
        membership = _membership_of(obj)
        if membership is None:
            return "—"
        title = plain(str(membership.story))
        return format_html('<a href="{}" title="{}">{}</a>', _url("story", membership.story_id), title, title)

    def changelist_view(self, request, extra_context=None):
        counts = selectors.review_state_counts(self.get_queryset(request))
        extra_context = {
            **(extra_context or {}),
            "workload": selectors.reviewer_workload(user=request.user),
            "state_counts": [(key, label, counts[key]) for key, label in ReviewState.CHOICES],
            "current_state": request.GET.get("state", ""),
        }
        return super().changelist_view(request, extra_context)

    # --- bulk actions

    @admin.action(description="Take the selected claims for review (self-assign)", permissions=["review"])
    def take_for_review(self, request, queryset):
        taken = 0
        for claim in queryset:
            try:
                services.claim_self_assign(claim=claim, by=request.user)
                taken += 1
            except WorkbenchError as exc:
                self.message_user(request, str(exc), messages.WARNING)
        self.message_user(request, f"{taken} claim(s) assigned to you.", messages.SUCCESS)

    @admin.action(description="Accept the engine's label (supported claims only) and submit", permissions=["review"])
    def accept_engine_label(self, request, queryset):
        made, skipped = services.claims_accept_engine_label(claims=list(queryset), by=request.user)
        self.message_user(
            request, f"{len(made)} supported verdict(s) recorded and submitted for approval.", messages.SUCCESS
        )
        if skipped:
            details = "; ".join(f"claim {claim.pk}: {why}" for claim, why in skipped[:10])
            more = f" (and {len(skipped) - 10} more)" if len(skipped) > 10 else ""
            self.message_user(request, f"{len(skipped)} skipped — {details}{more}", messages.WARNING)

    @admin.action(description="Export the selected approved verdicts as ClaimReview JSON-LD", permissions=["view"])
    def export_claimreview(self, request, queryset):
        return _export(self, request, selectors.verdicts_for_export().filter(claim__in=queryset.values("pk")))

    # --- extra pages

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:object_id>/change/", view(self.review_view), name="review_reviewqueueitem_change"),
            path("text/<int:version_id>/", view(self.text_view), name="review_reviewqueueitem_text"),
            path("story/<int:story_id>/", view(self.story_view), name="review_reviewqueueitem_story"),
            *super().get_urls(),
        ]

    def review_view(self, request, object_id: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        if not self.get_queryset(request).filter(pk=object_id).exists():
            raise Http404("This claim is not in the review queue.")
        claim = Claim.objects.get(pk=object_id)
        form = None
        if request.method == "POST":
            form, done = self._handle_post(request, claim)
            if done:
                return HttpResponseRedirect(request.path)
        ctx = selectors.claim_review_context(claim_id=object_id)
        return TemplateResponse(request, "admin/review/claim_review.html", self._review_context(request, ctx, form))

    def _handle_post(self, request, claim: Claim) -> tuple[VerdictForm | None, bool]:
        """Run the requested step through the services. Returns (form to re-show, whether it succeeded)."""
        action = request.POST.get("action", "")
        user = request.user
        verdict = Verdict.objects.filter(claim=claim).first()
        form = VerdictForm(request.POST) if action in {"save", "submit"} else None
        try:
            revision = int(request.POST.get("revision") or 0)
        except ValueError:
            revision = -1
        note = request.POST.get("note", "")
        try:
            if action in {"save", "submit"}:
                if not form.is_valid():
                    messages.error(request, "The verdict was not saved: correct the fields marked below.")
                    return form, False
                if verdict is None:
                    verdict = services.verdict_create(claim=claim, by=user, **form.changes())
                    message = "Verdict recorded as a draft."
                else:
                    verdict = services.verdict_update(
                        verdict=verdict, expected_revision=form.cleaned_data["revision"] or 0, by=user, **form.changes()
                    )
                    message = f"Verdict saved (revision {verdict.revision})."
                if action == "submit":
                    verdict = services.verdict_submit(verdict=verdict, expected_revision=verdict.revision, by=user)
                    message = "Verdict submitted for approval."
            elif action in {"approve", "return", "reopen"}:
                if verdict is None:
                    raise InvalidTransition("This claim has no verdict yet.")
                if action == "approve":
                    services.verdict_approve(verdict=verdict, expected_revision=revision, by=user)
                    message = "Verdict approved and published."
                elif action == "return":
                    services.verdict_return(verdict=verdict, expected_revision=revision, by=user, comment=note)
                    message = "Verdict returned to its reviewer."
                else:
                    services.verdict_reopen(verdict=verdict, expected_revision=revision, by=user, reason=note)
                    message = "Verdict reopened as a draft."
            elif action == "take":
                services.claim_self_assign(claim=claim, by=user)
                message = "The claim is assigned to you."
            elif action == "release":
                services.claim_assign(claim=claim, assignee=None, by=user)
                message = "The claim is no longer assigned."
            elif action == "assign":
                assignee = get_user_model().objects.filter(pk=request.POST.get("assignee") or 0).first()
                if assignee is None:
                    raise InvalidTransition("Choose a reviewer to assign the claim to.")
                services.claim_assign(claim=claim, assignee=assignee, by=user)
                message = f"The claim is assigned to {assignee.get_username()}."
            else:
                raise InvalidTransition(f"Unknown step {action!r}.")
        except WorkbenchError as exc:
            messages.error(request, str(exc))
            return form, False
        messages.success(request, message)
        return None, True

    def _review_context(self, request, ctx: selectors.ClaimReviewContext, form: VerdictForm | None) -> dict:
        claim, verdict = ctx.claim, ctx.verdict
        if form is None:
            initial = {
                "label": claim.label if claim.label in Verdict.Label.values else Verdict.Label.NEEDS_MORE_WORK,
                "revision": 0,
            }
            if verdict is not None:
                initial = {
                    "label": verdict.label,
                    "rationale": verdict.rationale,
                    "corrected_wording": verdict.corrected_wording,
                    "evidence_links": "\n".join(verdict.evidence_links),
                    "revision": verdict.revision,
                }
            form = VerdictForm(initial=initial)
        flags = [
            {
                "index": i + 1,
                "divergence": d,
                "severity": DIVERGENCE_SEVERITY.get(d.type, 1),
                "severity_name": SEVERITY_NAMES[DIVERGENCE_SEVERITY.get(d.type, 1)],
            }
            for i, d in enumerate(ctx.divergences)
        ]
        claim_spans = [
            Span(
                f["divergence"].span_start,
                f["divergence"].span_end,
                f"sev-{f['severity']}",
                f"{f['index']}. {f['divergence'].get_type_display()}",
                str(f["index"]),
            )
            for f in flags
        ]
        origins = []
        for link in ctx.links:
            origin = link.origin_claim
            spans = [
                Span(
                    f["divergence"].origin_start,
                    f["divergence"].origin_end,
                    f"sev-{f['severity']}",
                    f"{f['index']}. {f['divergence'].get_type_display()}",
                    str(f["index"]),
                )
                for f in flags
                if f["divergence"].origin_claim_id == origin.pk and f["divergence"].origin_start is not None
            ]
            before, after = ctx.origin_context.get(origin.pk, (None, None))
            origins.append(
                {
                    "link": link,
                    "claim": origin,
                    "html": highlight(origin.text, spans),
                    "before": before,
                    "after": after,
                    "article": origin.version.article,
                    "text_url": _located_url(origin),
                }
            )
        user = request.user
        assignment = _assignment_of(claim)
        state = verdict.state if verdict else None
        may = selectors.verdict_actions(user=user, verdict=verdict, assignment=assignment)
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Review claim",
            "claim": claim,
            "claim_html": highlight(claim.text, claim_spans),
            "article": claim.version.article,
            "text_url": _located_url(claim),
            "before": ctx.before,
            "after": ctx.after,
            "origins": origins,
            "flags": flags,
            "verdict": verdict,
            "form": form,
            "events": ctx.events,
            "return_comment": next((e.comment for e in reversed(ctx.events) if e.kind == ReviewEvent.Kind.RETURNED), "")
            if state == Verdict.State.RETURNED
            else "",
            "story": ctx.story,
            "story_url": _url("story", ctx.story.pk) if ctx.story else "",
            "assignment": assignment,
            "can_edit": may.edit,
            "can_decide": may.decide,
            "can_reopen": may.reopen,
            "can_take": may.take,
            "can_release": may.release,
            "can_assign": may.assign,
            "reviewers": selectors.reviewers() if may.assign else [],
            "users_url": reverse("admin:auth_user_changelist") if user.has_perm("auth.change_user") else "",
            "approvers": selectors.verdict_possible_approvers(verdict=verdict)
            if state == Verdict.State.SUBMITTED
            else [],
            "submitted_event": next((e for e in reversed(ctx.events) if e.kind == ReviewEvent.Kind.SUBMITTED), None)
            if state == Verdict.State.SUBMITTED
            else None,
            "next_claim": selectors.review_queue_next(claim=claim, user=user),
            "public_url": reverse("review:verdict", args=[verdict.pk]) if state == Verdict.State.APPROVED else "",
            "history_url": reverse("admin:review_verdict_history", args=[verdict.pk]) if verdict else "",
            "claimreview_url": reverse("review:claimreview", args=[verdict.pk])
            if state == Verdict.State.APPROVED
            else "",
        }

    def text_view(self, request, version_id: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            version, claims = selectors.version_with_claims(version_id=version_id)
        except ArticleVersion.DoesNotExist as exc:
            raise Http404("No such article version.") from exc
        may_correct = _may_correct_outlet(request.user)
        if request.method == "POST":
            if not may_correct:
                raise PermissionDenied
            try:
                article_outlet_correct(
                    article=version.article, name=request.POST.get("outlet", ""), kind=request.POST.get("kind", "")
                )
            except WorkbenchError as exc:
                messages.error(request, f"The outlet was not changed: {exc}")
            else:
                messages.success(request, "Outlet corrected; ingesting the article again keeps your correction.")
                return HttpResponseRedirect(request.get_full_path())
            version, claims = selectors.version_with_claims(version_id=version_id)
        located = request.GET.get("claim", "")
        body = sentences_in_text(
            version.clean_text,
            [(c.start, c.end, f"claim-{c.pk}") for c in claims],
            located=f"claim-{located}" if located.isdigit() else "",
        )
        return TemplateResponse(
            request,
            "admin/review/article_text.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": f"Full text: {version.article}",
                "version": version,
                "article": version.article,
                "body": body,
                "located": located.isdigit(),
                "may_correct_outlet": may_correct,
                "outlet_kinds": Outlet.Kind.choices,
                "known_outlets": Outlet.objects.order_by("name").values_list("name", flat=True)[:500],
            },
        )

    def story_view(self, request, story_id: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            overview = selectors.story_overview(story_id=story_id)
        except Story.DoesNotExist as exc:
            raise Http404("No such story.") from exc
        label_order = [value for value in Label.values if value != Label.ORIGIN]
        rows = []
        for entry in [overview.origin, *overview.derivatives, *overview.unrelated]:
            rows.append(
                {
                    "entry": entry,
                    "engine": [
                        (Label(k).label if k in Label.values else k, entry.engine_labels.get(k, 0)) for k in label_order
                    ],
                    "verdicts": [
                        (Verdict.Label(k).label, entry.verdict_labels.get(k, 0)) for k in Verdict.Label.values
                    ],
                    "verdict_total": sum(entry.verdict_labels.values()),
                    "queue_url": _url("changelist") + f"?article={entry.article.pk}",
                    "text_url": _url("text", entry.version.pk) if entry.version else "",
                }
            )
        return TemplateResponse(
            request,
            "admin/review/story.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": f"Story: {overview.story}",
                "overview": overview,
                "rows": rows,
                "engine_headers": [Label(k).label for k in label_order],
                "graph": story_graph(overview),
                "queue_url": _url("changelist") + f"?story={overview.story.pk}",
            },
        )


def _may_correct_outlet(user) -> bool:
    """Reviewers (who record verdicts) and whoever may edit articles can correct an article's outlet."""
    return user.has_perm("review.add_verdict") or user.has_perm("sources.change_article")


def _located_url(claim: Claim) -> str:
    """The claim's article in full, the claim marked and scrolled to."""
    return _url("text", claim.version_id) + f"?claim={claim.pk}#claim-{claim.pk}"


def _verdict_of(claim: Claim) -> Verdict | None:
    try:
        return claim.verdict
    except Verdict.DoesNotExist:
        return None


def _assignment_of(claim: Claim):
    try:
        return claim.assignment
    except ClaimAssignment.DoesNotExist:
        return None


def _membership_of(claim: Claim):
    try:
        return claim.version.article.story_membership
    except StoryMembership.DoesNotExist:
        return None


def _export(model_admin, request, verdicts):
    approved = [v for v in verdicts if v.state == Verdict.State.APPROVED]
    if not approved:
        model_admin.message_user(
            request, "None of the selected claims has an approved verdict to export.", messages.ERROR
        )
        return None
    base = request.build_absolute_uri("/")
    payload = [claim_review(v, base_url=base) for v in approved]
    response = HttpResponse(
        script_safe_dumps(payload, ensure_ascii=False, indent=2), content_type="application/ld+json"
    )
    response["Content-Disposition"] = 'attachment; filename="claimreviews.jsonld"'
    return response


# ------------------------------------------------------------------------------------------ verdicts and the log


@admin.register(Verdict)
class VerdictAdmin(SimpleHistoryAdmin):
    """Verdicts and their revision history. Edits happen on the claim review page, through the services."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """A past revision, read-only. django-simple-history's form saves (reverts) on POST whatever the change
        permission says, which would change a verdict's state outside the review services: refused."""
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied(
                "A verdict's history is read-only: to go back to an earlier wording, edit the verdict and submit it."
            )
        return super().history_form_view(request, object_id, version_id, extra_context)

    list_display = ["claim_link", "label", "state", "is_stale", "reviewer", "approver", "revision", "updated_at"]
    list_filter = ["state", "label", "is_stale"]
    list_select_related = ["claim", "reviewer", "approver"]
    search_fields = ["claim__text", "rationale", "reviewer__username"]
    readonly_fields = [
        "claim",
        "label",
        "rationale",
        "corrected_wording",
        "evidence_links",
        "reviewer",
        "approver",
        "state",
        "is_stale",
        "stale_reason",
        "revision",
        "approved_at",
        "created_at",
        "updated_at",
    ]
    actions = ["export_claimreview"]
    history_list_display = ["state", "label", "revision"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Claim", ordering="claim__text")
    def claim_link(self, obj):
        return format_html('<a href="{}">{}</a>', _url("change", obj.claim_id), plain(str(obj.claim)))

    @admin.action(description="Export the selected approved verdicts as ClaimReview JSON-LD", permissions=["view"])
    def export_claimreview(self, request, queryset):
        return _export(self, request, selectors.verdicts_for_export().filter(pk__in=queryset.values("pk")))


@admin.register(ReviewEvent)
class ReviewEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "actor", "claim", "from_state", "to_state", "revision", "comment"]
    list_filter = ["kind"]
    list_select_related = ["actor", "claim"]
    search_fields = ["claim__text", "comment", "actor__username"]
    readonly_fields = [
        "claim",
        "verdict",
        "kind",
        "actor",
        "from_state",
        "to_state",
        "revision",
        "changes",
        "comment",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
