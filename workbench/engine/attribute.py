"""Find who a sentence credits: a named source (outlet, agency, body), a quoted speaker, a hedged source."""

from __future__ import annotations

import re
from functools import lru_cache

from .lexicon import REPORTING_VERBS
from .types import Attribution

# A name word is short; bounding it keeps every pattern built on it linear on long runs of capitals and dots.
_NAME_WORD = r"[A-Z][\w'\u2019.&-]{0,40}"
_NAME = rf"{_NAME_WORD}(?:\s+(?:of|the|for|and|de|van|von|al|bin)?\s*{_NAME_WORD}){{0,5}}"
_GROUP_NOUNS = (
    r"media|press|outlets|newspapers?|officials|authorities|sources|reports|intelligence|analysts|experts|"
    r"researchers|scientists"
)
_HEDGE_SUBJECT = (
    r"(?:(?:one|two|three|four|several|some|a few|multiple|many|\d+)\s+(?:of\s+the\s+)?)?"
    r"(?:(?:senior|high-ranking|top|unnamed|anonymous|unidentified|other|western|european|[A-Z][\w-]*)\s+){0,3}"
    r"(?:people|persons?|sources?|officials?|diplomats?|individuals?|insiders?|respondents|person|"
    r"spokesperson|spokesman|spokeswoman|representative)"
)
_HEDGE_QUALIFIER = (
    r"(?:\s+(?:familiar|close|with (?:direct )?knowledge|briefed|involved|aware|who (?:asked|spoke|declined))"
    r"[^,.;\u201d\"]{0,60})?"
)

_DATELINE = re.compile(rf"^\s*(?:[A-Z][\w .,'\u2019-]{{0,40}}?\s)?\((?P<src>{_NAME})\)\s*[-\u2013\u2014:]")
_ACCORDING = re.compile(
    r"\b(?:according to|"
    r"as (?:stated|relayed|reported|noted|outlined|revealed|indicated|cited|quoted|told|said) (?:by|to|in)|"
    r"citing|as per|per|quoting|says a report by|a report (?:by|from|in))\s+"
    r"(?P<what>(?:(?:a|an|the)\s+)?(?:(?:new|recent|latest|\w+day's)\s+)?(?:report|reports|article|analysis|statement|"
    r"survey|data|translation|study|interview)?\s*(?:by|from|in|of|with)?\s*)"
    rf"(?P<src>{_NAME}(?:'s|\u2019s)?(?:\s+[a-z]+\s+(?:chain\s+)?analysis)?)?"
    rf"(?P<hedge>{_HEDGE_SUBJECT}{_HEDGE_QUALIFIER}|unnamed sources|anonymous sources|the (?:report|outlet|article))?",
)
_TOLD = re.compile(rf"\btold\s+(?:the\s+)?(?:[a-z][\w-]*\s+){{0,4}}?(?P<src>{_NAME})")
_NAME_VERB = re.compile(
    rf"(?:^|(?<=[,;:\u2014\u2013(]\s)|(?<=\u201d\s)|(?<=\"\s)|(?<=\bthat\s)|(?<=\band\s))"
    rf"(?:the\s+)?(?P<src>{_NAME}(?:(?:'s|\u2019s)\s+{_NAME})?(?:\s+(?:{_GROUP_NOUNS}))?)\s+"
    rf"(?:(?:also|has|have|had|later|then|previously|earlier|first)\s+)*(?P<verb>{REPORTING_VERBS})\b(?!\s+of\b)"
)
_GROUP_VERB = re.compile(
    rf"\b(?P<src>[A-Z][\w-]+(?:\s+[A-Z][\w-]+){{0,5}}\s+(?:{_GROUP_NOUNS})|(?:{_NAME})(?:'s|\u2019s)\s+[a-z]+(?:\s+[a-z]+)?)\s+"
    rf"(?:(?:also|have|has|had)\s+)*(?P<verb>{REPORTING_VERBS}|suggest|suggests|believe|think|thinks)\b"
)
_BARE_GROUP = re.compile(
    rf"^(?P<src>(?:(?:Some|Many|Several|Most|Other)\s+)?(?:{_GROUP_NOUNS.title()}))\s+"
    rf"(?:(?:also|have|has|had)\s+)*(?P<verb>{REPORTING_VERBS}|argue|drew attention|draw attention|point(?:ed)? out)\b",
)
_VERB_NAME = re.compile(rf"[,\u201d\"]\s*(?P<verb>{REPORTING_VERBS})\s+(?P<src>{_NAME})")
_HEDGE = re.compile(
    rf"\b(?P<hedge>{_HEDGE_SUBJECT}{_HEDGE_QUALIFIER})\s+(?:have\s+|had\s+)?(?:{REPORTING_VERBS})\b"
    rf"|\b(?P<hedge2>(?:the|one of the|two of the)\s+(?:people|sources?|person|report|outlet|article))"
    rf"\s+(?:{REPORTING_VERBS})\b"
    rf"|\b(?P<hedge3>reportedly|allegedly|on (?:the )?condition of anonymity|speaking on condition of anonymity|"
    rf"(?:unnamed|anonymous|unidentified) sources|{_HEDGE_SUBJECT}\s+(?:familiar|close|with knowledge)[^,.;]{{0,40}})"
)
_QUOTE = re.compile(r"[\u201c\"][^\u201c\u201d\"]{3,}[\u201d\"]")
_NOT_NAMES = frozenset(
    """The A An This That These Those It He She They We I But And However Meanwhile According In On At For
    As While When If After Before During Despite Although Though Earlier Later Recently Subsequently Moreover
    Also Still Now Then One Two Three Some Many Most Other Another""".split()
)


