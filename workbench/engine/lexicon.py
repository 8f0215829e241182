"""Generic word lists (no story-specific words) and token helpers shared by the stages."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

STOPWORDS = frozenset(
    """a an the and or but nor so yet for of to in on at by with from into onto over under about above below
    between among through during before after since until as than then that this these those there here
    is are was were be been being am do does did done has have had having it its it's itself they them their
    theirs he him his she her hers we us our ours you your yours i me my mine who whom whose which what when
    where why how all any both each either neither few more most other some such no not only own same too very
    can will just should now also while if because though although whether s t up out off again further once
    one's per via upon within without across along around against toward towards onto amid amidst
    mr mrs ms dr said says say told tell according
    """.split()
)

REPORTING_VERBS = (
    "said|says|say|told|tells|stated|states|noted|notes|added|adds|explained|explains|reported|reports|report|"
    "wrote|writes|announced|announces|confirmed|confirms|claimed|claims|argued|argues|warned|warns|suggested|"
    "suggests|insisted|insists|emphasized|emphasised|emphasizes|mentioned|mentions|revealed|reveals|lamented|"
    "acknowledged|cautioned|cited|quoted|indicated|indicates|believes|believe|believed|estimates|estimated|"
    "observed|remarked|asserted|asserts|stressed|stresses|declared|declares|disclosed|relayed|outlined"
)

HEDGE_WORDS = frozenset(
    """probably possibly possible perhaps maybe may might could would likely unlikely reportedly allegedly
    apparently seemingly potential potentially expected believed suggests suggested appears appear seems seem
    considering consider options option scenarios scenario plan plans planning planned speculation rumors
    rumours estimated estimate approximately roughly""".split()
)

STRONG_HEDGES = frozenset(
    """probably possibly possible perhaps maybe may might could would likely reportedly allegedly apparently
    potential potentially seemingly""".split()
)

CERTAINTY_WORDS = frozenset(
    """key pivotal crucial decisive radically catalyst definitely certainly clearly undoubtedly proven
    rescued will""".split()
)

CAUSAL_WORDS = frozenset("""catalyst caused resulted triggered pivotal leading led""".split())

LIGHT_WORDS = frozenset(
    """used use took take taken made make went go came come hit set get got put report reports reported
    broader wider instead also still even well much many really quite way part thing things lot lots
    remain remains like just""".split()
)


APPROXIMATORS = (
    "about|approximately|around|nearly|almost|roughly|some|at least|more than|less than|fewer than|up to|"
    "as much as|as many as|as few as|as early as|as soon as|no earlier than|no later than|over|under|just over|"
    "just under|close to|upwards of|an estimated|estimated"
)

CONDITION_MARKERS = (
    "given|if|unless|provided|provided that|as long as|in case of|in case|weather permitting|only if|"
    "on condition|assuming|subject to|after being|without|except"
)

NUMBER_WORDS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "dozen": 12,
    "single": 1,
    "couple": 2,
    "decade": 10,
    "decades": 10,
}

UNIT_WORDS = frozenset(
    """year years decade decades month months week weeks day days hour hours minute minutes percent per cent %
    million billion trillion thousand people times cases deaths counties states miles kilometres kilometers
    dollars""".split()
)

WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
MONTHS = frozenset("january february march april may june july august september october november december".split())

FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u00a0": " ",
        "\u2032": "'",
        "\u00ab": '"',
        "\u00bb": '"',
        "\u201e": '"',
    }
)


_WORD_RE = re.compile(r"[^\W_]+(?:[.'\u2019\-][^\W_]+)*", re.UNICODE)


@dataclass(frozen=True)
class Token:
    """A word with its offsets in the text it came from."""

    text: str
    start: int
    end: int
    norm: str
    stem: str

    @property
    def is_content(self) -> bool:
        return bool(self.stem) and self.norm not in STOPWORDS and not self.norm.isdigit() or is_number(self.norm)

    @property
    def is_capitalised(self) -> bool:
        return self.text[:1].isupper()


def fold(text: str) -> str:
    """Fold typographic quotes and dashes so comparisons ignore them."""
    return text.translate(FOLD)


def strip_accents(text: str) -> str:
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


_IRREGULAR = {
    "led": "lead",
    "said": "say",
    "told": "tell",
    "took": "take",
    "made": "make",
    "went": "go",
    "came": "come",
    "left": "leave",
    "held": "hold",
    "met": "meet",
    "sent": "send",
    "spoke": "speak",
    "fell": "fall",
    "won": "win",
    "lost": "lose",
    "rose": "rise",
    "began": "begin",
    "brought": "bring",
    "sought": "seek",
    "found": "find",
    "children": "child",
    "people": "person",
    "men": "man",
    "women": "woman",
}


# Words news rewrites swap for one another: each group is folded to one stem so the swap counts as the same word.
# General news vocabulary only; a group belongs here when rewrites use its words as plain substitutes in any story.
SYNONYM_GROUPS = (
    ("weapons", "arms", "weaponry", "munitions"),
    ("negotiations", "talks"),
    ("ceasefire", "truce"),
    ("troops", "forces", "soldiers"),
    ("war", "conflict"),
)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light stemmer with news synonyms folded together (see `_SYNONYM_STEMS`)."""
    w = _stem(word)
    return _synonym_stems().get(w, w)


