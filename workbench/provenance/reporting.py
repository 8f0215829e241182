"""The readable form of a trace report, for people at a terminal."""

from __future__ import annotations

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
LABEL_COLOUR = {
    "supported": "green",
    "altered": "yellow",
    "unsourced": "magenta",
    "other_source": "blue",
    "contradicted": "red",
    "boilerplate": "dim",
    "origin": "dim",
}


def render_report(report: dict, *, colour: bool) -> str:
    """Each derivative sentence, its origin sentence, and its flags with the spans marked."""

    def paint(text: str, style: str) -> str:
        return f"{ANSI[style]}{text}{ANSI['reset']}" if colour else text

    def mark(text: str, span: str | None) -> str:
        if not span or span not in text:
            return text
        before, _, after = text.partition(span)
        return before + (paint(span, "bold") if colour else f"[[{span}]]") + after

    lines: list[str] = []
    for article in report["articles"]:
        origin = f" ← {article['origin_path']}" if article["origin_path"] else ""
        lines.append(paint(f"{article['path']}: {article['role']}{origin}", "bold"))
        if article["headline"]:
            lines.append(f"  {article['headline']}")
        for number, sentence in enumerate(article["sentences"], start=1):
            label = sentence["label"] or "untraced"
            text = sentence["text"]
            for flag in sentence["flags"]:
                text = mark(text, flag["span"])
            lines.append(f"  {number:>3}. {paint(label.upper(), LABEL_COLOUR.get(label, 'reset'))} {text}")
            if sentence["attribution"]:
                lines.append(f"       attribution: {sentence['attribution']}")
            if sentence["origin_text"]:
                origin_text = sentence["origin_text"]
                for flag in sentence["flags"]:
                    origin_text = mark(origin_text, flag["origin_span"])
                lines.append(f"       origin ({sentence['score']:.2f}): {paint(origin_text, 'dim') if not sentence['flags'] else origin_text}")
            for flag in sentence["flags"]:
                origin_part = f" ← {flag['origin_span']!r}" if flag["origin_span"] else ""
                lines.append(f"       {paint(flag['type'], 'red')}: {flag['span']!r}{origin_part}: {flag['explanation']}")
        lines.append("")
    return "\n".join(lines)
