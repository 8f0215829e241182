"""Does a page support a claim: its sentences ranked as evidence, and a small learned verdict with the evidence it
rests on and the claim's words that no evidence sentence contains.

Ranking is by coverage: the share of the claim's content (each stem weighted by its rarity on the page) that one
sentence contains, ties broken by the alignment score. The verdict is a logistic regression over a few measurements of
how well the best sentences cover the claim (``FEATURES``); its weights are fitted on public data by
``manage.py support_train`` (``make model-support``) and stored in ``data/support_model.json``, about 1 kB.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .align import SentenceFeatures, features, idf_table, lexical_score
from .lexicon import tokens

MODEL_PATH = Path(__file__).resolve().parent / "data" / "support_model.json"
EVIDENCE_SHOWN = 3
FEATURE_DECIMALS = 9
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")

FEATURES = (
    "best_coverage",  # share of the claim's weighted content the best sentence contains
    "best_score",  # that sentence's alignment score
    "top3_coverage",  # share the best three sentences contain together
    "page_coverage",  # share the whole page contains
    "numbers_on_page",  # share of the claim's figures found on the page
    "names_on_page",  # share of the claim's mid-sentence names found on the page
    "claim_size",  # log of the number of content words
    "rarest_missing",  # rarity of the rarest claim word missing from the page (relative to the rarest possible)
    "has_numbers",
    "uncovered_top1",  # share of the claim's weighted content outside the best sentence
    "uncovered_top3",
    "uncovered_top5",
    "uncovered_words_top3",  # how many content words the best three sentences miss
    "uncovered_words_top5",
    "rarest_uncovered_top3",
    "numbers_in_top5",  # share of the claim's figures found in the best five sentences
    "names_in_top5",
    "names_outside_top3",  # how many of the claim's mid-sentence names the best three sentences miss
    "weakest_part",  # the coverage of the claim's least-supported part (clauses split at commas, 'and', 'which')
    "specific_missing",  # 1 when any of the claim's figures or mid-sentence names is nowhere on the page
)
_PARTS = re.compile(r",|;|\band\b|\bwhich\b|\bwho\b|\bwhere\b")
PART_MIN_WORDS = 3


@dataclass(frozen=True)
class Ranking:
    """Evidence sentence indices best first, each sentence's (score, coverage), and the comparison features."""

    order: list[int]
    scored: list[tuple[float, float]]
    claim: SentenceFeatures
    evidence: list[SentenceFeatures]
    idf: dict[str, float]


def rank_evidence(claim: str, evidence: Sequence[str]) -> Ranking:
    """The page's sentences ordered by how much of the claim each contains."""
    ev = [features(e.replace("\n", " ")) for e in evidence]
    c = features(claim)
    idf = idf_table([*ev, c])
    scored = [lexical_score(c, e, idf) for e in ev]
    # Rounded so that sentences tied but for the last bits of a sum (sets add up in hash order) keep page order.
    order = sorted(
        range(len(ev)),
        key=lambda i: (-round(scored[i][1], FEATURE_DECIMALS), -round(scored[i][0], FEATURE_DECIMALS), i),
    )
    return Ranking(order, scored, c, ev, idf)


def _uncovered(r: Ranking, k: int) -> frozenset[str]:
    seen: set[str] = set()
    for i in r.order[:k]:
        seen |= r.evidence[i].stems | r.evidence[i].alt
    return r.claim.stems - seen


