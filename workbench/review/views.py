"""Public read-only views: a published verdict as ClaimReview JSON-LD."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_safe

from workbench.core.safe_json import script_safe_dumps
from workbench.review.claimreview import claim_review
from workbench.review.selectors import verdicts_for_export


@require_safe
def claimreview_json(request, pk: int):
    verdict = verdicts_for_export().filter(pk=pk, state="approved").first()
    if verdict is None:
        raise Http404("No published verdict with this id.")
    review = claim_review(verdict, base_url=request.build_absolute_uri("/"))
    return HttpResponse(script_safe_dumps(review), content_type="application/ld+json")
