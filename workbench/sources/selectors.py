"""Reading sources: article search."""

from __future__ import annotations

import re

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from workbench.core.search import (
    RANK_FIELD,
    SEARCH_CONFIG,
    SEARCH_TERMS_MAX_CHARS,
    full_text_available,
    text_vector,
)
from workbench.sources.models import ARTICLE_SEARCH_FIELDS, ArticleVersion

# A match in the headline says more about what an article is about than one somewhere in its text.
HEADLINE_RANK_WEIGHT = 4.0


def articles_search(queryset: QuerySet, *, terms: str, full_text: bool | None = None) -> QuerySet:
    """The articles of ``queryset`` whose headline, byline or text (any version) matches ``terms``. On PostgreSQL,
    ranked (``search_rank``: the headline's rank, weighted, plus the best version's) and served by the GIN indexes
    ``article_headline_search`` and ``version_text_search``; elsewhere every word is contained in the headline, the
    byline or a version's text."""
    if not (full_text if full_text is not None else full_text_available()):
        for word in re.findall(r"\w+", terms[:SEARCH_TERMS_MAX_CHARS]):
            in_text = ArticleVersion.objects.filter(clean_text__icontains=word).values("article_id")
            queryset = queryset.filter(Q(headline__icontains=word) | Q(byline__icontains=word) | Q(pk__in=in_text))
        return queryset
    query = SearchQuery(terms.strip()[:SEARCH_TERMS_MAX_CHARS], search_type="websearch", config=SEARCH_CONFIG)
    head, body = text_vector(*ARTICLE_SEARCH_FIELDS), text_vector("clean_text")
    matching_versions = ArticleVersion.objects.alias(search_document=body).filter(search_document=query)
    best_version = (
        matching_versions.filter(article=OuterRef("pk"))
        .annotate(rank=SearchRank(body, query))
        .order_by("-rank")
        .values("rank")[:1]
    )
    rank = HEADLINE_RANK_WEIGHT * SearchRank(head, query) + Coalesce(Subquery(best_version), Value(0.0))
    return (
        queryset.alias(search_document=head)
        .filter(Q(search_document=query) | Q(pk__in=matching_versions.values("article_id")))
        .annotate(**{RANK_FIELD: rank})
    )