@lru_cache(maxsize=1)
def _synonym_stems() -> dict[str, str]:
    return {_stem(word): _stem(group[0]) for group in SYNONYM_GROUPS for word in group}


# British spellings folded to American ones, so "recognises" and "recognizes" are one word. Whole-word patterns for
# long enough words only: "colour" -> "color", but never "four" or "hour".
_SPELLING = (
    (re.compile(r"^(\w{3,})our(s|ed|ing|ite|ites|able|ably)?$"), r"\1or\2"),
    (re.compile(r"^(\w{3,})is(e|es|ed|ing|er|ers|ation|ations)$"), r"\1iz\2"),
    (re.compile(r"^(\w{3,})ys(e|es|ed|ing)$"), r"\1yz\2"),
    (re.compile(r"^(\w{2,}[^aeiou])tre(s)?$"), r"\1ter\2"),
    (re.compile(r"^(def|off|lic|pret)ence(s)?$"), r"\1ense\2"),
    (re.compile(r"^(\w{3,}e)ll(ed|ing|er|ers)$"), r"\1l\2"),
    (re.compile(r"^programme(s|d)?$"), r"program\1"),
    (re.compile(r"^catalogue(s|d)?$"), r"catalog\1"),
)
# Words the British spelling patterns would wrongly change.
_SPELLING_KEEP = frozenset(
    """exercise exercises exercised advise advised advises surprise surprised surprises compromise compromised
    promise promised promises premise premises expertise franchise merchandise enterprise enterprises otherwise
    concise precise despise disguise improvise revise revised televise televised supervise supervised devise
    devised comprise comprised arise arises raise raised raises praise praised poise noise cruise chastise
    paradise treatise demise""".split()
)


def american_spelling(word: str) -> str:
    """`word` (lower case) in American spelling; unchanged when it is not a British variant."""
    if len(word) < 6 or word in _SPELLING_KEEP:
        return word
    for pattern, repl in _SPELLING:
        new = pattern.sub(repl, word)
        if new != word:
            return new
    return word


def _stem(word: str) -> str:
    """A light English suffix stripper: enough to match plural/tense/-ly variants, never empty for words."""
    w = strip_accents(fold(word).lower())
    w = _IRREGULAR.get(w, w)
    if w.endswith("'s"):
        w = w[:-2]
    w = w.replace("'", "").replace("-", "")
    if len(w) <= 3:
        return w
    w = american_spelling(w)

    for suffix, repl in (
        ("ational", "ate"),
        ("ization", "ize"),
        ("isation", "ize"),
        ("fulness", "ful"),
        ("iveness", "ive"),
        ("ically", "ic"),
        ("ially", "ial"),
        ("ations", "ate"),
        ("ation", "ate"),
        ("ments", ""),
        ("ment", ""),
        ("ingly", ""),
        ("edly", ""),
        ("ies", "y"),
        ("ied", "y"),
        ("ing", ""),
        ("ed", ""),
        ("ly", ""),
        ("es", ""),
        ("s", ""),
    ):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: len(w) - len(suffix)] + repl
            break
    if len(w) > 4 and w[-1] == w[-2] and w[-1] not in "ls":
        w = w[:-1]
    if len(w) > 4 and w.endswith("e"):
        w = w[:-1]
    return w


def is_number(norm: str) -> bool:
    return bool(re.fullmatch(r"\d+(?:[.,]\d+)*", norm)) or norm in NUMBER_WORDS


def number_value(norm: str) -> float | None:
    """Numeric value of a digit string or number word, else None."""
    if norm in NUMBER_WORDS:
        return float(NUMBER_WORDS[norm])
    if re.fullmatch(r"\d+(?:,\d{3})*(?:\.\d+)?", norm):
        return float(norm.replace(",", ""))
    return None


def tokens(text: str) -> list[Token]:
    """Word tokens of `text` with offsets; sentence-final dots are not part of a word."""
    return list(_tokens(text))


@lru_cache(maxsize=8192)
def _tokens(text: str) -> tuple[Token, ...]:
    out: list[Token] = []
    for m in _WORD_RE.finditer(text):
        raw = m.group(0)
        start, end = m.start(), m.end()
        norm = strip_accents(fold(raw).lower())
        if norm.endswith("'s"):
            norm = norm[:-2]
        out.append(Token(raw, start, end, norm, stem(raw)))
    return tuple(out)


