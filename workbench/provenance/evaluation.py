"""Measure the engine against hand labels and public data sets, beside a bag-of-words cosine baseline.

Pure Python over the engine (no database), so `manage.py evaluate` and the tests run it the same way. Every
threshold either system uses is fitted on one part of a set and reported on another part, never on what it is
scored against.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from rapidfuzz import fuzz

from workbench.engine.clean import prepare
from workbench.engine.lexicon import content_stems, normalise_for_match, tokens
from workbench.engine.report import article_report, files_report
from workbench.engine.segment import split_sentences
from workbench.engine.support import SupportModel, rank_evidence, support_features
from workbench.engine.trace import trace_against
from workbench.engine.types import ArticleInput, FlagType, Label

T = TypeVar("T")

_FOLD = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u00a0": " "}
)
_WORD = re.compile(r"\w+", re.UNICODE)
DERIVED_LABELS = (Label.SUPPORTED, Label.ALTERED)
STORY_LABELS = tuple(label for label in Label if label != Label.ORIGIN)


class CachedEmbedder:
    """Wraps an embedder so each distinct sentence is encoded once, in large batches.

    Evaluation sets repeat sentences across many small traces; batching them up front is what makes the embedding
    model affordable on a CPU.
    """

    BATCH_SIZE = 128

    def __init__(self, embedder) -> None:
        self._embedder = embedder
        self._vectors: dict[str, list[float]] = {}
        self.name = f"cached {embedder.name}"

    def warm(self, texts: Iterable[str]) -> None:
        missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        for start in range(0, len(missing), self.BATCH_SIZE):
            batch = missing[start : start + self.BATCH_SIZE]
            self._vectors.update(zip(batch, self._embedder.encode(batch), strict=True))

    def encode(self, texts: Sequence[str]) -> list[list[float]]:
        self.warm(texts)
        return [self._vectors[t] for t in texts]


def cached(embedder, texts: Iterable[str]):
    """The embedder wrapped in a cache warmed with the texts' sentences, or None without an embedder."""
    if embedder is None:
        return None
    wrapper = embedder if isinstance(embedder, CachedEmbedder) else CachedEmbedder(embedder)
    wrapper.warm(s.text for text in texts for s in split_sentences(text))
    return wrapper


class Steps:
    """Steps of work counted for an ``on_progress(done, total)`` callback (a command's progress bar), when given."""

    def __init__(self, on_progress: Callable[[int, int], None] | None, total: int) -> None:
        self.on_progress, self.total, self.done = on_progress, total, 0
        if on_progress is not None:
            on_progress(0, total)

    def each(self, items: Iterable[T]) -> Iterator[T]:
        for item in items:
            yield item
            self.step()

    def step(self) -> None:
        self.done += 1
        if self.on_progress is not None:
            self.on_progress(self.done, self.total)


# Bag-of-words baseline ------------------------------------------------------------------------------------------


def bag_of_words(text: str) -> Counter[str]:
    return Counter(word.lower() for word in _WORD.findall(text))


def bow_cosine(a: str | Counter[str], b: str | Counter[str]) -> float:
    """Plain cosine of word counts: the baseline every figure is printed beside."""
    va = a if isinstance(a, Counter) else bag_of_words(a)
    vb = b if isinstance(b, Counter) else bag_of_words(b)
    dot = sum(count * vb.get(word, 0) for word, count in va.items())
    norm = math.sqrt(sum(c * c for c in va.values())) * math.sqrt(sum(c * c for c in vb.values()))
    return dot / norm if norm else 0.0


BASELINE_SUPPORTED_MIN = 0.6
BASELINE_ALTERED_MIN = 0.3


