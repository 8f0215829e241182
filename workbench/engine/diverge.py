"""Type the divergences between a claim and the origin sentence(s) it aligns to.

Every flag rests on visible evidence: numbers, quotations, hedge and certainty words, named sources,
and words the origin never uses. Spans are exact slices of the claim and of one origin sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from rapidfuzz import fuzz

from .attribute import find_attribution
from .lexicon import (
    APPROXIMATORS,
    CAUSAL_WORDS,
    CERTAINTY_WORDS,
    CONDITION_MARKERS,
    FOLD,
    HEDGE_WORDS,
    LIGHT_WORDS,
    MONTHS,
    NUMBER_WORDS,
    STOPWORDS,
    STRONG_HEDGES,
    UNIT_WORDS,
    WEEKDAYS,
    Token,
    normalise_for_match,
    number_value,
    prefix_variants,
    stem,
    tokens,
)
from .types import Flag, FlagType

ADDED_RUN_MIN_WORDS = 4
QUOTE_MIN_WORDS = 2
QUOTE_LOCATE_MIN_RATIO = 60.0
CONDITION_MISSING_SHARE = 0.6

_APPROX_CLASS = {
    **dict.fromkeys(
        "about approximately around roughly some nearly almost estimated close to an estimated".split(), "approx"
    ),
    "an estimated": "approx",
    "close to": "approx",
    "more than": "lower",
    "over": "lower",
    "at least": "lower",
    "upwards of": "lower",
    "just over": "lower",
    "up to": "upper",
    "as much as": "upper",
    "as many as": "upper",
    "less than": "upper",
    "fewer than": "upper",
    "under": "upper",
    "just under": "upper",
    "as early as": "earliest",
    "as soon as": "earliest",
    "no earlier than": "earliest",
    "no later than": "latest",
    "as few as": "lower",
}
_NUMBER_WORDS_RE = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
_NUMBER = re.compile(
    rf"(?:(?P<q>\b(?:{APPROXIMATORS}))\s+)?(?P<n>\$?\d+(?:[.,]\d+)*|\b(?:{_NUMBER_WORDS_RE})\b)"
    rf"(?:[\s-]*(?:(?:of|many|more|new|other|additional)\s+)?(?P<u>%|per ?cent\b|[A-Za-z]+))?",
    re.IGNORECASE,
)
_QUOTE = re.compile(r"[\u201c\"\u00ab](?P<q>[^\u201c\u201d\"\u00ab\u00bb]{2,}?)[\u201d\"\u00bb]")
_CONDITION = re.compile(rf"(?:^|[,;]\s*)(?P<c>(?:{CONDITION_MARKERS})\b[^,;]*)", re.IGNORECASE)
_SCOPE_QUALIFIERS = frozenset("only mostly mainly largely partly partially most some".split())
SCOPE_LOOKAHEAD = 2
RESTATED_WITHIN_CHARS = 40
# A scope phrase cut whole ("in most economically valuable tasks"): at least this many content words, with this share
# of the rest of the origin sentence kept in the claim.
DROPPED_SCOPE_MIN_WORDS = 2
DROPPED_SCOPE_KEPT_SHARE = 0.6
# Words by which a claim restates a scope in its own terms ("most" -> "predominantly", "some" -> "a few").
QUANTITY_WORDS = frozenset(
    """some several few many most mostly mainly largely predominantly primarily majority minority certain various
    numerous array range handful part partly partially only just solely merely exclusively select""".split()
)
_VAGUE_NUMBERS = frozenset("one couple single dozen few".split())
_NAME_VARIANTS = frozenset(
    """united states kingdom sir mr mrs ms dr inc corp co ltd llc plc president secretary minister chief ceo
    senator governor general professor prof spokesperson spokesman spokeswoman""".split()
)
_DATELINE = re.compile(r"^\s*(?:[A-Z][\w .,'\u2019-]{0,40}?\s)?\([A-Z][\w .&-]+\)\s*[-\u2013\u2014:]\s*")
_WEAK_MODALS = frozenset("would could may might likely probably possibly plans planning plan expected".split())
_GENERIC_NAME_WORDS = frozenset("news report reports media agency the outlet article press".split())


@dataclass(frozen=True)
class OriginContext:
    """What the whole origin article offers beyond the aligned sentences."""

    stems: frozenset[str]
    norm_text: str
    quote_norms: tuple[str, ...]
    numbers: frozenset[float]
    outlet_stems: frozenset[str]
    names: frozenset[str] = frozenset()
    credited: frozenset[str] = frozenset()


def _part_stems(text: str) -> set[str]:
    """Stems of the parts of hyphenated words ("code-named" -> code, name)."""
    return {stem(p) for t in tokens(text) if "-" in t.text for p in t.text.split("-") if p}


def _is_novel(t: Token, known: set[str] | frozenset[str]) -> bool:
    if t.stem in known:
        return False
    if "-" in t.text:
        return not any(stem(p) in known for p in t.text.split("-") if p)
    return True


def origin_context(origin_texts: Sequence[str], outlet_names: Sequence[str] = ()) -> OriginContext:
    stems: set[str] = set()
    names: set[str] = set()
    credited: set[str] = set()
    quotes: list[str] = []
    numbers: set[float] = set()
    for text in origin_texts:
        stems.update(t.stem for t in tokens(text))
        stems.update(_part_stems(text))
        for line in text.split("\n"):
            for part in re.split(r"(?<=[.!?])\s+", line):
                att = find_attribution(part)
                if att is not None:
                    credited.update(
                        t.stem for n in (att.source, att.speaker) if n for t in tokens(n) if t.is_capitalised
                    )
        for t in tokens(text):
            before = text[: t.start].rstrip()
            if t.is_capitalised and before and before[-1] not in '.:!?"\u201c\u2014\u2013-(\n':
                names.add(t.stem)
        quotes.extend(normalise_for_match(m.group("q")) for m in _QUOTE.finditer(text))
        numbers.update(v for m in _NUMBER.finditer(text) if (v := number_value(_num_norm(m.group("n")))) is not None)
    outlet = {t.stem for name in outlet_names if name for t in tokens(name)}
    return OriginContext(
        stems=frozenset(stems | outlet),
        norm_text=" " + normalise_for_match(" ".join(origin_texts)) + " ",
        quote_norms=tuple(quotes),
        numbers=frozenset(numbers),
        outlet_stems=frozenset(outlet),
        names=frozenset(names | outlet),
        credited=frozenset(credited | outlet),
    )


def _num_norm(raw: str) -> str:
    return raw.lower().lstrip("$")


def _unit(raw: str | None) -> str | None:
    if not raw:
        return None
    u = raw.lower().replace(" ", "")
    if u in ("%", "percent"):
        return "percent"
    singular = u[:-1] if u.endswith("s") else u
    if singular in {w[:-1] if w.endswith("s") else w for w in UNIT_WORDS}:
        return singular
    return None


@dataclass(frozen=True)
class _NumberMention:
    value: float
    unit: str | None
    qualifier: str | None
    start: int
    end: int
    unit_word: str | None


def _numbers(text: str) -> list[_NumberMention]:
    out: list[_NumberMention] = []
    for m in _NUMBER.finditer(text):
        value = number_value(
            _num_norm(m.group("n")).replace(",", "")
            if "," in m.group("n") and "." in m.group("n")
            else _num_norm(m.group("n"))
        )
        if value is None:
            continue
        n_word = m.group("n").lower()
        if n_word in ("one", "single") and not m.group("u"):
            continue
        raw_unit = m.group("u")
        unit = _unit(raw_unit)
        if n_word in ("decade", "decades"):
            unit = "decade"
        if n_word in ("decade", "decades") and not re.search(
            r"\d|\b(?:" + _NUMBER_WORDS_RE + r")\s+$", text[: m.start("n")][-12:]
        ):
            value, unit = 10.0, "year"
        prev = text[: m.start()].rstrip().rsplit(None, 1)
        if prev and prev[-1].lower().rstrip(".,") in MONTHS | {m_[:3] for m_ in MONTHS} | {"sept"}:
            continue
        q = m.group("q")
        start = m.start("q") if q else m.start("n")
        end = m.end("u") if raw_unit and unit else m.end("n")
        out.append(_NumberMention(value, unit, q.lower() if q else None, start, end, raw_unit))
    return out


def _flag(
    type_: str,
    claim: str,
    span: tuple[int, int],
    origin: Sequence[tuple[int, str]],
    origin_span: tuple[int, int, int] | None,
    explanation: str,
) -> Flag:
    s, e = span
    if origin_span is None:
        return Flag(type_, claim[s:e], s, e, None, None, None, explanation, None)
    k, os_, oe = origin_span
    idx, otext = origin[k]
    return Flag(type_, claim[s:e], s, e, otext[os_:oe], os_, oe, explanation, idx if k > 0 else None)


def _locate(needle: str, origin: Sequence[tuple[int, str]]) -> tuple[int, int, int] | None:
    """Where `needle` best matches inside one of the aligned origin sentences."""
    best: tuple[float, int, int, int] | None = None
    low_needle = needle.translate(FOLD).lower()
    for k, (_, otext) in enumerate(origin):
        hay = otext.translate(FOLD).lower()
        if len(hay) != len(otext):
            hay = otext
        al = fuzz.partial_ratio_alignment(low_needle, hay)
        if al is None:
            continue
        if best is None or al.score > best[0]:
            best = (al.score, k, al.dest_start, al.dest_end)
    if best is None or best[0] < QUOTE_LOCATE_MIN_RATIO:
        return None
    _, k, s, e = best
    otext = origin[k][1]
    while s < e and not otext[s].isalnum():
        s += 1
    while e > s and not otext[e - 1].isalnum():
        e -= 1
    return (k, s, e) if e > s else None


def _token_span(tok: Token) -> tuple[int, int]:
    return tok.start, tok.end


def _first_token(origin: Sequence[tuple[int, str]], pred) -> tuple[int, int, int] | None:
    for k, (_, otext) in enumerate(origin):
        for t in tokens(otext):
            if pred(t):
                return k, t.start, t.end
    return None


def detect_flags(
    claim: str,
    origin: Sequence[tuple[int, str]],
    context: OriginContext,
) -> list[Flag]:
    """Divergence flags of `claim` against its aligned origin sentences `(index, text)`, best first."""
    if not claim.strip() or not origin:
        return []
    flags: list[Flag] = []
    dateline = _DATELINE.match(claim)
    skip_to = dateline.end() if dateline else 0
    ctoks = [t for t in tokens(claim) if t.start >= skip_to]
    otoks = [t for _, text in origin for t in tokens(text)]
    o_stems = {t.stem for t in otoks}
    o_norms = {t.norm for t in otoks}
    c_norms = {t.norm for t in ctoks}
    o_join = " ".join(text for _, text in origin)

    flags += _number_flags(claim, origin, context)
    flags += _quote_flags(claim, origin, context)

    c_hedges = [t for t in ctoks if t.norm in STRONG_HEDGES and t.norm != "would"]
    c_stems = {t.stem for t in ctoks}
    first_toks = tokens(origin[0][1])
    o_hedges = [
        t
        for i, t in enumerate(first_toks)
        if t.norm in STRONG_HEDGES
        and t.norm != "would"
        and any(x.stem in c_stems for x in [y for y in first_toks[i + 1 :] if y.norm not in STOPWORDS][:3])
    ]
    if o_hedges and not c_hedges:
        h = o_hedges[0]
        loc = _first_token(origin, lambda t: t.norm == h.norm)
        flags.append(
            _flag(
                FlagType.HEDGE_DROPPED,
                claim,
                _claim_anchor(ctoks, o_stems, claim),
                origin,
                loc,
                f"the origin hedges this with '{h.text}'; the claim states it without a hedge",
            )
        )

    for t in ctoks:
        if t.norm in CERTAINTY_WORDS | CAUSAL_WORDS and t.stem not in o_stems and t.norm not in o_norms:
            if t.norm == "will" and (not (o_norms & _WEAK_MODALS) or c_norms & _WEAK_MODALS):
                continue
            if t.norm == "will":
                loc = _first_token(origin, lambda x: x.norm in _WEAK_MODALS)
                expl = "the claim says 'will' where the origin has a conditional or planned outcome"
            else:
                loc = None
                expl = f"'{t.text}' raises certainty or asserts cause beyond what the origin says"
            flags.append(_flag(FlagType.CERTAINTY_RAISED, claim, _token_span(t), origin, loc, expl))
            break

    flags += _attribution_flags(claim, origin, context)
    flags += _entity_flags(claim, ctoks, origin, context)

    flags += _added_detail_flags(claim, ctoks, o_stems, context, origin)
    flags += _qualifier_flags(claim, ctoks, c_norms, origin, o_join)
    return _dedupe(flags)


def _claim_anchor(ctoks: Sequence[Token], o_stems: set[str], claim: str) -> tuple[int, int]:
    shared = [t for t in ctoks if t.stem in o_stems and t.norm not in STOPWORDS]
    if shared:
        return shared[0].start, shared[-1].end
    return 0, len(claim)


def _number_flags(claim: str, origin: Sequence[tuple[int, str]], context: OriginContext) -> list[Flag]:
    flags: list[Flag] = []
    o_mentions = [(k, m) for k, (_, text) in enumerate(origin) for m in _numbers(text)]
    for m in _numbers(claim):
        same = [(k, om) for k, om in o_mentions if om.value == m.value]
        if same:
            k, om = same[0]
            loc = (k, om.start, om.end)
            if om.unit and m.unit and m.unit != om.unit and not any(x.unit == m.unit for _, x in same):
                flags.append(
                    _flag(
                        FlagType.NUMBER_CHANGED,
                        claim,
                        (m.start, m.end),
                        origin,
                        loc,
                        f"the origin's '{origin[k][1][om.start : om.end]}' becomes '{claim[m.start : m.end]}'",
                    )
                )
            elif om.qualifier and not m.qualifier:
                flags.append(
                    _flag(
                        FlagType.OMITTED_QUALIFIER,
                        claim,
                        (m.start, m.end),
                        origin,
                        loc,
                        f"the origin qualifies the figure ('{om.qualifier}'); the claim drops it",
                    )
                )
            elif om.qualifier and m.qualifier and _APPROX_CLASS.get(om.qualifier) != _APPROX_CLASS.get(m.qualifier):
                flags.append(
                    _flag(
                        FlagType.NUMBER_CHANGED,
                        claim,
                        (m.start, m.end),
                        origin,
                        loc,
                        f"'{om.qualifier}' in the origin becomes '{m.qualifier}'",
                    )
                )
            continue
        rivals = [(k, om) for k, om in o_mentions if om.unit and om.unit == m.unit]
        if rivals:
            k, om = rivals[0]
            flags.append(
                _flag(
                    FlagType.NUMBER_CHANGED,
                    claim,
                    (m.start, m.end),
                    origin,
                    (k, om.start, om.end),
                    f"the origin gives '{origin[k][1][om.start : om.end]}', the claim '{claim[m.start : m.end]}'",
                )
            )
        elif m.value not in context.numbers and claim[m.start : m.end].lower().split()[-1] not in _VAGUE_NUMBERS:
            flags.append(
                _flag(
                    FlagType.ADDED_DETAIL,
                    claim,
                    (m.start, m.end),
                    origin,
                    None,
                    f"the figure '{claim[m.start : m.end]}' is not in the origin",
                )
            )
    o_days = [(k, t) for k, (_, text) in enumerate(origin) for t in tokens(text) if t.norm in WEEKDAYS]
    for t in tokens(claim):
        if t.norm in WEEKDAYS and not any(x.norm == t.norm for _, x in o_days):
            if o_days:
                k, x = o_days[0]
                flags.append(
                    _flag(
                        FlagType.NUMBER_CHANGED,
                        claim,
                        (t.start, t.end),
                        origin,
                        (k, x.start, x.end),
                        f"the origin's day '{x.text}' becomes '{t.text}'",
                    )
                )
            elif t.stem not in context.stems:
                flags.append(
                    _flag(
                        FlagType.ADDED_DETAIL,
                        claim,
                        (t.start, t.end),
                        origin,
                        None,
                        f"the day '{t.text}' is not in the origin",
                    )
                )
    return flags


def _quote_flags(claim: str, origin: Sequence[tuple[int, str]], context: OriginContext) -> list[Flag]:
    flags: list[Flag] = []
    for m in _QUOTE.finditer(claim):
        inner = m.group("q")
        qn = normalise_for_match(inner)
        if len(qn.split()) < QUOTE_MIN_WORDS:
            continue
        if any(qn in oq for oq in context.quote_norms):
            continue
        loc = _locate(inner, origin)
        if f" {qn} " in context.norm_text:
            expl = "words the origin uses without quotation marks are presented as a direct quote"
        else:
            expl = "the quoted words are not a verbatim quote in the origin"
        s, e = m.start("q"), m.end("q")
        while s < e and not claim[s].isalnum():
            s += 1
        while e > s and not claim[e - 1].isalnum():
            e -= 1
        flags.append(_flag(FlagType.QUOTE_ALTERED, claim, (s, e), origin, loc, expl))
    if not _QUOTE.search(claim) and find_attribution(claim) is None:
        for k, (_, otext) in enumerate(origin):
            quoted = sum(len(q.group(0)) for q in _QUOTE.finditer(otext))
            q = _QUOTE.search(otext)
            if q is not None and quoted >= 0.5 * len(otext):
                flags.append(
                    _flag(
                        FlagType.HEDGE_DROPPED,
                        claim,
                        (0, len(claim)),
                        origin,
                        (k, q.start("q"), q.end("q")),
                        "a quoted statement in the origin is restated as unattributed fact",
                    )
                )
                break
    return flags


def _attribution_flags(claim: str, origin: Sequence[tuple[int, str]], context: OriginContext) -> list[Flag]:
    att = find_attribution(claim)
    if att is None:
        return []
    dateline = _DATELINE.match(claim)
    if dateline and att.source and att.source in dateline.group():
        # "April 2 (Reuters) - ..., Bloomberg reported": the dateline credits the rewrite's own wire, and the claim
        # is credited to the source named after it. With no one named after it, the dateline's source is the claim's.
        after = find_attribution(claim[dateline.end() :])
        if after is not None and (after.source or after.speaker):
            att = replace(after, start=after.start + dateline.end(), end=after.end + dateline.end())
    if dateline and att.end <= dateline.end():
        return []
    flags: list[Flag] = []
    origin_att = next(((k, a) for k, (_, t) in enumerate(origin) if (a := find_attribution(t)) is not None), None)
    if origin_att is None:
        return []
    for name in (att.source, att.speaker):
        if not name:
            continue
        name_toks = [t for t in tokens(name) if t.is_capitalised and t.norm not in _GENERIC_NAME_WORDS]
        novel = [t for t in name_toks if t.stem not in context.stems]
        if novel:
            pos = claim.find(name)
            span = (pos, pos + len(name)) if pos >= 0 else (att.start, att.end)
            loc = None
            for k, (_, otext) in enumerate(origin):
                oatt = find_attribution(otext)
                if oatt is not None:
                    loc = (k, oatt.start, oatt.end)
                    break
            flags.append(
                _flag(
                    FlagType.ATTRIBUTION_CHANGED,
                    claim,
                    span,
                    origin,
                    loc,
                    f"credited to '{name}', which the origin does not name",
                )
            )
            break
    return flags


_NOT_NAMES = frozenset(
    """the a an this that these those it he she they we i but and however meanwhile according in on at for as
    while when if after before during despite although though earlier later recently also still now then""".split()
)


def _proper_tokens(text: str, known_names: frozenset[str] | None = None) -> list[Token]:
    """Capitalised words that are not sentence-initial or after a colon/quote/bullet; a sentence-initial
    word counts only when it is in `known_names` (stems seen capitalised mid-sentence elsewhere)."""
    out = []
    for t in tokens(text):
        if (
            not t.is_capitalised
            or t.norm in _NOT_NAMES
            or t.norm in _NAME_VARIANTS
            or t.norm in STOPWORDS
            or re.search(r"[.\d]", t.text)
        ):
            continue
        before = text[: t.start].rstrip()
        if not before or before[-1] in '.:!?"\u201c\u2014\u2013-(':
            if known_names is None or t.stem not in known_names:
                continue
        out.append(t)
    return out


def _entity_flags(
    claim: str, ctoks: Sequence[Token], origin: Sequence[tuple[int, str]], context: OriginContext
) -> list[Flag]:
    """A name the origin never uses stands where the aligned origin sentence has a name the claim dropped."""
    c_stems = {t.stem for t in ctoks}
    novel = [t for t in _proper_tokens(claim, context.names) if t.stem not in context.stems]
    if (
        not novel
        and ctoks
        and ctoks[0].is_capitalised
        and ctoks[0].stem not in context.stems
        and ctoks[0].norm not in STOPWORDS
    ):
        following = claim[ctoks[0].end :].lstrip()[:1]
        if following and (following.islower() or following in "(,"):
            novel = [ctoks[0]] if _looks_like_name_start(claim, ctoks) else []
    if not novel:
        return []
    for k, (_, otext) in enumerate(origin[:1]):
        dropped = [t for t in _proper_tokens(otext, context.names) if t.stem not in c_stems]
        pairs = [(t, d) for t in novel for d in dropped if _same_slot(claim, t, otext, d)]
        if pairs:
            t, d = pairs[0]
            catt, oatt = find_attribution(claim), find_attribution(otext)
            credited = (
                (catt is not None and catt.start <= t.start < catt.end)
                or (oatt is not None and oatt.start <= d.start < oatt.end)
                or d.stem in context.credited
            )
            kind = FlagType.ATTRIBUTION_CHANGED if credited else FlagType.ENTITY_CHANGED
            return [
                _flag(
                    kind,
                    claim,
                    (t.start, t.end),
                    origin,
                    (k, d.start, d.end),
                    f"'{d.text}' in the origin becomes '{t.text}'",
                )
            ]
    return []


def _name_run_neighbours(text: str, tok: Token) -> tuple[str | None, str | None]:
    """The words just before and just after the run of capitalised words that holds `tok`."""
    toks = tokens(text)
    i = next(n for n, x in enumerate(toks) if x.start == tok.start)
    a = i
    while a > 0 and toks[a - 1].is_capitalised and not re.search(r"[.,;:()]", text[toks[a - 1].end : toks[a].start]):
        a -= 1
    b = i
    while (
        b + 1 < len(toks)
        and toks[b + 1].is_capitalised
        and not re.search(r"[.,;:()]", text[toks[b].end : toks[b + 1].start])
    ):
        b += 1
    before = toks[a - 1].norm if a > 0 else None
    after = toks[b + 1].norm if b + 1 < len(toks) else None
    return before, after


def _same_slot(claim: str, novel: Token, otext: str, dropped: Token) -> bool:
    """Whether the claim's new name stands where the origin's dropped one stood: the same word just before or just
    after it ("told Reuters" -> "told CNN"). A name added elsewhere in the sentence is added detail, not a change."""
    c_before, c_after = _name_run_neighbours(claim, novel)
    o_before, o_after = _name_run_neighbours(otext, dropped)
    return (c_before is not None and c_before == o_before) or (c_after is not None and c_after == o_after)


def _looks_like_name_start(claim: str, ctoks: Sequence[Token]) -> bool:
    """A sentence-initial capitalised word directly followed by a verb-like word (was/is/has/said...)."""
    return len(ctoks) > 1 and ctoks[1].norm in {
        "was",
        "is",
        "has",
        "had",
        "were",
        "are",
        "said",
        "says",
        "told",
        "reported",
        "reports",
    }


def dropped_attribution_flags(claim: str, origin: Sequence[tuple[int, str]]) -> list[Flag]:
    """The origin credits a named speaker or a spokesperson for this; the claim states it with no credit."""
    if find_attribution(claim) is not None or _QUOTE.search(claim):
        return []
    oatt = find_attribution(origin[0][1])
    if oatt is None or oatt.source:
        return []
    named = oatt.speaker or (oatt.hedge if oatt.hedge and re.search(r"spokes|representative", oatt.hedge) else None)
    if not named:
        return []
    claim_stems = {t.stem for t in tokens(claim)}
    if any(t.stem in claim_stems for t in tokens(named) if t.is_capitalised and t.norm not in _NAME_VARIANTS):
        return []
    return [
        _flag(
            FlagType.HEDGE_DROPPED,
            claim,
            (0, len(claim)),
            origin,
            (0, oatt.start, oatt.end),
            f"the origin credits this to '{oatt.label}'; the claim states it without attribution",
        )
    ]


def _added_detail_flags(
    claim: str,
    ctoks: Sequence[Token],
    o_stems: set[str],
    context: OriginContext,
    origin: Sequence[tuple[int, str]] = (),
) -> list[Flag]:
    flags: list[Flag] = []
    run: list[Token] = []
    runs: list[list[Token]] = []
    for t in ctoks:
        is_content = (
            t.norm not in STOPWORDS
            and len(t.norm) > 2
            and not t.norm.isdigit()
            and t.norm not in LIGHT_WORDS
            and t.norm not in HEDGE_WORDS
        )
        if not is_content:
            continue
        if _is_novel(t, context.stems) and _is_novel(t, o_stems):
            run.append(t)
        else:
            if run:
                runs.append(run)
            run = []
    if run:
        runs.append(run)
    for r in runs:
        names = [
            t
            for t in r
            if t.is_capitalised and t.start > 0 and t.norm not in _NAME_VARIANTS and not re.search(r"[.\d]", t.text)
        ]
        if len(r) >= ADDED_RUN_MIN_WORDS or names:
            s, e = r[0].start, r[-1].end
            what = "names" if names and len(r) < ADDED_RUN_MIN_WORDS else "specifics"
            slot = _origin_slot(ctoks, (s, e), origin)
            explanation = f"{what} not found anywhere in the origin: '{claim[s:e]}'"
            if slot is not None:
                explanation += f"; where the claim has them, the origin says '{origin[0][1][slot[1] : slot[2]]}'"
            flags.append(_flag(FlagType.ADDED_DETAIL, claim, (s, e), origin, slot, explanation))
    flagged = [t for r in runs for t in r if any(f.span_start <= t.start < f.span_end for f in flags)]
    for r in _novel_predicates(ctoks, o_stems, context, flagged, origin):
        s, e = r[0].start, r[-1].end
        flags.append(
            _flag(
                FlagType.ADDED_DETAIL,
                claim,
                (s, e),
                origin,
                None,
                f"an outcome the origin never states: '{claim[s:e]}'",
            )
        )
    return flags


_MODALS = frozenset("will would could may might".split())
_PREDICATE_SKIP = frozenset("also likely probably possibly soon eventually still then not never further only".split())


def _novel_predicates(
    ctoks: Sequence[Token],
    o_stems: set[str],
    context: OriginContext,
    flagged: Sequence[Token],
    origin: Sequence[tuple[int, str]],
) -> list[list[Token]]:
    """What the claim says will or could happen, in a verb the origin never uses ("... will likely dominate future
    negotiations"): the origin may support the subject, but not this outcome. The verb and the novel words after it
    form the run; words already `flagged` are not flagged again. When the aligned origin sentence itself says what
    will or could happen, the claim's verb is read as a paraphrase of it and left alone."""
    if any(t.norm in _MODALS for _, text in origin for t in tokens(text)):
        return []
    seen = {t.start for t in flagged}
    found: list[list[Token]] = []
    for i, t in enumerate(ctoks):
        if t.norm not in _MODALS:
            continue
        j = i + 1
        while j < len(ctoks) and ctoks[j].norm in _PREDICATE_SKIP:
            j += 1
        if j >= len(ctoks):
            continue
        verb = ctoks[j]
        if verb.norm in STOPWORDS or verb.norm in LIGHT_WORDS or verb.start in seen or len(verb.norm) <= 2:
            continue
        if not (_is_novel(verb, context.stems) and _is_novel(verb, o_stems)):
            continue
        run = [verb]
        for nxt in ctoks[j + 1 : j + 1 + PREDICATE_MAX_WORDS]:
            if nxt.norm in STOPWORDS or not (_is_novel(nxt, context.stems) and _is_novel(nxt, o_stems)):
                break
            run.append(nxt)
        found.append(run)
    return found


SLOT_MAX_WORDS = 12
PREDICATE_MAX_WORDS = 3


def _origin_slot(
    ctoks: Sequence[Token], span: tuple[int, int], origin: Sequence[tuple[int, str]]
) -> tuple[int, int, int] | None:
    """The origin words standing where the claim put its added words, between the same two shared words.

    "double its efforts, [delivering ... vehicles] to Kyiv" against "redoubling efforts to [rush more weapons to the
    war-torn country] as Kyiv forces ..." gives the bracketed origin words: what the added detail replaced. None when
    the added words are not bracketed by words both sentences share, in the same order, with a gap of comparable size.
    """
    if not origin:
        return None
    otoks = tokens(origin[0][1])

    def same(c: Token, o: Token) -> bool:
        return c.norm not in STOPWORDS and (c.stem == o.stem or c.stem in prefix_variants({o.stem}))

    before = next((c for c in reversed(ctoks) if c.end <= span[0] and any(same(c, o) for o in otoks)), None)
    after = next((c for c in ctoks if c.start >= span[1] and any(same(c, o) for o in otoks)), None)
    if before is None or after is None:
        return None
    left = next((i for i, o in enumerate(otoks) if same(before, o)), None)
    right = next((i for i, o in enumerate(otoks) if left is not None and i > left and same(after, o)), None)
    if left is None or right is None:
        return None
    inner = [o for o in otoks[left + 1 : right]]
    while inner and inner[0].norm in STOPWORDS:
        inner.pop(0)
    while inner and inner[-1].norm in STOPWORDS:
        inner.pop()
    added_words = sum(1 for c in ctoks if span[0] <= c.start and c.end <= span[1])
    if not inner or len(inner) > min(SLOT_MAX_WORDS, 2 * added_words + 2):
        return None
    return 0, inner[0].start, inner[-1].end


def _qualifier_flags(
    claim: str, ctoks: Sequence[Token], c_norms: set[str], origin: Sequence[tuple[int, str]], o_join: str
) -> list[Flag]:
    flags: list[Flag] = []
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
                and len(kept) >= 0.4 * len(rest_toks)
            ):
                s0 = m.start("c")
                flags.append(
                    _flag(
                        FlagType.OMITTED_QUALIFIER,
                        claim,
                        _anchor_span(ctoks, kept),
                        origin,
                        (k, s0, s0 + len(clause.rstrip())),
                        f"the origin's condition '{clause.strip()}' is left out",
                    )
                )
                return flags
        otoks = tokens(otext)
        for i, t in enumerate(otoks[:-1]):
            if t.norm in _SCOPE_QUALIFIERS and t.norm not in c_norms:
                clause_end = next(
                    (x.start for x in otoks[i + 1 :] if re.search(r"[,;:()]", otext[t.end : x.start])), len(otext)
                )
                scoped = [x for x in otoks[i + 1 :] if x.end <= clause_end]
                ahead = [x for x in scoped if x.norm not in STOPWORDS][:SCOPE_LOOKAHEAD]
                nxt = next((x for x in ahead if x.stem in c_stems), None)
                if nxt is None:
                    dropped_scope = _dropped_scope(ctoks, c_stems, c_norms, otoks, t, scoped)
                    if dropped_scope is not None:
                        flags.append(
                            _flag(
                                FlagType.OMITTED_QUALIFIER,
                                claim,
                                dropped_scope,
                                origin,
                                (k, t.start, scoped[-1].end),
                                f"the origin limits this to '{otext[t.start : scoped[-1].end]}'; the claim "
                                "leaves the limit out",
                            )
                        )
                        return flags
                    continue
                anchor = next(x for x in ctoks if x.stem == nxt.stem)
                own_words = {x.norm for x in scoped}
                restated = any(
                    x.norm in QUANTITY_WORDS and x.norm not in own_words
                    for x in ctoks
                    if anchor.start - RESTATED_WITHIN_CHARS <= x.start < anchor.start
                )
                if not restated:
                    flags.append(
                        _flag(
                            FlagType.OMITTED_QUALIFIER,
                            claim,
                            (anchor.start, anchor.end),
                            origin,
                            (k, t.start, nxt.end),
                            f"the origin limits this with '{t.text}'; the claim drops it",
                        )
                    )
                    return flags
    return flags


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


def _dedupe(flags: list[Flag]) -> list[Flag]:
    seen: set[tuple[str, int, int]] = set()
    out: list[Flag] = []
    for f in flags:
        key = (f.type, f.span_start, f.span_end)
        if key in seen or f.span_end <= f.span_start:
            continue
        seen.add(key)
        out.append(f)
    return out
