"""Public read-only views: a published verdict as ClaimReview JSON-LD."""

from __future__ import annotations

from django.http import Http404, JsonResponse
from django.views.decorators.http import require_safe

from workbench.review.claimreview import claim_review
from workbench.review.selectors import verdicts_for_export


@require_safe
def claimreview_json(request, pk: int):
    verdict = verdicts_for_export().filter(pk=pk, state="approved").first()
    if verdict is None:
        raise Http404("No published verdict with this id.")
    response = JsonResponse(claim_review(verdict, base_url=request.build_absolute_uri("/")))
    response["Content-Type"] = "application/ld+json"
    return response