def bow_story_trace(*, origin_text: str, text: str) -> list[dict]:
    """Baseline trace of one derivative: each sentence to its most similar origin sentence by cosine, no flags."""
    origin = [s.text for s in split_sentences(origin_text)]
    origin_bags = [bag_of_words(s) for s in origin]
    out = []
    for sentence in split_sentences(text):
        bag = bag_of_words(sentence.text)
        scores = [bow_cosine(bag, ob) for ob in origin_bags]
        best = max(range(len(scores)), key=scores.__getitem__) if scores else None
        score = scores[best] if best is not None else 0.0
        label = (
            "supported"
            if score >= BASELINE_SUPPORTED_MIN
            else "altered"
            if score >= BASELINE_ALTERED_MIN
            else "unsourced"
        )
        out.append(
            {
                "text": sentence.text,
                "label": label,
                "origin_text": origin[best] if best is not None and label != "unsourced" else None,
                "score": score,
                "flags": [],
            }
        )
    return out


# Scoring against hand-labelled stories (the GOLD.json format) ------------------------------------------------------


def _norm(text: str | None) -> str:
    return re.sub(r"\s+", " ", (text or "").translate(_FOLD)).strip().lower()


@dataclass
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class StoryScore:
    label: float
    align: float
    flags: float
    origin: float
    per_label: dict[str, PRF] = field(default_factory=dict)


def score_story_report(gold: dict, report: dict) -> StoryScore:
    """Score a `trace --json` report as the shared scorer does, plus per-label precision, recall and F1.

    Sentences are matched by their first words (`find`), whatever the segmentation. A label is right when it is
    one the labeller accepts; per-label counts take the labeller's ideal label as the truth.
    """
    by_file = {Path(str(a.get("path", ""))).name: a for a in report.get("articles", [])}
    per_label = {label: PRF() for label in STORY_LABELS}
    n_label = ok_label = n_align = ok_align = n_flag = ok_flag = 0
    for row in gold["sentences"]:
        article = by_file.get(row["file"])
        sentences = (article or {}).get("sentences", [])
        hit = next((s for s in sentences if _norm(row["find"]) in _norm(s.get("text"))), None)
        n_label += 1
        ideal = row.get("ideal") or row["accept"][0]
        if row["accept"] == ["boilerplate"]:
            right = article is not None and (hit is None or hit.get("label") == "boilerplate")
            ok_label += right
            per_label["boilerplate"].tp += right
            per_label["boilerplate"].fn += not right
            if hit is not None and not right:
                per_label.setdefault(hit.get("label"), PRF()).fp += 1
            continue
        n_align += "origin_find" in row
        n_flag += bool(row.get("flag_any"))
        if hit is None:
            per_label[ideal].fn += 1
            continue
        label = hit.get("label")
        right = label in row["accept"]
        ok_label += right
        if right:
            per_label.setdefault(label, PRF()).tp += 1
        else:
            per_label.setdefault(label, PRF()).fp += 1
            per_label[ideal].fn += 1
        if "origin_find" in row:
            got = _norm(hit.get("origin_text"))
            full = [_norm(g) for g in row.get("origin_full", [])]
            ok_align += _norm(row["origin_find"]) in got or any(got and (got in g or g in got) for g in full)
        if row.get("flag_any"):
            ok_flag += any(f.get("type") in row["flag_any"] for f in hit.get("flags") or [])
    n_origin = ok_origin = 0
    for name, want in gold.get("articles", {}).items():
        n_origin += 1
        got = Path(str((by_file.get(name) or {}).get("origin_path") or "")).name or None
        ok_origin += ("origin" in want and got == want["origin"]) or (
            "origin_not" in want and got != want["origin_not"]
        )

    def ratio(a: int, b: int) -> float:
        return a / b if b else 1.0

    return StoryScore(
        label=ratio(ok_label, n_label),
        align=ratio(ok_align, n_align),
        flags=ratio(ok_flag, n_flag),
        origin=ratio(ok_origin, n_origin),
        per_label={k: v for k, v in per_label.items() if v.tp + v.fp + v.fn},
    )


def engine_story_report(paths: Sequence[Path], *, embedder=None) -> dict:
    """The engine's report for article files traced together, origins found by the engine."""
    return files_report([str(path) for path in paths], embedder=embedder)


