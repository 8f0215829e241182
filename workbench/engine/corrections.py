"""Corrections that travel: find the sentences an origin has since corrected or withdrawn, and the derivative claims
that still repeat the superseded wording.

A newer version of an origin replaces some sentences. A claim repeating the earlier wording (the words the correction
removed, none of those it added; or any close copy of a withdrawn sentence) gets a `correction_not_carried` flag
naming both wordings, whatever its label, so the copy that carries the error is seen before anyone reviews it.
Recomputed from the stored versions on every trace, so the flag survives later re-traces.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher

from .segment import split_sentences
from .types import LABEL_ALTERED, LABEL_SUPPORTED, ArticleTrace, Flag, FlagType, SentenceTrace

SENTENCE_MIN_WORDS = 4
# The newest sentence most like a superseded one is its rewording when their words match at least this well;
# otherwise the sentence was withdrawn.
REWORDED_MIN_RATIO = 0.5
# A claim repeats a superseded sentence when it holds at least this share of that sentence's content words.
REPEATS_MIN_SHARE = 0.5
WITHDRAWN_REPEATS_MIN_SHARE = 0.6
QUOTE_MAX_CHARS = 200
_STOPWORDS = frozenset(
    "a an the of to in on at for and or but by with from as is was were are be been has have had that this it its "
    "their his her they he she we said says".split()
)


@dataclass(frozen=True)
class Superseded:
    """A sentence an earlier version of the origin had and the newest has not: ``new`` is its rewording in the
    newest version, or None when it was withdrawn."""

    old: str
    new: str | None


def _content(text: str) -> set[str]:
    return {w.strip(".,") for w in re.findall(r"[\w'\u2019%$€£.,-]+", text.lower())} - _STOPWORDS - {""}


def _ratio(a: str, b: str) -> float:
    return SequenceMatcher(None, sorted(_content(a)), sorted(_content(b))).ratio()


def _normal(text: str) -> str:
    return " ".join(text.lower().split())


def superseded_sentences(earlier_texts: Sequence[str], newest_text: str) -> list[Superseded]:
    """Sentences of the earlier versions (oldest first) missing from the newest, each with its rewording or None."""
    newest = [s.text for s in split_sentences(newest_text)]
    present = {_normal(s) for s in newest}
    out: list[Superseded] = []
    seen: set[str] = set()
    for text in earlier_texts:
        for sentence in split_sentences(text):
            key = _normal(sentence.text)
            if key in present or key in seen or len(_content(sentence.text)) < SENTENCE_MIN_WORDS:
                continue
            seen.add(key)
            best = max(newest, key=lambda n, old=sentence.text: _ratio(old, n), default=None)
            reworded = best is not None and _ratio(sentence.text, best) >= REWORDED_MIN_RATIO
            out.append(Superseded(sentence.text, best if reworded else None))
    return out


def _quote(text: str) -> str:
    return "“" + (text if len(text) <= QUOTE_MAX_CHARS else text[: QUOTE_MAX_CHARS - 1] + "…") + "”"


def _repeats(claim: str, superseded: Superseded) -> str | None:
    """The words of ``claim`` that repeat the superseded wording (the span to show), or None when it does not."""
    old, claim_words = _content(superseded.old), _content(claim)
    if not old:
        return None
    share = len(old & claim_words) / len(old)
    if superseded.new is None:
        return claim if share >= WITHDRAWN_REPEATS_MIN_SHARE else None
    if share < REPEATS_MIN_SHARE:
        return None
    new = _content(superseded.new)
    removed, added = old - new, new - old
    if not removed and not added:
        return None
    if added & claim_words:
        return None  # the claim carries (some of) the corrected wording
    if removed and not removed & claim_words:
        return None
    carried = [w for w in removed if w in claim_words]
    return carried[0] if carried else claim


def correction_flag(claim: str, superseded: Sequence[Superseded], origin_sentences: Sequence[str]) -> Flag | None:
    """A `correction_not_carried` flag for a claim that repeats a superseded origin sentence, or None. The flag points
    at the newest origin sentence that replaced it (``origin_sentence_index``) when there is one."""
    for sup in superseded:
        span = _repeats(claim, sup)
        if span is None:
            continue
        found = claim.lower().find(span.lower())
        start, end = (found, found + len(span)) if found >= 0 else (0, len(claim))
        if sup.new is None:
            explanation = f"The origin withdrew {_quote(sup.old)}; this claim still repeats it."
            return Flag(FlagType.CORRECTION_NOT_CARRIED, claim[start:end], start, end, None, None, None, explanation)
        index = next((i for i, text in enumerate(origin_sentences) if text == sup.new), None)
        explanation = (
            f"The origin corrected {_quote(sup.old)} to {_quote(sup.new)}; this claim repeats the earlier wording."
        )
        return Flag(
            FlagType.CORRECTION_NOT_CARRIED,
            claim[start:end],
            start,
            end,
            sup.new if index is not None else None,
            0 if index is not None else None,
            len(sup.new) if index is not None else None,
            explanation,
            index,
        )
    return None


def corrections_apply(
    trace: ArticleTrace, superseded: Sequence[Superseded], origin_sentences: Sequence[str]
) -> ArticleTrace:
    """The derivative's trace with a `correction_not_carried` flag on every claim repeating superseded wording; a
    `supported` claim so flagged becomes `altered` (the flag type alters)."""
    if not superseded:
        return trace
    sentences: list[SentenceTrace] = []
    for s in trace.sentences:
        flag = None if s.label == "boilerplate" else correction_flag(s.text, superseded, origin_sentences)
        if flag is None:
            sentences.append(s)
            continue
        label = LABEL_ALTERED if s.label == LABEL_SUPPORTED and FlagType.CORRECTION_NOT_CARRIED.alters else s.label
        sentences.append(replace(s, label=label, flags=[*s.flags, flag]))
    return replace(trace, sentences=sentences)
