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


def _lineage(article: Article) -> list[Article]:
    """The article and its ancestors in its story's tree, nearest first, ending at the story's origin."""
    from workbench.provenance.models import StoryMembership

    membership = StoryMembership.objects.filter(article=article).select_related("story").first()
    if membership is None:
        return [article]
    parents = dict(StoryMembership.objects.filter(story=membership.story).values_list("article_id", "parent_id"))
    chain_ids = [article.pk]
    node = parents.get(article.pk)
    while node is not None and node not in chain_ids:
        chain_ids.append(node)
        node = parents.get(node)
    if membership.story.origin_id not in chain_ids:
        chain_ids.append(membership.story.origin_id)
    by_pk = Article.objects.select_related("outlet").in_bulk(chain_ids)
    return [article, *(by_pk[pk] for pk in chain_ids[1:] if pk in by_pk)]


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
    first_added = claim.first_appeared_in if claim.first_appeared_in_id else None
    # The claim appears in the article and, following the story's tree upward, in each article it was copied through:
    # up to the origin for a claim traced there, up to the article that first added it otherwise.
    appearances = [article]
    if origins or first_added is not None:
        ancestors = _lineage(article)[1:]
        upto = [a.pk for a in ancestors].index(first_added.pk) + 1 if not origins and first_added in ancestors else 0
        appearances += ancestors if origins else ancestors[:upto]
    appearances += [a for a in origins if a.pk not in {x.pk for x in appearances}]
    first = origins[0] if origins else first_added or article
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