def engine_story_report_given_origins(paths: Sequence[Path], gold: dict, *, embedder=None) -> dict:
    """The engine's report with each derivative traced against its true origin, as the baseline is: what the engine's
    labels and flags are worth apart from finding origins."""
    by_name = {p.name: p for p in paths}
    inputs = {}
    for p in paths:
        prepared = prepare(p.read_text(encoding="utf-8"))
        inputs[p.name] = ArticleInput(
            key=str(p), text=prepared.text, headline=prepared.headline, byline=prepared.byline
        )
    derivatives: dict[str, list[str]] = {}
    for name, want in gold.get("articles", {}).items():
        if name in inputs and want.get("origin") in inputs:
            derivatives.setdefault(want["origin"], []).append(name)
    traces = []
    for origin, names in derivatives.items():
        traces.extend(trace_against(inputs[origin], [inputs[n] for n in names], embedder=embedder))
    headlines = {article.key: article.headline for article in inputs.values()}
    return article_report(traces, {str(p): str(p) for p in by_name.values()}, headlines)


def baseline_story_report(paths: Sequence[Path], gold: dict) -> dict:
    """The baseline's report: given each derivative's true origin (the engine is not), align by cosine."""
    by_name = {p.name: p for p in paths}
    texts = {p.name: prepare(p.read_text(encoding="utf-8")).text for p in paths}
    articles = []
    for name, want in gold.get("articles", {}).items():
        origin = want.get("origin")
        if name not in texts:
            continue
        sentences = bow_story_trace(origin_text=texts[origin], text=texts[name]) if origin in texts else []
        articles.append(
            {"path": str(by_name[name]), "origin_path": str(by_name.get(origin, "")) or None, "sentences": sentences}
        )
    return {"articles": articles}


# WiCE: does the cited page support the claim, and which sentences support it -------------------------------------


@dataclass(frozen=True)
class ClaimEvidence:
    claim: str
    evidence: list[str]
    label: str
    supporting: frozenset[int]


def load_wice(path: Path) -> list[ClaimEvidence]:
    rows = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                rows.append(
                    ClaimEvidence(
                        claim=row["claim"],
                        evidence=row["evidence"],
                        label=row["label"],
                        supporting=frozenset(i for group in row.get("supporting_sentences", []) for i in group),
                    )
                )
    return rows


def engine_support(claim: str, evidence: Sequence[str], *, embedder=None) -> tuple[str, list[int], float]:
    """Trace the claim against the evidence as its origin: (label, evidence indices best first, score).

    A claim that splits into several sentences takes its weakest sentence's label: a page supports it only as far as
    it supports every part.
    """
    origin_text = "\n".join(line.replace("\n", " ") for line in evidence)
    line_starts = []
    cursor = 0
    for line in evidence:
        line_starts.append(cursor)
        cursor += len(line.replace("\n", " ")) + 1
    origin_trace, claim_trace = trace_against(
        ArticleInput(key="evidence", text=origin_text), [ArticleInput(key="claim", text=claim)], embedder=embedder
    )
    origin_sentences = origin_trace.sentences
    order = {"supported": 0, "altered": 1, "other_source": 2, "unsourced": 3, "contradicted": 4, "boilerplate": 5}
    if not claim_trace.sentences:
        return "unsourced", [], 0.0
    weakest = max(claim_trace.sentences, key=lambda s: (order.get(s.label, 9), -s.score))
    indices: list[int] = []
    for sentence in claim_trace.sentences:
        for i in sentence.origin_indices:
            start = origin_sentences[i].start
            line = max(j for j, s in enumerate(line_starts) if s <= start)
            if line not in indices:
                indices.append(line)
    return weakest.label, indices, min(s.score for s in claim_trace.sentences)


WICE_LABEL_OF = {"supported": "supported", "altered": "partially_supported"}
SUPPORT_FOLDS = 5
SUPPORT_FOLD_SEED = 0


def wice_support_rows(rows: Iterable[ClaimEvidence]) -> tuple[list[list[float]], list[bool]]:
    """The support model's features for each WiCE claim, and whether WiCE calls it supported (partially supported
    and not supported are both 'not'). One pass over ``rows``, which may be a generator."""
    pairs = [(support_features(r.claim, r.evidence), r.label == "supported") for r in rows]
    return [x for x, _ in pairs], [y for _, y in pairs]


