"""Credits read from the structure of a clause: who is the subject of a reporting verb, who follows an inverted
reporting verb, and what noun phrase follows a credit preposition, in English and in the languages the wires write in.

A sentence is split into word and punctuation tokens once; each reporting verb or credit preposition then looks at a
bounded window of tokens around it (``NP_MAX_WORDS``), so the cost is linear in the sentence's length. No parser:
measured against spaCy's dependency parse on real news sentences (docs/engine.md, "Attribution"), these rules found
as many credits at a small fraction of the time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lexicon import REPORTING_VERBS

NP_MAX_WORDS = 8
APPOSITIVE_MAX_WORDS = 10

# Words (with the dots of "U.S." and of a short title or initial before a name, "Sen. Smith", "J. Chester Floyd")
# and single punctuation marks.
_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|[A-Z][a-z]{0,3}\.(?=\s+[A-Z])|[^\W_](?:[\w'\u2019&-]|\.(?=\w))*|[^\w\s]")

# Reporting verbs of the other languages the wires publish in (French, German, Spanish, Portuguese, Italian).
_FOREIGN_VERBS = frozenset(
    """indiqué déclaré affirmé annoncé précisé rapporté expliqué ajouté souligné confirmé reconnu estimé assuré
    raconté relaté dit indique rapporte explique affirme précise souligne ajoute estime assure déclare confie
    poursuivi annonce révèle révélé selon
    sagte sagt sagten berichtet berichtete berichteten erklärte erklärt erklärten betonte betont meldete meldet
    schreibt schrieb teilte mitteilte bestätigte bestätigt
    dijo dice dicen dijeron informó informa señaló señala afirmó afirma explicó explica aseguró asegura indicó
    indica declaró añadió agregó precisó apuntó sostuvo aseveró expresó manifestó reportó confirmó anunció
    disse afirmou informou declarou explicou acrescentou relatou contou destacou anunciou confirmou revelou
    detto dichiarato affermato spiegato aggiunto riferito riferisce annunciato sottolineato spiega""".split()
)
_ENGLISH_VERBS = frozenset(REPORTING_VERBS.split("|"))
_VERBS = _ENGLISH_VERBS | _FOREIGN_VERBS
# Verb forms that are just as often nouns ("media reports said", "sales estimates rose"): read as a verb only when
# a clause follows.
_NOUN_LIKE = frozenset("report reports claims notes states estimates quotes cited quoted".split())
# Verbs that credit a reading of evidence more than a statement ("a letter indicates", "analysts believe"): the
# phrase patterns handle them; the structural reader leaves them out.
_WEAK_VERBS = frozenset(
    "indicates indicated suggests suggested suggest believes believe believed estimates estimated cited quoted".split()
)
# Words after which a subject opens a clause that can carry a credit ("and officials said"); after "after", "when" or
# "because" the clause is an event, not a credit.
_CLAUSE_JOINERS = frozenset("that and but que dass und y e et ma".split())
_BE = frozenset("is was were are been be being".split())
# Lowercase words that join the parts of a name ("Bild am Sonntag", "Ministry of Health", "Ministerio de Cultura").
_NAME_JOINERS = frozenset("of am der des von van de del du la al bin".split())
_CLAUSE_OPENERS = frozenset(
    """that the a an it he she they we i its his her their there this these those some no one two its""".split()
)
# Words before a verb that belong to the verb, not to its subject ("police have said", "la police a indiqué").
_AUXILIARIES = frozenset(
    """also has have had later then previously earlier first further again a ont hat hatte haben hatten ha han
    há têm avait avaient""".split()
)
# Credit prepositions: the noun phrase after them is the credit.
_PREPOSITIONS = (
    ("according", "to"),
    ("selon",),
    ("d'après",),
    ("d\u2019après",),
    ("laut",),
    ("según",),
    ("segun",),
    ("de", "acuerdo", "con"),
    ("secondo",),
    ("segundo",),
    ("de", "acordo", "com"),
    ("conforme",),
)
# Words that end a noun phrase when met (clause and verb words); reporting verbs end one too.
_BOUNDARY = frozenset(
    """that which who whom whose when while as if because after before where whether and but or nor so than then
    though although unless since
    is was were are be been being will would could should may might must can to not
    que qui dont et mais ou quand dass und aber oder weil wenn als der_relative que y pero o cuando porque e ma
    che quando""".split()
)
_DETERMINERS = frozenset(
    """the a an its his her their our this these those one two three several some many other
    le la les l' l’ un une des du son sa ses leur der die das den dem des ein eine einer einem eines
    el los las lo unos unas il gli o os as um uma""".split()
)
_PRONOUNS = frozenset(
    """he she it they we i you who this that these those one someone il elle ils elles on er sie es wir man
    él ella ellos ellas ele ela eles elas lui lei""".split()
)
_PREP_START = frozenset(
    """in on at by for from with of during after before since under over about into between among through
    asked""".split()
)
# Titles written before a name ("Mayor Jacob Frey"): part of the name as it is cited, kept as the role.
_TITLES = frozenset(
    """mayor president minister governor senator sen. rep. gov. secretary chancellor premier judge justice
    general gen. chief director commissioner superintendent sheriff coach prime foreign deputy dr. mr. mrs. ms.
    prof. archbishop bishop pope king queen prince ambassador spokesman spokeswoman spokesperson""".split()
)
_CLOSE_QUOTES = frozenset("\"\u201d\u00bb\u2019'")
_QUOTE_MARKS = frozenset('"\u201c\u201d\u201e\u00ab\u00bb')
_GERMAN_AUXILIARIES = frozenset("hat hatte haben hatten".split())
_NOT_SUBJECTS = frozenset("earlier later yesterday today tonight recently previously last first also".split())


@dataclass(frozen=True)
class Credit:
    """A credited party: `name` (a name or noun phrase), the `role` written beside a name, and whether it is a
    source (an outlet, a document, a body that reports) rather than a speaker. `span` is inside the sentence."""

    name: str
    role: str | None
    is_source: bool
    span: tuple[int, int]


@dataclass(frozen=True)
class _Tok:
    text: str
    start: int
    end: int

    @property
    def low(self) -> str:
        return self.text.lower()

    @property
    def is_word(self) -> bool:
        return self.text[0].isalnum()

    @property
    def is_capitalised(self) -> bool:
        return self.text[0].isupper()


def _tokens(sentence: str) -> list[_Tok]:
    return [_Tok(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(sentence)]


def structural_credits(sentence: str) -> list[Credit]:
    """Every credit the sentence's structure gives, in order. Pure and linear in the sentence's length."""
    toks = _tokens(sentence)
    out: list[Credit] = []
    for i, tok in enumerate(toks):
        found = None
        low = tok.low
        if low in _PREP_HEADS:
            found = _after_preposition(sentence, toks, i)
        elif low == "zufolge":
            found = _before_zufolge(sentence, toks, i)
        elif low in _VERBS and low not in _WEAK_VERBS and _reads_as_verb(toks, i):
            # An inverted credit closes its clause (", a rapporté l'agence AP."); when it does not, the words after
            # the verb are what was said, and the subject stands before it.
            found = _inverted_subject(sentence, toks, i) or _subject_of(sentence, toks, i)
        if found is not None:
            out.append(found)
    return out


_PREP_HEADS = frozenset(p[0] for p in _PREPOSITIONS)


def _reads_as_verb(toks: list[_Tok], i: int) -> bool:
    low = toks[i].low
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    if nxt is not None and nxt.low == "by":
        return False  # a participle: "the plan announced by the ministry"
    if low in _NOUN_LIKE:
        if i > 0 and toks[i - 1].low in _DETERMINERS:
            return False  # "the report", "a claims process"
        return nxt is not None and (
            nxt.low in _CLAUSE_OPENERS or nxt.is_capitalised or nxt.text in ':"\u201c' or nxt.text[0].isdigit()
        )
    return True


def _noun_phrase_before(toks: list[_Tok], end: int) -> tuple[int, int] | None:
    """Token range [a, end) of the noun phrase ending just before token `end`, back to a clause boundary."""
    a = end
    while a > 0 and end - a < NP_MAX_WORDS:
        prev = toks[a - 1]
        if not prev.is_word and prev.text not in "'\u2019" and prev.text not in _QUOTE_MARKS:
            break
        if prev.low in _BOUNDARY or prev.low in _GERMAN_AUXILIARIES or (prev.low in _VERBS and not prev.is_capitalised):
            break
        a -= 1
    if a == end:
        return None
    if a > 0 and toks[a - 1].low in _BE:
        return None  # a passive or a predicate ("were allegedly told"), not a subject
    at_boundary = a == 0 or not toks[a - 1].is_word or toks[a - 1].low in _CLAUSE_JOINERS | _GERMAN_AUXILIARIES
    if not at_boundary:
        return None  # the window ran out inside a longer phrase: not a subject we can delimit
    return a, end


def _noun_phrase_after(toks: list[_Tok], start: int) -> tuple[int, int] | None:
    """Token range [start, b) of the noun phrase starting at token `start`, up to punctuation or a clause word."""
    b = start
    while b < len(toks) and b - start < NP_MAX_WORDS:
        tok = toks[b]
        if not tok.is_word and tok.text not in "'\u2019" and not (tok.text in _QUOTE_MARKS and b == start):
            break
        if tok.low in _BOUNDARY or (tok.low in _VERBS and b > start and toks[b - 1].low not in _DETERMINERS):
            break
        b += 1
    return (start, b) if b > start else None


def _clean_range(toks: list[_Tok], a: int, b: int) -> tuple[int, int]:
    """Drop leading determiners and trailing time words ("police said on Tuesday" has its subject before)."""
    while a < b and (toks[a].low in _DETERMINERS or toks[a].text in "'\u2019" or toks[a].text in _QUOTE_MARKS):
        a += 1
        # "one of the sources", "two of the people"
        if a + 1 < b and toks[a].low == "of" and toks[a + 1].low in _DETERMINERS:
            a += 1
    while b > a and (toks[b - 1].text in "'\u2019" or toks[b - 1].text in _QUOTE_MARKS):
        b -= 1
    return a, b


def _credit(sentence: str, toks: list[_Tok], a: int, b: int, verb: _Tok | None, span: tuple[int, int]) -> Credit | None:
    a, b = _clean_range(toks, a, b)
    if a >= b:
        return None
    words = toks[a:b]
    if len(words) == 1 and (words[0].low in _PRONOUNS or words[0].text[0].isdigit() or words[0].low.endswith("ly")):
        return None
    if words[0].low in _PREP_START or words[0].low in _NOT_SUBJECTS or words[-1].text[0].isdigit():
        return None
    if words[-1].text.endswith(("'s", "\u2019s")) and verb is not None:
        return None  # "the company's estimates": a possessive, not a subject
    # "the analysts in Cupertino", "police in Minneapolis": the place says where they are, not who they are.
    cut = next(
        (k for k in range(1, len(words) - 1) if words[k].low == "in" and (k == 1 or not words[k - 1].is_capitalised)),
        None,
    )
    if cut is not None and words[cut + 1].is_capitalised:
        words = words[:cut]
    name_from = len(words)
    while name_from > 0 and (
        words[name_from - 1].is_capitalised
        or (words[name_from - 1].low in _NAME_JOINERS and name_from > 1 and words[name_from - 2].is_capitalised)
    ):
        name_from -= 1
    # A role written before a name ("police spokesman Ian Grey", "Yale spokesman Tom Conroy"): the name is the
    # speaker and the words before it its role. A name alone or a body ("the county health department") is whole.
    role = None
    if (
        0 < name_from < len(words)
        and not words[name_from - 1].is_capitalised
        and words[name_from - 1].low not in _PREP_START
    ):
        role = sentence[words[0].start : words[name_from - 1].end]
        words = words[name_from:]
    else:
        lead = 0
        while lead < len(words) - 1 and words[lead].low in _TITLES and words[lead + 1].is_capitalised:
            lead += 1
        if lead and all(w.is_capitalised for w in words[lead:]):
            role = sentence[words[0].start : words[lead - 1].end]
    name = sentence[words[0].start : words[-1].end]
    is_source = verb is None or verb.low.startswith(("report", "rapport", "bericht", "inform", "meld", "schr"))
    return Credit(name=name, role=role, is_source=is_source, span=span)


def _subject_of(sentence: str, toks: list[_Tok], v: int) -> Credit | None:
    """'NP (aux) VERB': the subject before a reporting verb, skipping an appositive set off by commas."""
    end = v
    while end > 0 and toks[end - 1].low in _AUXILIARIES:
        end -= 1
    # German puts the participle last: 'Die "Bild am Sonntag" hatte am Wochenende berichtet'.
    for k in range(max(0, end - 4), end):
        if toks[k].low in _GERMAN_AUXILIARIES:
            end = k
            break
    if end > 0 and toks[end - 1].text == ",":
        return _subject_with_appositive(sentence, toks, end - 1, v)
    np = _noun_phrase_before(toks, end)
    if np is None:
        return None
    return _credit(sentence, toks, np[0], np[1], toks[v], (toks[np[0]].start, toks[v].end))


def _subject_with_appositive(sentence: str, toks: list[_Tok], comma: int, v: int) -> Credit | None:
    """'Adora Obi Nweze, the NAACP state president, said' / 'El ministro de Cultura, Alejandro Salas, señaló'."""
    k = comma - 1
    while k >= 0 and comma - k <= APPOSITIVE_MAX_WORDS and toks[k].text != ",":
        if toks[k].text in '.;:!?\u201c\u201d"':
            return None
        k -= 1
    if k < 1 or toks[k].text != ",":
        return None
    appositive = (k + 1, comma)
    if toks[k + 1].low in _BOUNDARY | {"où", "donde", "onde", "dove"}:
        return None  # a relative clause ("OpenAI, which declined to comment, acknowledged"): too loose to read here
    head = _noun_phrase_before(toks, k)
    if head is None:
        return None
    head_words = toks[head[0] : head[1]]
    app_words = [t for t in toks[appositive[0] : appositive[1]] if t.low not in _DETERMINERS]
    span = (toks[head[0]].start, toks[v].end)
    app_is_name = bool(app_words) and all(t.is_capitalised for t in app_words) and len(app_words) <= 4
    head_is_name = all(t.is_capitalised or t.low in _NAME_JOINERS | _DETERMINERS for t in head_words)
    if app_is_name and not head_is_name:
        credit = _credit(sentence, toks, appositive[0], appositive[1], toks[v], span)
        role = sentence[toks[head[0]].start : toks[head[1] - 1].end]
        return Credit(credit.name, role, credit.is_source, span) if credit else None
    credit = _credit(sentence, toks, head[0], head[1], toks[v], span)
    if credit is None:
        return None
    role = credit.role or sentence[toks[appositive[0]].start : toks[appositive[1] - 1].end]
    return Credit(credit.name, role, credit.is_source, span)


def _inverted_subject(sentence: str, toks: list[_Tok], v: int) -> Credit | None:
    """'..., said the mayor' / '..., a indiqué Le Monde' / '..., berichtet der Spiegel': the verb opens its clause
    after a comma or a closing quote and its subject follows."""
    before = v
    while before > 0 and toks[before - 1].low in _AUXILIARIES:
        before -= 1
    if before == 0 or not (toks[before - 1].text == "," or toks[before - 1].text in _CLOSE_QUOTES):
        return None
    np = _noun_phrase_after(toks, v + 1)
    if np is None or (np[1] < len(toks) and toks[np[1]].is_word):
        return None
    if any(t.low in _AUXILIARIES | _BE or t.low.endswith("ly") for t in toks[np[0] : np[1]]):
        return None  # ", said Wilson had recently lost her job": a clause, not a subject
    return _credit(sentence, toks, np[0], np[1], toks[v], (toks[before].start, toks[np[1] - 1].end))


def _after_preposition(sentence: str, toks: list[_Tok], i: int) -> Credit | None:
    for words in _PREPOSITIONS:
        if all(i + k < len(toks) and toks[i + k].low == w for k, w in enumerate(words)):
            np = _noun_phrase_after(toks, i + len(words))
            if np is None:
                return None
            return _credit(sentence, toks, np[0], np[1], None, (toks[i].start, toks[np[1] - 1].end))
    return None


def _before_zufolge(sentence: str, toks: list[_Tok], i: int) -> Credit | None:
    """German's postposition: 'Einem Bericht des Spiegel zufolge', 'Angaben der Polizei zufolge'."""
    np = _noun_phrase_before(toks, i)
    if np is None:
        return None
    return _credit(sentence, toks, np[0], np[1], None, (toks[np[0]].start, toks[i].end))
