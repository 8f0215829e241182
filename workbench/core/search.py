"""Full-text search: PostgreSQL's text search with GIN indexes and ranked results, and a plain fallback elsewhere.

The indexed expressions are declared once here and used by both the models' indexes and the queries, so the
planner can use the index (it matches a query's expression to an index's only when the two are the same).
"""

from __future__ import annotations

import re

from django.contrib.admin.views.main import ORDER_VAR
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection, migrations
from django.db.models import Q, QuerySet

SEARCH_CONFIG = "english"
SEARCH_TERMS_MAX_CHARS = 200
RANK_FIELD = "search_rank"


def text_vector(*fields: str) -> SearchVector:
    """The document a GIN index holds and a query matches: the fields' words, stemmed as English."""
    return SearchVector(*fields, config=SEARCH_CONFIG)


def full_text_available() -> bool:
    return connection.vendor == "postgresql"


def ranked_search(
    queryset: QuerySet, *, terms: str, vector: SearchVector, fields: list[str], full_text: bool | None = None
) -> QuerySet:
    """Rows matching ``terms`` (web-search syntax: words, "quoted phrases", -excluded, or). On PostgreSQL they match
    ``vector`` (indexed) and carry their rank in ``search_rank``; elsewhere every word must appear in one of
    ``fields``, case-insensitively, and the rows are not ranked. ``full_text``: which of the two (by default, the
    full-text search wherever the database has it)."""
    terms = terms.strip()[:SEARCH_TERMS_MAX_CHARS]
    if full_text if full_text is not None else full_text_available():
        query = SearchQuery(terms, search_type="websearch", config=SEARCH_CONFIG)
        return (
            queryset.alias(search_document=vector)
            .filter(search_document=query)
            .annotate(**{RANK_FIELD: SearchRank(vector, query)})
        )
    for word in re.findall(r"\w+", terms):
        queryset = queryset.filter(Q.create([(f"{field}__icontains", word) for field in fields], connector=Q.OR))
    return queryset


class AddIndexOnPostgres(migrations.AddIndex):
    """An index only PostgreSQL has (GIN over a text-search vector): recorded in the models' state everywhere,
    created only on PostgreSQL (SQLite, the development default, has no GIN indexes and searches without one)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class RankedSearchAdminMixin:
    """The admin's search box through ``search_with`` (a ``*_search`` selector) on PostgreSQL: full-text matches,
    best first unless a column is chosen; elsewhere Django's own search over ``search_fields``."""

    search_with = None

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip() or not full_text_available():
            return super().get_search_results(request, queryset, search_term)
        found = type(self).search_with(queryset, terms=search_term)
        if ORDER_VAR not in request.GET:  # the change list orders before it searches: rank replaces that order
            found = found.order_by(f"-{RANK_FIELD}", "-pk")
        return found, False
