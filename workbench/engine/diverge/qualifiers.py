"""Qualifiers: the origin's condition ("if ...", "unless ...") or scope word ("most", "some", "only") left out."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..lexicon import CONDITION_MARKERS, STOPWORDS, Token, number_value, tokens
from ..types import Flag, FlagType
from .base import Pair, flag

CONDITION_MISSING_SHARE = 0.6
CONDITION_REST_KEPT_SHARE = 0.4
SCOPE_LOOKAHEAD = 2
RESTATED_WITHIN_CHARS = 40
# A scope phrase cut whole ("in most economically valuable tasks"): at least this many content words, with this share
# of the rest of the origin sentence kept in the claim.
DROPPED_SCOPE_MIN_WORDS = 2
DROPPED_SCOPE_KEPT_SHARE = 0.6
_CONDITION = re.compile(rf"(?:^|[,;]\s*)(?P<c>(?:{CONDITION_MARKERS})\b[^,;]*)", re.IGNORECASE)
_SCOPE_QUALIFIERS = frozenset("only mostly mainly largely partly partially most some".split())
# Words by which a claim restates a scope in its own terms ("most" -> "predominantly", "some" -> "a few").
QUANTITY_WORDS = frozenset(
    """some several few many most mostly mainly largely predominantly primarily majority minority certain various
    numerous array range handful part partly partially only just solely merely exclusively select""".split()
)


def qualifier_flags(pair: Pair) -> list[Flag]:
    claim, ctoks, c_norms, origin = pair.claim, pair.ctoks, pair.c_norms, pair.origin
    c_stems = {t.stem for t in ctoks}
    for k, (_, otext) in enumerate(origin):
        for m in _CONDITION.finditer(otext):
            clause = m.group("c")
            ctoks_clause = [t for t in tokens(clause) if t.norm not in STOPWORDS and len(t.norm) > 2]
            if len(ctoks_clause) < 2:
                continue
            missing = [t for t in ctoks_clause if t.stem not in c_stems]
            rest = otext[: m.start("c")] + otext[m.end("c") :]
            rest_toks = [t for t in tokens(rest) if t.norm not in STOPWORDS and len(t.norm) > 2]
            kept = [t for t in rest_toks if t.stem in c_stems]
            if (
                len(missing) >= CONDITION_MISSING_SHARE * len(ctoks_clause)
                and rest_toks
                and len(kept) >= CONDITION_REST_KEPT_SHARE * len(rest_toks)
            ):
                s0 = m.start("c")
                return [
                    flag(
                        FlagType.OMITTED_QUALIFIER,
                        claim,
                        _anchor_span(ctoks, kept),
                        origin,
                        (k, s0, s0 + len(clause.rstrip())),
                        f"the origin's condition '{clause.strip()}' is left out",
                    )
                ]
        otoks = tokens(otext)
        for i, t in enumerate(otoks[:-1]):
            if t.norm in _SCOPE_QUALIFIERS and t.norm not in c_norms and not _not_a_scope(otoks, i):
                clause_end = next(
                    (x.start for x in otoks[i + 1 :] if re.search(r"[,;:()]", otext[t.end : x.start])), len(otext)
                )
                scoped = [x for x in otoks[i + 1 :] if x.end <= clause_end]
                ahead = [x for x in scoped if x.norm not in STOPWORDS][:SCOPE_LOOKAHEAD]
                nxt = next((x for x in ahead if x.stem in c_stems), None)
                if nxt is None:
                    dropped_scope = _dropped_scope(ctoks, c_stems, c_norms, otoks, t, scoped)
                    if dropped_scope is not None:
                        return [
                            flag(
                                FlagType.OMITTED_QUALIFIER,
                                claim,
                                dropped_scope,
                                origin,
                                (k, t.start, scoped[-1].end),
                                f"the origin limits this to '{otext[t.start : scoped[-1].end]}'; the claim "
                                "leaves the limit out",
                            )
                        ]
                    continue
                anchor = next(x for x in ctoks if x.stem == nxt.stem)
                own_words = {x.norm for x in scoped}
                restated = any(
                    x.norm in QUANTITY_WORDS and x.norm not in own_words
                    for x in ctoks
                    if anchor.start - RESTATED_WITHIN_CHARS <= x.start < anchor.start
                )
                if not restated:
                    return [
                        flag(
                            FlagType.OMITTED_QUALIFIER,
                            claim,
                            (anchor.start, anchor.end),
                            origin,
                            (k, t.start, nxt.end),
                            f"the origin limits this with '{t.text}'; the claim drops it",
                        )
                    ]
    return []


_SUPERLATIVE_BEFORE = frozenset("the its their his her our whose".split())
_ADJECTIVE_ENDINGS = ("ant", "ent", "ous", "ive", "ful", "al", "ic", "able", "ible", "less", "ar", "ary", "ed", "est")


def _not_a_scope(otoks: Sequence[Token], i: int) -> bool:
    """Whether the scope word at `i` is something else: an approximator of a figure ("some 300", left to the numbers
    detector) or a superlative ("the most distant spacecraft", "most powerful")."""
    nxt = otoks[i + 1]
    if number_value(nxt.norm) is not None:
        return True
    if otoks[i].norm != "most":
        return False
    before = otoks[i - 1].norm if i > 0 else ""
    return before in _SUPERLATIVE_BEFORE or nxt.norm.endswith(_ADJECTIVE_ENDINGS)


def _dropped_scope(
    ctoks: Sequence[Token],
    c_stems: set[str],
    c_norms: set[str],
    otoks: Sequence[Token],
    qualifier: Token,
    scoped: Sequence[Token],
) -> tuple[int, int] | None:
    """The claim's span next to where a scope phrase was cut ("surpass humans in most economically valuable tasks"
    -> "smarter than humans"), or None. The whole phrase must be gone, the claim must restate no scope of its own,
    and the rest of the origin sentence must be kept, so a sentence merely trimmed elsewhere is not flagged."""
    content = [x for x in scoped if x.norm not in STOPWORDS and len(x.norm) > 2]
    if len(content) < DROPPED_SCOPE_MIN_WORDS or any(x.stem in c_stems for x in content) or c_norms & QUANTITY_WORDS:
        return None
    end = scoped[-1].end
    rest = [
        x for x in otoks if (x.end <= qualifier.start or x.start >= end) and x.norm not in STOPWORDS and len(x.norm) > 2
    ]
    kept = [x for x in rest if x.stem in c_stems]
    if not rest or len(kept) < DROPPED_SCOPE_KEPT_SHARE * len(rest):
        return None
    before = [x for x in kept if x.end <= qualifier.start] or kept
    anchor = next(x for x in ctoks if x.stem == before[-1].stem)
    return anchor.start, anchor.end


def _anchor_span(ctoks: Sequence[Token], kept: Sequence[Token]) -> tuple[int, int]:
    stems = {t.stem for t in kept}
    hits = [t for t in ctoks if t.stem in stems]
    if not hits:
        return (0, ctoks[-1].end) if ctoks else (0, 0)
    return hits[0].start, hits[0].end
