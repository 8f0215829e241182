"""Layout of a story's provenance graph: the origin on the left, each republication on the right, one edge each.

Pure layout: returns coordinates and labels; the template draws the SVG.
"""

from __future__ import annotations

from workbench.engine.types import Label
from workbench.review.selectors import StoryArticle, StoryOverview

NODE_WIDTH_PX = 280
NODE_HEIGHT_PX = 64
ROW_GAP_PX = 44
MARGIN_PX = 20
COLUMN_GAP_PX = 380
TITLE_CHARS = 38
LABEL_AT = 60  # percent of the way from the origin to the republication


def _short(text: str, limit: int = TITLE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _node(entry: StoryArticle, x: int, y: int, role: str) -> dict:
    article = entry.article
    return {
        "x": x,
        "y": y,
        "w": NODE_WIDTH_PX,
        "h": NODE_HEIGHT_PX,
        "role": role,
        "outlet": _short(article.outlet.name if article.outlet_id else "Unknown outlet", 32),
        "headline": _short(article.headline or str(article)),
        "claims": entry.claim_count,
    }


def edge_label(entry: StoryArticle) -> tuple[str, str]:
    """Two short lines saying how much the republication changed: labels, then flags."""
    traced = sum(
        n for label, n in entry.engine_labels.items() if label not in (Label.BOILERPLATE, "untraced", Label.ORIGIN)
    )
    changed = entry.changed_count
    new = entry.engine_labels.get(Label.UNSOURCED, 0) + entry.engine_labels.get(Label.OTHER_SOURCE, 0)
    first = f"{changed} of {traced} altered · {new} not from origin"
    plural = "s" if entry.flag_count != 1 else ""
    second = f"{entry.flag_count} flag{plural} · {entry.origin_sentences_used} origin sentences used"
    return first, second


def story_graph(overview: StoryOverview) -> dict:
    derivatives = overview.derivatives
    rows = max(1, len(derivatives))
    height = MARGIN_PX * 2 + rows * NODE_HEIGHT_PX + (rows - 1) * ROW_GAP_PX
    width = MARGIN_PX * 2 + NODE_WIDTH_PX * 2 + COLUMN_GAP_PX
    origin_y = (height - NODE_HEIGHT_PX) // 2
    origin = _node(overview.origin, MARGIN_PX, origin_y, "origin")
    nodes, edges = [origin], []
    right_x = MARGIN_PX + NODE_WIDTH_PX + COLUMN_GAP_PX
    for i, entry in enumerate(derivatives):
        y = MARGIN_PX + i * (NODE_HEIGHT_PX + ROW_GAP_PX)
        node = _node(entry, right_x, y, "derivative")
        nodes.append(node)
        x1, y1 = origin["x"] + NODE_WIDTH_PX, origin_y + NODE_HEIGHT_PX // 2
        x2, y2 = right_x, y + NODE_HEIGHT_PX // 2
        first, second = edge_label(entry)
        severity = (
            "high" if entry.flag_count >= 5 or entry.changed_count >= 5 else "low" if entry.flag_count else "none"
        )
        edges.append(
            {
                "x1": x1,
                "y1": y1,
                "x2": x2 - 6,
                "y2": y2,
                "lx": x1 + (x2 - x1) * LABEL_AT // 100,
                "ly": y1 + (y2 - y1) * LABEL_AT // 100,
                "line1": first,
                "line2": second,
                "severity": severity,
            }
        )
    return {"width": width, "height": height, "nodes": nodes, "edges": edges}
