"""schema.org ClaimReview JSON-LD for published verdicts.

Rating scale (reviewRating.ratingValue, worstRating 1, bestRating 5; alternateName carries the label's name):

    5  Supported     the origin says this, as said
    4  Other source  accurate, but it comes from a source other than the origin named or implied
    3  Altered       the origin says something like this, changed (detail added, hedge dropped, number moved...)
    2  Unsourced     nothing in the origin or elsewhere backs it
    1  Contradicted  the origin says otherwise

"Needs more work" is not a finding and is never published (verdict_approve refuses it).
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from workbench.engine.types import REVIEWABLE_LABELS
from workbench.review.errors import InvalidTransition
from workbench.review.models import Verdict
from workbench.sources.models import Article

# The rating follows the engine's faithfulness of each reviewable label (LABEL_INFO): 5 faithful ... 1 contradicted.
RATING_SCALE: dict[str, int] = {label.value: label.faithfulness for label in REVIEWABLE_LABELS}
WORST_RATING = min(RATING_SCALE.values())
BEST_RATING = max(RATING_SCALE.values())
DEFAULT_PUBLISHER_NAME = "Provenance workbench"  # the fact-checking organisation named as author
DEFAULT_PUBLIC_BASE_URL = "http://127.0.0.1:8000"
REQUIRED_FIELDS = (
    "@context",
    "@type",
    "url",
    "claimReviewed",
    "reviewRating",
    "itemReviewed",
    "author",
    "datePublished",
)


def public_base_url() -> str:
    """The site's address for links made outside a request: the first CSRF-trusted origin (set in production to
    the public https origin), else the local development server."""
    origins = getattr(settings, "CSRF_TRUSTED_ORIGINS", None) or []
    return origins[0] if origins else DEFAULT_PUBLIC_BASE_URL


def claim_review(verdict: Verdict, *, base_url: str | None = None) -> dict:
    """The ClaimReview object for an approved verdict.

    Expects verdict.claim.version.article.outlet and verdict.claim.links (with origin_claim.version.article.outlet)
    to be loaded or loadable (see selectors.verdicts_for_export for a prefetching queryset). Raises InvalidTransition
    for a verdict that is not approved: only published verdicts are exported.
    """
    if verdict.state != Verdict.State.APPROVED or verdict.approved_at is None:
        raise InvalidTransition(
            f"Verdict {verdict.pk} is {verdict.get_state_display().lower()}; only approved verdicts are published."
        )
    base = (base_url or public_base_url()).rstrip("/")
    claim = verdict.claim
    article = claim.version.article
    origins: list[Article] = []
    for link in sorted(claim.links.all(), key=lambda link: link.rank):
        origin_article = link.origin_claim.version.article
        if origin_article.pk not in {a.pk for a in origins}:
            origins.append(origin_article)
    first = origins[0] if origins else article
    appearances = [article, *[a for a in origins if a.pk != article.pk]]
    item: dict = {
        "@type": "Claim",
        "appearance": [_creative_work(a) for a in appearances],
        "firstAppearance": _creative_work(first),
    }
    if article.outlet_id:
        item["author"] = {"@type": "Organization", "name": article.outlet.name}
    if article.published_at:
        item["datePublished"] = article.published_at.date().isoformat()
    label = Verdict.Label(verdict.label)
    review = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": base + reverse("review:verdict", args=[verdict.pk]),  # the page a reader opens
        "claimReviewed": claim.text,
        "itemReviewed": item,
        "author": {
            "@type": "Organization",
            "name": DEFAULT_PUBLISHER_NAME,
            "url": base + "/",
        },
        "datePublished": verdict.approved_at.date().isoformat(),
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": RATING_SCALE[label],
            "worstRating": WORST_RATING,
            "bestRating": BEST_RATING,
            "alternateName": label.label,
        },
    }
    if verdict.rationale:
        review["reviewBody"] = verdict.rationale
    if verdict.corrected_wording:
        review["description"] = f"Accurate wording: {verdict.corrected_wording}"
    if verdict.evidence_links:
        review["citation"] = list(verdict.evidence_links)
    return review


def _creative_work(article: Article) -> dict:
    work: dict = {"@type": "CreativeWork"}
    if article.canonical_url:
        work["url"] = article.canonical_url
    if article.headline:
        work["headline"] = article.headline
    if article.published_at:
        work["datePublished"] = article.published_at.date().isoformat()
    if article.outlet_id:
        work["publisher"] = {"@type": "Organization", "name": article.outlet.name}
    return work
