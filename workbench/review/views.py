"""Public read-only views: a published verdict as a page for readers and as ClaimReview JSON-LD."""

from __future__ import annotations

import json

from django.http import Http404, JsonResponse
from django.template.response import TemplateResponse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from workbench.review.claimreview import claim_review
from workbench.review.selectors import verdict_published, verdicts_for_export

# JSON inside <script>: "<", ">" and "&" escaped so no text in it can close the element.
_SCRIPT_SAFE = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


@require_safe
def claimreview_json(request, pk: int):
    verdict = verdicts_for_export().filter(pk=pk, state="approved").first()
    if verdict is None:
        raise Http404("No published verdict with this id.")
    response = JsonResponse(claim_review(verdict, base_url=request.build_absolute_uri("/")))
    response["Content-Type"] = "application/ld+json"
    return response


@require_safe
def verdict_page(request, pk: int):
    """A published verdict for readers: the claim, the verdict and its reasons, the origin sentence, the lineage,
    with its ClaimReview embedded as JSON-LD (what search engines read). 404 unless the verdict is approved."""
    published = verdict_published(verdict_id=pk)
    if published is None:
        raise Http404("No published verdict with this id.")
    document = claim_review(published.verdict, base_url=request.build_absolute_uri("/"))
    json_ld = json.dumps(document, ensure_ascii=False, indent=1).translate(_SCRIPT_SAFE)
    return TemplateResponse(
        request,
        "review/verdict.html",
        {"published": published, "verdict": published.verdict, "claim_review": document, "json_ld": mark_safe(json_ld)},
    )
