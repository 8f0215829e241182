"""Exports: a story's provenance as W3C PROV-JSON (via the `prov` package) and verdicts as ClaimReview JSON-LD."""

from __future__ import annotations

import json

from django.db.models import Prefetch
from prov.constants import PROV
from prov.identifier import Namespace
from prov.model import ProvDocument

from workbench.claims.models import Claim
from workbench.provenance.models import Divergence, ProvenanceLink, Story, StoryMembership
from workbench.provenance.selectors import latest_versions
from workbench.review.claimreview import claim_review
from workbench.review.models import Verdict
from workbench.review.selectors import verdicts_for_export

PROV_NAMESPACE = "https://provenance-workbench.example/ns#"
PROV_PREFIX = "wb"
WB = Namespace(PROV_PREFIX, PROV_NAMESPACE)


def _normalise(text: str) -> str:
    return " ".join(text.split()).strip(" \"'“”‘’").casefold()


def story_prov_document(*, story: Story) -> ProvDocument:
    """The story as a PROV document.

    Entities: each member article's newest version (wb:version-<id>) and its claims (wb:claim-<id>, members of the
    version); the origin's version carries why it was chosen (wb:originReasons). Agents: outlets (wb:outlet-<id>), to
    which versions are attributed. Relations: a derivative version wasDerivedFrom its parent's version (the origin,
    or the derivative it was copied from); a derivative claim wasQuotedFrom its origin claim when it repeats it
    verbatim, else wasDerivedFrom it (with score, method and the divergence types found). A fixed number of queries.
    """
    memberships = list(
        StoryMembership.objects.filter(story=story).select_related("article__outlet").order_by("role", "article_id")
    )
    articles = [m.article for m in memberships]
    if story.origin_id not in {a.pk for a in articles}:
        articles.append(story.origin)
    role_of = {m.article_id: m.role for m in memberships}
    parent_of = {m.article_id: m.parent_id for m in memberships}
    versions = latest_versions(articles)
    claims = list(
        Claim.objects.filter(version__in=list(versions.values()))
        .order_by("version_id", "position")
        .prefetch_related(
            Prefetch("links", queryset=ProvenanceLink.objects.order_by("rank")),
            Prefetch("divergences", queryset=Divergence.objects.only("id", "claim_id", "type", "link_id")),
        )
    )
    claim_text = {claim.pk: claim.text for claim in claims}

    doc = ProvDocument()
    doc.add_namespace(WB)

    def ident(kind: str, pk: int) -> str:
        return f"{PROV_PREFIX}:{kind}-{pk}"

    for article in articles:
        if article.outlet_id:
            doc.agent(
                ident("outlet", article.outlet_id),
                {
                    "prov:type": PROV["Organization"],
                    "prov:label": article.outlet.name,
                    f"{PROV_PREFIX}:domain": article.outlet.domain,
                },
            )
    origin_version = versions.get(story.origin_id)
    for article in articles:
        version = versions.get(article.pk)
        if version is None:
            continue
        attributes = {
            "prov:type": PROV["Collection"],
            "prov:label": article.headline or f"Article {article.pk}",
            f"{PROV_PREFIX}:article": article.pk,
            f"{PROV_PREFIX}:version": version.number,
            f"{PROV_PREFIX}:role": role_of.get(
                article.pk, StoryMembership.Role.ORIGIN if article.pk == story.origin_id else ""
            ),
            f"{PROV_PREFIX}:contentHash": version.content_hash,
        }
        if article.canonical_url:
            attributes["prov:location"] = article.canonical_url
        if article.pk == story.origin_id and story.origin_reasons:
            attributes[f"{PROV_PREFIX}:originReasons"] = "; ".join(story.origin_reasons)
        entity = doc.entity(ident("version", version.pk), attributes)
        if article.outlet_id:
            doc.wasAttributedTo(entity, ident("outlet", article.outlet_id))
        if origin_version is not None and version.pk != origin_version.pk and role_of.get(article.pk) == "derivative":
            # Derived from the article it was copied from: the origin, or another derivative (the story's tree).
            parent_version = versions.get(parent_of.get(article.pk)) or origin_version
            doc.wasDerivedFrom(entity, ident("version", parent_version.pk))
    for claim in claims:
        attributes = {
            "prov:type": WB["Claim"],
            "prov:value": claim.text,
            f"{PROV_PREFIX}:position": claim.position,
            f"{PROV_PREFIX}:start": claim.start,
            f"{PROV_PREFIX}:end": claim.end,
        }
        if claim.label:
            attributes[f"{PROV_PREFIX}:label"] = claim.label
        doc.entity(ident("claim", claim.pk), attributes)
        doc.hadMember(ident("version", claim.version_id), ident("claim", claim.pk))
    for claim in claims:
        divergence_types = sorted({d.type for d in claim.divergences.all()})
        for link in claim.links.all():
            origin_text = claim_text.get(link.origin_claim_id)
            relation_attributes = {
                f"{PROV_PREFIX}:score": round(link.score, 4),
                f"{PROV_PREFIX}:method": link.method,
                f"{PROV_PREFIX}:rank": link.rank,
            }
            if divergence_types:
                relation_attributes[f"{PROV_PREFIX}:divergences"] = ",".join(divergence_types)
            target = ident("claim", link.origin_claim_id)
            if origin_text is None:
                doc.entity(target, {"prov:type": WB["Claim"]})
                claim_text[link.origin_claim_id] = ""
            verbatim = bool(origin_text) and _normalise(origin_text) == _normalise(claim.text) and not divergence_types
            if verbatim:
                doc.wasQuotedFrom(ident("claim", claim.pk), target, other_attributes=relation_attributes)
            else:
                doc.wasDerivedFrom(ident("claim", claim.pk), target, other_attributes=relation_attributes)
    return doc


def story_prov_json(*, story: Story) -> dict:
    """The PROV-JSON serialisation of story_prov_document, as a dict."""
    return json.loads(story_prov_document(story=story).serialize(format="json"))


def verdict_claim_review(*, verdict: Verdict) -> dict:
    """ClaimReview JSON-LD for an approved verdict. Raises InvalidTransition for one that is not approved."""
    return claim_review(verdicts_for_export().get(pk=verdict.pk))


def story_claim_reviews(*, story: Story) -> dict:
    """{"@context", "@graph": [ClaimReview, ...]} for the approved verdicts on the claims of the story's articles."""
    verdicts = (
        verdicts_for_export()
        .filter(state=Verdict.State.APPROVED, claim__version__article__story_membership__story=story)
        .order_by("claim__version__article_id", "claim__position")
    )
    graph = []
    for verdict in verdicts:
        review = claim_review(verdict)
        review.pop("@context", None)
        graph.append(review)
    return {"@context": "https://schema.org", "@graph": graph}
