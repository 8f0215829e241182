"""The readable form of a trace report, for people at a terminal."""

from __future__ import annotations

from workbench.engine.types import Label

ANSI = {
    "bold": "\033[1m",
    "dim": "\033[2m",
    "red": "\033[31m",
    "green": "\033[32m",
    "yellow": "\033[33m",
    "blue": "\033[34m",
    "magenta": "\033[35m",
    "reset": "\033[0m",
}
# A label's colour follows its faithfulness to the origin (the engine's LABEL_INFO); sentences not judged are dim.
FAITHFULNESS_COLOUR = {5: "green", 4: "blue", 3: "yellow", 2: "magenta", 1: "red", None: "dim"}
LABEL_COLOUR = {label.value: FAITHFULNESS_COLOUR[label.faithfulness] for label in Label}


def render_report(report: dict, *, colour: bool) -> str:
    """Each derivative sentence, its origin sentence, and its flags with the spans marked."""

    def paint(text: str, style: str) -> str:
        return f"{ANSI[style]}{text}{ANSI['reset']}" if colour else text

    def mark(text: str, spans: list[str | None]) -> str:
        """Mark each span's first occurrence; overlapping spans merge into one mark."""
        intervals = sorted((text.find(span), text.find(span) + len(span)) for span in spans if span and span in text)
        merged: list[list[int]] = []
        for start, end in intervals:
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        out, cursor = [], 0
        for start, end in merged:
            marked = paint(text[start:end], "bold") if colour else f"[[{text[start:end]}]]"
            out.extend([text[cursor:start], marked])
            cursor = end
        out.append(text[cursor:])
        return "".join(out)

    lines: list[str] = []
    for article in report["articles"]:
        origin = f" ← {article['origin_path']}" if article["origin_path"] else ""
        lines.append(paint(f"{article['path']}: {article['role']}{origin}", "bold"))
        if article["headline"]:
            lines.append(f"  {article['headline']}")
        for number, sentence in enumerate(article["sentences"], start=1):
            label = sentence["label"] or "untraced"
            text = mark(sentence["text"], [flag["span"] for flag in sentence["flags"]])
            lines.append(f"  {number:>3}. {paint(label.upper(), LABEL_COLOUR.get(label, 'reset'))} {text}")
            if sentence["attribution"]:
                lines.append(f"       attribution: {sentence['attribution']}")
            if sentence["origin_text"]:
                origin_text = mark(sentence["origin_text"], [flag["origin_span"] for flag in sentence["flags"]])
                lines.append(f"       origin ({sentence['score']:.2f}): {origin_text}")
            for flag in sentence["flags"]:
                origin_part = f" ← {flag['origin_span']!r}" if flag["origin_span"] else ""
                lines.append(
                    f"       {paint(flag['type'], 'red')}: {flag['span']!r}{origin_part}: {flag['explanation']}"
                )
        lines.append("")
    return "\n".join(lines)