def support_model_fit(rows: Sequence[ClaimEvidence]) -> SupportModel:
    """The support model fitted on every given claim (what `manage.py support_train` stores)."""
    x, y = wice_support_rows(rows)
    return SupportModel.fit(x, y, trained_on=f"WiCE claims-dev, {len(rows)} claims")


def support_cross_validated(x: Sequence[Sequence[float]], y: Sequence[bool]) -> list[bool]:
    """Each claim's predicted verdict from a model fitted on the other folds (never on the claim itself)."""
    import random

    order = list(range(len(y)))
    random.Random(SUPPORT_FOLD_SEED).shuffle(order)
    folds = [order[k::SUPPORT_FOLDS] for k in range(SUPPORT_FOLDS)]
    predicted = [False] * len(y)
    for fold in folds:
        held = set(fold)
        train = [i for i in range(len(y)) if i not in held]
        model = SupportModel.fit([x[i] for i in train], [y[i] for i in train])
        for i in fold:
            predicted[i] = model.probability(x[i]) >= 0.5
    return predicted


def balanced_accuracy(truth: Sequence[bool], predicted: Sequence[bool]) -> float:
    """Mean of the recall on each class: a verdict that always says 'supported' scores 0.5."""
    pos = [p for t, p in zip(truth, predicted, strict=True) if t]
    neg = [not p for t, p in zip(truth, predicted, strict=True) if not t]
    return (sum(pos) / max(len(pos), 1) + sum(neg) / max(len(neg), 1)) / 2


def evaluate_wice(
    rows: Sequence[ClaimEvidence], *, embedder=None, on_progress: Callable[[int, int], None] | None = None
) -> dict:
    """Claim-level labels (supported / partially / not) and evidence retrieval (top sentence among the supporting).
    ``on_progress(done, total)``: claims through each of the three passes (trace, support features, evidence rank)."""
    steps = Steps(on_progress, 3 * len(rows))
    engine_pred, base_pred, gold = [], [], []
    engine_hit = base_hit = with_support = 0
    embedder = cached(embedder, [t for row in rows for t in (row.claim, "\n".join(row.evidence))])
    for row in steps.each(rows):
        label, indices, _ = engine_support(row.claim, row.evidence, embedder=embedder)
        engine_pred.append(WICE_LABEL_OF.get(label, "not_supported"))
        scores = [bow_cosine(row.claim, line) for line in row.evidence]
        best = max(range(len(scores)), key=scores.__getitem__) if scores else None
        top = scores[best] if best is not None else 0.0
        base_pred.append(
            "supported"
            if top >= BASELINE_SUPPORTED_MIN
            else "partially_supported"
            if top >= BASELINE_ALTERED_MIN
            else "not_supported"
        )
        gold.append(row.label)
        if row.supporting:
            with_support += 1
            engine_hit += bool(indices) and indices[0] in row.supporting
            base_hit += best is not None and best in row.supporting
    # Supported or not, from the learned support check, each claim judged by a model fitted on the other folds; the
    # evidence ranked first, by coverage.
    x, truth = wice_support_rows(steps.each(rows))
    support_pred = support_cross_validated(x, truth)
    ranked_hit = sum(
        rank_evidence(r.claim, r.evidence).order[:1] == [i]
        for r in steps.each(rows)
        if r.supporting
        for i in r.supporting
    )
    base_support = [p == "supported" for p in base_pred]
    return {
        "n": len(rows),
        "engine": {
            **classification_scores(gold, engine_pred),
            "evidence_top1_trace": engine_hit / max(with_support, 1),
            "evidence_top1": ranked_hit / max(with_support, 1),
            "supported_balanced_accuracy": balanced_accuracy(truth, support_pred),
        },
        "baseline": {
            **classification_scores(gold, base_pred),
            "evidence_top1": base_hit / max(with_support, 1),
            "supported_balanced_accuracy": balanced_accuracy(truth, base_support),
        },
    }


# Clough-Stevenson: copied, lightly or heavily rewritten, or written without the source -----------------------------

REUSE_CLASSES = ("cut", "light", "heavy", "non")


