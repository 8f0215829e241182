"""Many rows in one statement.

Django's ``bulk_create`` sends one parameter per field per row and prepares every value in Python; for the few
hundred rows a trace writes that costs more than the database's work. On PostgreSQL ``rows_insert`` sends each
column as one array and lets ``unnest`` turn the arrays back into rows.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection


def rows_insert(model, fields: Sequence[str], rows: Sequence[tuple], *, returning: Sequence[str] = ()) -> list[tuple]:
    """Insert ``rows`` (one tuple of ``fields`` values each; attnames such as ``claim_id`` for foreign keys) into
    ``model``'s table and return the ``returning`` values of each inserted row, in the order given.

    Nothing is filled in: give every non-null field, including ``auto_now_add`` ones. No signals, no ``save()``.
    Runs in the caller's transaction. Other databases than PostgreSQL get ``bulk_create``.
    """
    if not rows:
        return []
    if connection.vendor != "postgresql":
        created = model.objects.bulk_create([model(**dict(zip(fields, row, strict=True))) for row in rows])
        return [tuple(getattr(obj, name) for name in returning) for obj in created]
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    names = ", ".join(quote(c.column) for c in columns)
    arrays = ", ".join(f"%s::{c.db_type(connection)}[]" for c in columns)
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({names}) SELECT {names} FROM unnest({arrays}) WITH ORDINALITY "
        f"AS v({names}, n) ORDER BY n"
    )
    if returning:
        sql += " RETURNING " + ", ".join(quote(meta.get_field(name).column) for name in returning)
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(values) for values in zip(*rows, strict=True)])
        return cursor.fetchall() if returning else []