def prefix_variants(stems: frozenset[str] | set[str]) -> set[str]:
    """Stems with a repetition prefix removed ("redoubl" -> "doubl"), as weaker evidence of the same word."""
    return {s[2:] for s in stems if s.startswith("re") and len(s) >= 7 and s[2] not in "aeiou"}


def content_stems(text: str) -> list[str]:
    return [t.stem for t in tokens(text) if t.norm not in STOPWORDS and len(t.norm) > 1 or is_number(t.norm)]


def normalise_for_match(text: str) -> str:
    """Lower-case, folded, punctuation-free text in American spelling, for verbatim checks."""
    t = strip_accents(fold(text).lower())
    t = re.sub(r"[^\w\s]", " ", t)
    return " ".join(american_spelling(w) for w in t.split())


# Polarity. A negator reverses the predicate a few words after it; the negative verbs do too ("refused to comment").
NEGATORS = frozenset("not no never none nobody nothing neither nor without cannot".split())
NEGATIVE_VERBS = frozenset(
    "fail fails failed failing refuse refuses refused refusing decline declines declined declining unable".split()
)
# Words that put what follows in the negative without a negator ("run afoul of fair trade rules").
NEGATIVE_CONTEXT = frozenset(
    "afoul violate violates violated violating breach breached breaches lack lacks lacked".split()
)
# After these words a negator limits an amount or a time, it does not reverse the predicate ("no later than",
# "not only", "not least").
NEGATOR_BREAKERS = frozenset("only just merely least more less later earlier longer fewer than sooner until".split())

# Words that say the opposite of one another in news copy, as (one side, other side) groups of word forms. General
# directions and outcomes only: a copy that swaps a word of one side for a word of the other reverses the claim.
OPPOSITES: tuple[tuple[frozenset[str], frozenset[str]], ...] = tuple(
    (frozenset(a.split()), frozenset(b.split()))
    for a, b in (
        (
            """rise rises rose risen rising increase increases increased increasing grow grows grew grown growing
            climb climbs climbed climbing gain gains gained gaining jump jumps jumped surge surges surged soar soars
            soared soaring surging jumping rally rallied higher expand expands expanded expanding widen widens widened
            widening boost boosts boosted raise raises raised raising strengthen strengthened strengthens""",
            """fall falls fell fallen falling decrease decreases decreased decreasing decline declines declined
            declining shrink shrinks shrank shrunk shrinking drop drops dropped dropping slump slumped plunge plunged
            plunges plunging tumble tumbled tumbling slumping slide slid sink sank lower contracted contracting narrow
            narrows narrowed narrowing cut cuts cutting reduce reduces reduced reducing weaken weakened weakens
            lose loses lost losing""",
        ),
        (
            "approve approves approved approving accept accepts accepted accepting pass passes passed",
            "reject rejects rejected rejecting veto vetoes vetoed refuse refused",
        ),
        ("win wins won winning", "lose loses lost losing defeated"),
        ("victory victories", "defeat defeats"),
        (
            "end ends ended ending halt halts halted stop stops stopped suspend suspended",
            "continue continues continued continuing extend extends extended resume resumes resumed",
        ),
        ("begin begins began begun start starts started", "end ends ended stop stops stopped"),
        (
            "allow allows allowed allowing permit permits permitted lift lifts lifted authorize authorized authorizes "
            "authorise authorised authorises",
            "ban bans banned banning prohibit prohibits prohibited block blocks blocked impose imposes imposed",
        ),
        ("support supports supported supporting", "oppose opposes opposed opposing"),
        ("confirm confirms confirmed confirming admit admits admitted", "deny denies denied denying"),
        ("convict convicts convicted guilty", "acquit acquits acquitted acquittal innocent"),
        ("uphold upholds upheld affirm affirms affirmed", "overturn overturns overturned"),
        ("open opens opened opening", "closes closed closing shut shuts"),
        ("improve improves improved improving", "worsen worsens worsened worsening deteriorate deteriorated"),
        ("succeed succeeds succeeded success successful", "fail fails failed failure unsuccessful"),
        ("agree agrees agreed", "disagree disagrees disagreed"),
        ("include includes included including", "exclude excludes excluded excluding"),
        ("hire hires hired hiring", "fire fires fired firing"),
        ("buy buys bought buying", "sell sells sold selling"),
        ("profit profits surplus", "loss losses deficit"),
        ("likely", "unlikely"),
        ("possible", "impossible"),
        ("legal lawful", "illegal unlawful"),
        ("above", "below"),
        ("alive survived", "dead died killed"),
        ("majority", "minority"),
    )
)
