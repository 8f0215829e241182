"""Reading claims: search."""

from __future__ import annotations

from django.db.models import QuerySet

from workbench.core.search import ranked_search, text_vector


def claims_search(queryset: QuerySet, *, terms: str, full_text: bool | None = None) -> QuerySet:
    """The claims of ``queryset`` whose text matches ``terms``: ranked full-text on PostgreSQL (``search_rank``,
    using the GIN index ``claim_text_search``), every word contained elsewhere
    (``full_text`` chooses, as in ``ranked_search``)."""
    return ranked_search(queryset, terms=terms, vector=text_vector("text"), fields=["text"], full_text=full_text)
