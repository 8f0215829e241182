"""`?search=` on the claim and article lists: ranked full-text results on PostgreSQL, plain matches elsewhere."""

from __future__ import annotations

import django_filters as filters

from workbench.claims.selectors import claims_search
from workbench.core.search import RANK_FIELD, SEARCH_TERMS_MAX_CHARS, full_text_available
from workbench.sources.selectors import articles_search

SEARCH_HELP = (
    'Words to find (web-search syntax: "a phrase", -excluded, or). On PostgreSQL the best matches come first; '
    f"at most {SEARCH_TERMS_MAX_CHARS} characters are read."
)


class ClaimSearchFilter(filters.CharFilter):
    def __init__(self, **kwargs):
        super().__init__(method=lambda queryset, name, value: claims_search(queryset, terms=value), **kwargs)


class ArticleSearchFilter(filters.CharFilter):
    def __init__(self, **kwargs):
        super().__init__(method=lambda queryset, name, value: articles_search(queryset, terms=value), **kwargs)


class SearchRankOrderingMixin:
    """With ``?search=`` on PostgreSQL the list is ordered by rank, best first (id breaks ties), and the cursor
    pages through it in that order; otherwise the view's usual ordering."""

    default_ordering = ("-id",)

    @property
    def ordering(self):
        request = getattr(self, "request", None)
        terms = request.query_params.get("search", "") if request is not None else ""
        if terms.strip() and full_text_available():
            return [f"-{RANK_FIELD}", "-id"]
        return list(self.default_ordering)