def _trim_name(name: str | None) -> str | None:
    if not name:
        return None
    words = name.split()
    while words and words[0] in _NOT_NAMES:
        words = words[1:]
    name = " ".join(words).strip(" ,.;:")
    name = re.sub(r"(?:'s|\u2019s)$", "", name)
    return name or None


def find_attribution(sentence_text: str) -> Attribution | None:
    """Cached front of `_find_attribution` (sentences are compared many times during a trace)."""
    return _find_attribution(sentence_text or "")


@lru_cache(maxsize=8192)
def _find_attribution(sentence_text: str) -> Attribution | None:
    """The attribution carried by one sentence, or None when it credits no one.

    `source` is a named outlet/body ("Bloomberg", "Sky News"), `speaker` a named person or group who says
    it, `hedge` an anonymous or hedged sourcing phrase ("people familiar with the matter"). Offsets are
    inside the sentence and slice back to `text`.
    """
    s = sentence_text or ""
    if not s.strip():
        return None
    spans: list[tuple[int, int]] = []
    source = speaker = hedge = None
    m = _DATELINE.match(s)
    if m and _trim_name(m.group("src")):
        source = _trim_name(m.group("src"))
        spans.append(m.span("src"))
    for m in _ACCORDING.finditer(s):
        src = _trim_name(m.group("src"))
        if src and source is None:
            source = src
            spans.append((m.start(), m.end("src")))
        h = m.group("hedge")
        if h and hedge is None:
            hedge = h.strip()
            spans.append((m.start(), m.end("hedge")))
    for m in _TOLD.finditer(s):
        src = _trim_name(m.group("src"))
        if src and source is None:
            source = src
            spans.append(m.span())
    for m in _GROUP_VERB.finditer(s):
        src = _trim_name(m.group("src"))
        if not src or speaker is not None:
            continue
        if re.search(r"\b(?:media|press|outlets|newspapers?|reports)$", src):
            source = source or src
        else:
            speaker = src
        spans.append(m.span())
    m = _BARE_GROUP.match(s)
    if m and speaker is None:
        speaker = m.group("src")
        spans.append(m.span())
    for m in _NAME_VERB.finditer(s):
        src = _trim_name(m.group("src"))
        if not src:
            continue
        if m.group("verb").startswith("report"):
            if source is None:
                source = src
                spans.append(m.span())
        elif speaker is None and src != source:
            speaker = src
            spans.append(m.span())
    for m in _VERB_NAME.finditer(s):
        src = _trim_name(m.group("src"))
        if src and speaker is None and src != source:
            if m.group("verb").startswith("report"):
                source = source or src
            else:
                speaker = src
            spans.append((m.start("verb"), m.end()))
    for m in _HEDGE.finditer(s):
        h = m.group("hedge") or m.group("hedge2") or m.group("hedge3")
        if h and hedge is None:
            hedge = h.strip()
            spans.append(m.span())
    quoted = bool(_QUOTE.search(s))
    if not spans:
        return None
    start = min(a for a, _ in spans)
    end = max(b for _, b in spans)
    return Attribution(
        text=s[start:end], start=start, end=end, source=source, speaker=speaker, hedge=hedge, quoted=quoted
    )