def support_features(claim: str, evidence: Sequence[str], ranking: Ranking | None = None) -> list[float]:
    """The measurements ``FEATURES`` names, in that order."""
    r = ranking or rank_evidence(claim, evidence)
    default = max(r.idf.values(), default=1.0)

    def weight(stems) -> float:
        return sum(r.idf.get(s, default) for s in stems)

    total = weight(r.claim.stems) or 1.0
    page = frozenset().union(*(e.stems for e in r.evidence)) if r.evidence else frozenset()
    best = r.order[0] if r.order else None
    numbers = set(_NUMBER.findall(claim))
    names = {t.text for t in tokens(claim) if t.is_capitalised and t.start > 0}
    page_text = " ".join(evidence)
    top5_text = " ".join(evidence[i] for i in r.order[:5])
    u1, u3, u5 = _uncovered(r, 1), _uncovered(r, 3), _uncovered(r, 5)
    # Whole figures and words, so that "21" is not found inside "2021".
    page_figures = set(_NUMBER.findall(page_text))
    page_words = {t.text for e in evidence for t in tokens(e)}

    def share_in(items: set[str], text: str) -> float:
        return sum(x in text for x in items) / len(items) if items else 1.0

    def rarest(stems) -> float:
        return max((r.idf.get(s, default) for s in stems), default=0.0) / default

    top3 = r.claim.stems - _uncovered(r, 3)
    parts = [p for p in _PARTS.split(claim) if len(p.split()) >= PART_MIN_WORDS] or [claim]
    weakest = min(max((lexical_score(features(p), e, r.idf)[1] for e in r.evidence), default=0.0) for p in parts)
    measured = [
        r.scored[best][1] if best is not None else 0.0,
        r.scored[best][0] if best is not None else 0.0,
        weight(top3) / total,
        weight(r.claim.stems & page) / total,
        share_in(numbers, page_text),
        share_in(names, page_text),
        math.log(1 + len(r.claim.stems)),
        rarest(r.claim.stems - page),
        float(bool(numbers)),
        weight(u1) / total,
        weight(u3) / total,
        weight(u5) / total,
        float(len(u3)),
        float(len(u5)),
        rarest(u3),
        share_in(numbers, top5_text),
        share_in(names, top5_text),
        float(sum(t.is_capitalised and t.start > 0 for t in tokens(claim) if t.stem in u3)),
        weakest,
        float(bool(numbers - page_figures or names - page_words)),
    ]
    # Sums over sets run in hash order, so the last bits differ between processes; rounded, the model a rebuild
    # fits is the one stored.
    return [round(v, FEATURE_DECIMALS) for v in measured]


@dataclass(frozen=True)
class SupportModel:
    """Class-balanced logistic regression on standardised features; fitted by plain gradient descent (numpy)."""

    weights: tuple[float, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    features: tuple[str, ...] = FEATURES
    trained_on: str = ""

    STEPS = 3000
    LEARNING_RATE = 0.3
    L2 = 0.01

    @classmethod
    def fit(cls, rows: Sequence[Sequence[float]], truth: Sequence[bool], trained_on: str = "") -> SupportModel:
        """Deterministic: the same rows give the same weights."""
        import numpy as np

        x = np.asarray(rows, dtype=float)
        y = np.asarray(truth, dtype=float)
        means, scales = x.mean(axis=0), x.std(axis=0) + 1e-9
        xb = np.hstack([(x - means) / scales, np.ones((len(x), 1))])
        positive = min(max(y.mean(), 1e-6), 1 - 1e-6)
        balance = np.where(y == 1, 0.5 / positive, 0.5 / (1 - positive))
        w = np.zeros(xb.shape[1])
        for _ in range(cls.STEPS):
            p = 1.0 / (1.0 + np.exp(-(xb @ w)))
            w -= cls.LEARNING_RATE * (xb.T @ ((p - y) * balance) / len(y) + cls.L2 * np.r_[w[:-1], 0.0])
        return cls(tuple(w.tolist()), tuple(means.tolist()), tuple(scales.tolist()), FEATURES, trained_on)

    def probability(self, row: Sequence[float]) -> float:
        z = self.weights[-1] + sum(
            w * (v - m) / s for w, v, m, s in zip(self.weights, row, self.means, self.scales, strict=False)
        )
        return 1.0 / (1.0 + math.exp(-max(min(z, 60.0), -60.0)))

    def to_json(self) -> str:
        return json.dumps(
            {
                "features": list(self.features),
                "weights": [round(v, 6) for v in self.weights],
                "means": [round(v, 6) for v in self.means],
                "scales": [round(v, 6) for v in self.scales],
                "trained_on": self.trained_on,
            },
            indent=1,
        )

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> SupportModel:
        """Raises ValueError when the stored model was built for other features than this code measures."""
        data = json.loads(path.read_text(encoding="utf-8"))
        if tuple(data["features"]) != FEATURES:
            raise ValueError(f"{path}: built for other features; rebuild it with `make model-support`")
        return cls(
            tuple(data["weights"]), tuple(data["means"]), tuple(data["scales"]), FEATURES, data.get("trained_on", "")
        )


@dataclass(frozen=True)
class SupportCheck:
    """The verdict, the evidence sentences it rests on (best first) and the claim's words none of them contains."""

    supported: bool
    probability: float
    evidence: list[int]
    unsupported_words: list[str]


def check_support(claim: str, evidence: Sequence[str], model: SupportModel | None = None) -> SupportCheck:
    """Whether the evidence sentences support the claim, with the sentences a reviewer should read."""
    model = model or SupportModel.load()
    r = rank_evidence(claim, evidence)
    p = model.probability(support_features(claim, evidence, r))
    missing = _uncovered(r, EVIDENCE_SHOWN)
    words = [t.text for t in tokens(claim) if t.stem in missing]
    return SupportCheck(p >= 0.5, p, r.order[:EVIDENCE_SHOWN], list(dict.fromkeys(words)))