@dataclass(frozen=True)
class ReuseAnswer:
    name: str
    task: str
    category: str
    text: str


def load_clough_stevenson(folder: Path) -> tuple[list[ReuseAnswer], dict[str, str], set[str]]:
    """(answers, source text per task, names of the answers in the set's test split)."""
    answers = []
    with (folder / "file_information.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["Category"] in REUSE_CLASSES:
                text = (folder / row["File"]).read_bytes().decode("utf-8", errors="replace")
                answers.append(ReuseAnswer(row["File"], row["Task"], row["Category"], text))
    sources = {
        path.stem.removeprefix("orig_task"): path.read_bytes().decode("utf-8", errors="replace")
        for path in folder.glob("orig_task*.txt")
    }
    test = set()
    test_info = folder / "test_info.csv"
    if test_info.exists():
        with test_info.open(encoding="utf-8") as handle:
            test = {row["File"] for row in csv.DictReader(handle)}
    return answers, sources, test


def engine_reuse_features(source: str, answer: str, *, embedder=None) -> tuple[float, float]:
    """(share of the answer's sentences the engine traces to the source, share it finds unchanged)."""
    _, answer_trace = trace_against(
        ArticleInput(key="source", text=source), [ArticleInput(key="answer", text=answer)], embedder=embedder
    )
    sentences = answer_trace.sentences or []
    if not sentences:
        return 0.0, 0.0
    derived = sum(s.label in DERIVED_LABELS for s in sentences) / len(sentences)
    verbatim = sum(s.label == "supported" for s in sentences) / len(sentences)
    return derived, (verbatim + sum(s.score for s in sentences) / len(sentences)) / 2


def evaluate_clough_stevenson(
    folder: Path, *, embedder=None, on_progress: Callable[[int, int], None] | None = None
) -> dict:
    """Four-way reuse class from one score by fitted cut points; fitted on the train split, scored on the test split.
    ``on_progress(done, total)``: answers scored."""
    answers, sources, test = load_clough_stevenson(folder)
    steps = Steps(on_progress, len(answers))
    engine_scores, base_scores = {}, {}
    embedder = cached(embedder, [*sources.values(), *(a.text for a in answers)])
    for answer in steps.each(answers):
        derived, closeness = engine_reuse_features(sources[answer.task], answer.text, embedder=embedder)
        engine_scores[answer.name] = (derived + closeness) / 2
        base_scores[answer.name] = bow_cosine(sources[answer.task], answer.text)
    train = [a for a in answers if a.name not in test] or answers
    scored = [a for a in answers if a.name in test] or answers
    out = {"n_train": len(train), "n_test": len(scored)}
    for system, scores in (("engine", engine_scores), ("baseline", base_scores)):
        cuts = fit_ordinal_cuts([scores[a.name] for a in train], [a.category for a in train], REUSE_CLASSES)
        pred = [ordinal_class(scores[a.name], cuts, REUSE_CLASSES) for a in scored]
        gold = [a.category for a in scored]
        binary = classification_scores(
            ["derived" if g != "non" else "non" for g in gold], ["derived" if p != "non" else "non" for p in pred]
        )
        out[system] = {**classification_scores(gold, pred), "derived_vs_non_accuracy": binary["accuracy"]}
    return out


def fit_ordinal_cuts(scores: Sequence[float], labels: Sequence[str], classes: Sequence[str]) -> list[float]:
    """Descending cut points (a score at or above cuts[k] is at least classes[k]) that maximise accuracy.

    Exhaustive over the midpoints between observed scores, which is cheap at the sizes of these sets.
    """
    ordered = sorted(set(scores))
    candidates = [(a + b) / 2 for a, b in zip(ordered, ordered[1:], strict=False)] or ordered
    candidates = sorted(set(candidates), reverse=True)
    pairs = list(zip(scores, labels, strict=True))
    best: tuple[int, list[float]] = (-1, [])

    def search(prefix: list[float], start: int) -> None:
        nonlocal best
        if len(prefix) == len(classes) - 1:
            hits = sum(ordinal_class(s, prefix, classes) == label for s, label in pairs)
            if hits > best[0]:
                best = (hits, list(prefix))
            return
        for i in range(start, len(candidates)):
            search([*prefix, candidates[i]], i + 1)

    search([], 0)
    return best[1]


def ordinal_class(score: float, cuts: Sequence[float], classes: Sequence[str]) -> str:
    for cut, cls in zip(cuts, classes, strict=False):
        if score >= cut:
            return cls
    return classes[len(cuts)] if len(cuts) < len(classes) else classes[-1]


# MRPC: paraphrase or not --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SentencePair:
    first: str
    second: str
    paraphrase: bool


def load_mrpc(path: Path) -> list[SentencePair]:
    pairs = []
    with path.open(encoding="utf-8-sig") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader, None)
        for row in reader:
            if len(row) >= 5 and row[0] in {"0", "1"}:
                pairs.append(SentencePair(row[3], row[4], row[0] == "1"))
    return pairs


