"""Text processing on one long line: a 3 MB single-line text is split into sentences in under 2 s.

Each input is one line made by repeating a short piece (quotes, dots, capitals, brackets): the shapes that made
sentence splitting quadratic. Prints a table and writes the figures as JSON.

    python -m benchmarks.long_line --megabytes 3 --json benchmarks/results/long_line.json
"""

from __future__ import annotations

import argparse
import time

from benchmarks import results_write
from workbench.engine.attribute import find_attribution
from workbench.engine.clean import prepare
from workbench.engine.segment import split_sentences

TARGET_SPLIT_S = 2.0
PIECES = {
    "prose": 'The minister said on Tuesday that the U.S. plan, worth $4.5 bn, was "not ready." ',
    "unclosed quotes": "\u201cHe said. ",
    "straight quotes": '"A. "B. ',
    "capitals": "Reuters Bloomberg AFP Minister ",
    "initials": "A.B.C.",
    "glued sentences": "x.Y",
}


def measure(piece: str, size: int) -> dict:
    text = (piece * (size // len(piece) + 1))[:size]
    started = time.process_time()
    prepared = prepare(text)
    prepare_s = time.process_time() - started
    started = time.process_time()
    sentences = split_sentences(text)
    split_s = time.process_time() - started
    started = time.process_time()
    for sentence in sentences[:1000]:
        find_attribution(sentence.text)
    attribution_s = time.process_time() - started
    return {
        "bytes": size,
        "sentences": len(sentences),
        "clean_chars": len(prepared.text),
        "prepare_cpu_s": round(prepare_s, 3),
        "split_cpu_s": round(split_s, 3),
        "attribution_cpu_s": round(attribution_s, 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=3.0)
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args(argv)
    size = int(args.megabytes * 1024 * 1024)
    rows = {name: measure(piece, size) for name, piece in PIECES.items()}
    print(f"{'one line of':<18}{'sentences':>10}{'clean s':>9}{'split s':>9}{'attribution s':>15}")
    for name, row in rows.items():
        print(
            f"{name:<18}{row['sentences']:>10,}{row['prepare_cpu_s']:>9.2f}{row['split_cpu_s']:>9.2f}"
            f"{row['attribution_cpu_s']:>15.2f}"
        )
    slowest = max(row["split_cpu_s"] for row in rows.values())
    met = slowest < TARGET_SPLIT_S
    print(
        f"slowest split of {args.megabytes:g} MB: {slowest:.2f} s CPU (target < {TARGET_SPLIT_S:g} s): "
        f"{'met' if met else 'MISSED'}"
    )
    if args.json:
        results_write(args.json, {"megabytes": args.megabytes, "target_split_s": TARGET_SPLIT_S, "rows": rows})
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
