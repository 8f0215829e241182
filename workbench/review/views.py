"""Public read-only views: a published verdict as a page for readers and as ClaimReview JSON-LD."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from workbench.core.safe_json import script_safe_dumps
from workbench.review.claimreview import claim_review
from workbench.review.selectors import verdict_published, verdicts_for_export


@require_safe
def claimreview_json(request, pk: int):
    verdict = verdicts_for_export().filter(pk=pk, state="approved").first()
    if verdict is None:
        raise Http404("No published verdict with this id.")
    review = claim_review(verdict, base_url=request.build_absolute_uri("/"))
    return HttpResponse(script_safe_dumps(review), content_type="application/ld+json")


@require_safe
def verdict_page(request, pk: int):
    """A published verdict for readers: the claim, the verdict and its reasons, the origin sentence, the lineage,
    with its ClaimReview embedded as JSON-LD (what search engines read). 404 unless the verdict is approved."""
    published = verdict_published(verdict_id=pk)
    if published is None:
        raise Http404("No published verdict with this id.")
    document = claim_review(published.verdict, base_url=request.build_absolute_uri("/"))
    # Escaped for a script element (script_safe_dumps), so no text in it can close the element: safe to mark so.
    json_ld = mark_safe(script_safe_dumps(document, ensure_ascii=False, indent=1))
    return TemplateResponse(
        request,
        "review/verdict.html",
        {"published": published, "verdict": published.verdict, "claim_review": document, "json_ld": json_ld},
    )