PARAPHRASE_FLAG_TYPES = (
    FlagType.NUMBER_CHANGED,
    FlagType.ENTITY_CHANGED,
    FlagType.QUOTE_ALTERED,
    FlagType.HEDGE_DROPPED,
)


def engine_paraphrase_evidence(first: str, second: str, *, embedder=None) -> list[float]:
    """The engine's evidence that two sentences say the same thing, tracing each against the other.

    Features: the weaker and stronger direction's alignment score, the share of words flagged as added detail, the
    length difference, content, phrase and character overlap, whether both give the same figures and how many differ,
    the overlap of their names, one indicator per telling flag type, and (with a model) the embedding cosine.
    """
    scores, added_words = [], 0
    flagged: set[str] = set()
    for origin, derivative in ((first, second), (second, first)):
        _, traced = trace_against(
            ArticleInput(key="o", text=origin), [ArticleInput(key="d", text=derivative)], embedder=embedder
        )
        scores.append(min((s.score for s in traced.sentences), default=0.0))
        for sentence in traced.sentences:
            for flag in sentence.flags:
                flagged.add(flag.type)
                if flag.type == FlagType.ADDED_DETAIL:
                    added_words += len(flag.span.split())
    words = max(len(first.split()) + len(second.split()), 1)
    stems_a, stems_b = content_stems(first), content_stems(second)
    features = [
        min(scores),
        max(scores),
        added_words / words,
        abs(len(first.split()) - len(second.split())) / words,
        _overlap(set(stems_a), set(stems_b)),
        _overlap(set(zip(stems_a, stems_a[1:], strict=False)), set(zip(stems_b, stems_b[1:], strict=False))),
        fuzz.token_sort_ratio(normalise_for_match(first), normalise_for_match(second)) / 100,
        *_figure_and_name_evidence(first, second),
        *(float(t in flagged) for t in PARAPHRASE_FLAG_TYPES),
    ]
    if embedder is not None:
        a, b = embedder.encode([first, second])
        norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(x * x for x in b)) or 1.0
        features.append(sum(x * y for x, y in zip(a, b, strict=True)) / norm)
    return features


_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")


def _figure_and_name_evidence(first: str, second: str) -> list[float]:
    """Same figures in both (1/0), share of figures given by only one, overlap of mid-sentence names, and overlap of
    character trigrams (spelling variants and split words that word overlap misses)."""
    figures_a, figures_b = set(_FIGURE.findall(first)), set(_FIGURE.findall(second))
    names_a = {t.stem for t in tokens(first) if t.is_capitalised and t.start > 0}
    names_b = {t.stem for t in tokens(second) if t.is_capitalised and t.start > 0}
    text_a, text_b = normalise_for_match(first), normalise_for_match(second)
    grams_a = {text_a[i : i + 3] for i in range(len(text_a) - 2)}
    grams_b = {text_b[i : i + 3] for i in range(len(text_b) - 2)}
    return [
        float(figures_a == figures_b),
        len(figures_a ^ figures_b) / max(len(figures_a | figures_b), 1),
        _overlap(names_a, names_b) if names_a or names_b else 1.0,
        _overlap(grams_a, grams_b),
    ]


