"""The admin's outlet scorecard page: a bar chart of each outlet's label shares, a table sortable by every column,
and the same table as CSV. Figures come from ``provenance.scorecard``, as the API's do."""

from __future__ import annotations

import csv

from django.http import HttpResponse
from django.template.response import TemplateResponse

from workbench.provenance.scorecard import (
    SCORED_LABELS,
    outlet_scorecards,
    scorecard_columns,
    scorecard_row,
    since_parse,
)

# Bar colours by label, those of the review pages' label badges.
LABEL_COLOURS = {"supported": "#2e7d32", "altered": "#ef6c00", "unsourced": "#757575", "contradicted": "#c62828"}
BAR_WIDTH_PX = 600
BAR_HEIGHT_PX = 18
BAR_GAP_PX = 8
NAME_WIDTH_PX = 200


def scorecard_view(request, *, admin_context: dict) -> HttpResponse:
    """GET ``?since=`` (ISO date), ``?sort=column`` (``-column`` descending), ``?format=csv``."""
    error = ""
    try:
        since = since_parse(request.GET.get("since", ""))
    except ValueError as exc:
        since, error = None, str(exc)
    cards = outlet_scorecards(since=since)
    columns = scorecard_columns()
    keys = [key for key, _ in columns]
    rows = [scorecard_row(card) for card in cards]
    sort = request.GET.get("sort", "name")
    key = sort.lstrip("-")
    if key not in keys:
        sort, key = "name", "name"
    present = [r for r in rows if r[key] is not None]
    absent = [r for r in rows if r[key] is None]  # outlets without claims have no shares: always last
    present.sort(key=lambda r: r["name"])
    present.sort(key=lambda r: r[key], reverse=sort.startswith("-"))  # stable: ties stay in name order
    rows = present + absent
    if request.GET.get("format") == "csv" and not error:
        return _csv(rows, columns)
    chart_rows = [r for r in rows if r["claims"]]
    bars = []
    for i, row in enumerate(chart_rows):
        x, segments = NAME_WIDTH_PX, []
        for label in SCORED_LABELS:
            width = round((row[f"share_{label}"] or 0) * BAR_WIDTH_PX, 1)
            segments.append({"label": str(label), "x": x, "width": width, "colour": LABEL_COLOURS[str(label)]})
            x += width
        bars.append({"name": row["name"], "y": i * (BAR_HEIGHT_PX + BAR_GAP_PX), "segments": segments})
    headers = [
        {
            "key": k,
            "title": title,
            "sort": f"-{k}" if sort == k else k,
            "active": key == k,
            "descending": sort == f"-{k}",
        }
        for k, title in columns
    ]
    context = {
        **admin_context,
        "title": "Outlet scorecards",
        "since": request.GET.get("since", ""),
        "error": error,
        "sort": sort,
        "headers": headers,
        "table": [[row[k] for k in keys] for row in rows],
        "bars": bars,
        "legend": [{"label": label.display_name, "colour": LABEL_COLOURS[str(label)]} for label in SCORED_LABELS],
        "chart_height": max(1, len(bars)) * (BAR_HEIGHT_PX + BAR_GAP_PX),
        "chart_width": NAME_WIDTH_PX + BAR_WIDTH_PX + 10,
        "bar_height": BAR_HEIGHT_PX,
        "name_width": NAME_WIDTH_PX - 8,
    }
    return TemplateResponse(request, "admin/sources/outlet_scorecard.html", context)


def _csv(rows: list[dict], columns: list[tuple[str, str]]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="outlet-scorecards.csv"'
    writer = csv.writer(response)
    writer.writerow([key for key, _ in columns])
    for row in rows:
        writer.writerow(["" if row[k] is None else row[k] for k, _ in columns])
    return response