def _overlap(a: set, b: set) -> float:
    """F1 of two sets' overlap: how much each side's content the other repeats."""
    if not a or not b:
        return 0.0
    common = len(a & b)
    return 2 * common / (len(a) + len(b))


def evaluate_mrpc(
    pairs: Sequence[SentencePair],
    *,
    embedder=None,
    fit_share: float = 0.5,
    on_progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Paraphrase or not. The baseline fits one cosine threshold; the engine fits a logistic combination of its
    evidence. Both are fitted on the first part of the pairs and scored on the rest. ``on_progress(done, total)``:
    pairs traced."""
    steps = Steps(on_progress, len(pairs))
    split = int(len(pairs) * fit_share)
    fit, scored = pairs[:split], pairs[split:]
    embedder = cached(embedder, [t for p in pairs for t in (p.first, p.second)])
    gold = ["paraphrase" if p.paraphrase else "different" for p in scored]
    out: dict = {"n_fit": len(fit), "n_test": len(scored)}

    evidence = [engine_paraphrase_evidence(p.first, p.second, embedder=embedder) for p in steps.each(pairs)]
    model = LogisticModel.fit(evidence[:split], [p.paraphrase for p in fit])
    pred = ["paraphrase" if model.probability(x) >= 0.5 else "different" for x in evidence[split:]]
    out["engine"] = classification_scores(gold, pred)

    cosines = [bow_cosine(p.first, p.second) for p in pairs]
    threshold = fit_threshold(cosines[:split], [p.paraphrase for p in fit])
    pred = ["paraphrase" if c >= threshold else "different" for c in cosines[split:]]
    out["baseline"] = {**classification_scores(gold, pred), "threshold": threshold}
    return out


@dataclass(frozen=True)
class LogisticModel:
    """Logistic regression on standardised features, fitted by plain gradient descent (small, dependency-free)."""

    weights: tuple[float, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]

    STEPS = 2000
    LEARNING_RATE = 0.5

    @classmethod
    def fit(cls, rows: Sequence[Sequence[float]], truth: Sequence[bool]) -> LogisticModel:
        import numpy as np

        x = np.asarray(rows, dtype=float)
        y = np.asarray(truth, dtype=float)
        means, scales = x.mean(axis=0), x.std(axis=0) + 1e-9
        xb = np.hstack([(x - means) / scales, np.ones((len(x), 1))])
        w = np.zeros(xb.shape[1])
        for _ in range(cls.STEPS):
            p = 1.0 / (1.0 + np.exp(-(xb @ w)))
            w -= cls.LEARNING_RATE * xb.T @ (p - y) / len(y)
        return cls(tuple(w.tolist()), tuple(means.tolist()), tuple(scales.tolist()))

    def probability(self, row: Sequence[float]) -> float:
        z = self.weights[-1] + sum(
            w * (v - m) / s for w, v, m, s in zip(self.weights, row, self.means, self.scales, strict=False)
        )
        return 1.0 / (1.0 + math.exp(-z))


def fit_threshold(scores: Sequence[float], truth: Sequence[bool]) -> float:
    """The threshold that maximises accuracy on the given scores."""
    best, best_acc = 0.5, -1.0
    for candidate in sorted(set(scores)):
        acc = sum((s >= candidate) == t for s, t in zip(scores, truth, strict=True))
        if acc > best_acc:
            best, best_acc = candidate, acc
    return best


# Shared metrics -----------------------------------------------------------------------------------------------------


def classification_scores(gold: Sequence[str], pred: Sequence[str]) -> dict:
    labels = sorted(set(gold) | set(pred))
    per = {label: PRF() for label in labels}
    for g, p in zip(gold, pred, strict=True):
        if g == p:
            per[g].tp += 1
        else:
            per[p].fp += 1
            per[g].fn += 1
    gold_labels = sorted(set(gold))
    return {
        "accuracy": sum(g == p for g, p in zip(gold, pred, strict=True)) / max(len(gold), 1),
        "macro_f1": sum(per[label].f1 for label in gold_labels) / max(len(gold_labels), 1),
    }


def mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0
