"""Value types shared by the engine stages and by its callers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

ROLE_ORIGIN = "origin"
ROLE_DERIVATIVE = "derivative"
ROLE_UNRELATED = "unrelated"
LABEL_NOT_TRACED = ""  # a claim of an article the engine cannot read carries no label


class _Term(StrEnum):
    """A term of the engine's vocabulary: its value is the stored and exchanged name, its display name the words."""

    @property
    def display_name(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Label(_Term):
    """What a sentence is relative to its story's origin. The one list of labels: the database choices, the API's
    enums, the ClaimReview mapping, the review queue and the terminal colours derive from it (with LABEL_INFO)."""

    ORIGIN = "origin"
    SUPPORTED = "supported"
    ALTERED = "altered"
    UNSOURCED = "unsourced"
    OTHER_SOURCE = "other_source"
    CONTRADICTED = "contradicted"
    BOILERPLATE = "boilerplate"

    @property
    def reviewable(self) -> bool:
        """Whether a sentence with this label is a claim a person judges (origin sentences and boilerplate are not)."""
        return LABEL_INFO[self].faithfulness is not None

    @property
    def faithfulness(self) -> int | None:
        """How faithful to its origin a claim with this label is: 5 most, 1 least; None when it is not reviewable."""
        return LABEL_INFO[self].faithfulness


class FlagType(_Term):
    """A kind of divergence between a claim and its origin sentence. The one list of flag types: the database
    choices, the API's enums, the queue's severities and the exports derive from it (with FLAG_INFO)."""

    ADDED_DETAIL = "added_detail"
    NUMBER_CHANGED = "number_changed"
    HEDGE_DROPPED = "hedge_dropped"
    CERTAINTY_RAISED = "certainty_raised"
    ATTRIBUTION_CHANGED = "attribution_changed"
    QUOTE_ALTERED = "quote_altered"
    OMITTED_QUALIFIER = "omitted_qualifier"
    ENTITY_CHANGED = "entity_changed"
    CORRECTION_NOT_CARRIED = "correction_not_carried"
    CREDIT_MISSING = "credit_missing"
    CREDIT_CHANGED = "credit_changed"
    POLARITY_REVERSED = "polarity_reversed"

    @property
    def severity(self) -> int:
        """How much the divergence changes what a reader takes away: 3 high, 2 medium, 1 low."""
        return FLAG_INFO[self].severity

    @property
    def alters(self) -> bool:
        """Whether a flag of this type makes an aligned claim `altered` rather than `supported`."""
        return FLAG_INFO[self].alters

    @property
    def contradicts(self) -> bool:
        """Whether a flag of this type makes an aligned claim `contradicted`: the claim says the opposite."""
        return FLAG_INFO[self].contradicts


@dataclass(frozen=True)
class FlagInfo:
    severity: int
    alters: bool = True
    contradicts: bool = False


FLAG_INFO: dict[FlagType, FlagInfo] = {
    FlagType.ADDED_DETAIL: FlagInfo(severity=1),
    FlagType.NUMBER_CHANGED: FlagInfo(severity=3),
    FlagType.HEDGE_DROPPED: FlagInfo(severity=2),
    FlagType.CERTAINTY_RAISED: FlagInfo(severity=2),
    FlagType.ATTRIBUTION_CHANGED: FlagInfo(severity=2),
    FlagType.QUOTE_ALTERED: FlagInfo(severity=3),
    FlagType.OMITTED_QUALIFIER: FlagInfo(severity=1),
    FlagType.ENTITY_CHANGED: FlagInfo(severity=3),
    # The claim repeats wording its origin has since corrected or withdrawn (engine.corrections).
    FlagType.CORRECTION_NOT_CARRIED: FlagInfo(severity=3),
    # Wire copy reproduced without crediting the wire, or crediting another (engine.credit): about the article's
    # credit, not the claim's faithfulness, so they do not alter its label.
    FlagType.CREDIT_MISSING: FlagInfo(severity=2, alters=False),
    FlagType.CREDIT_CHANGED: FlagInfo(severity=2, alters=False),
    FlagType.POLARITY_REVERSED: FlagInfo(severity=3, contradicts=True),
}


@dataclass(frozen=True)
class LabelInfo:
    faithfulness: int | None


LABEL_INFO: dict[Label, LabelInfo] = {
    Label.ORIGIN: LabelInfo(faithfulness=None),
    Label.SUPPORTED: LabelInfo(faithfulness=5),
    Label.ALTERED: LabelInfo(faithfulness=3),
    Label.UNSOURCED: LabelInfo(faithfulness=2),
    Label.OTHER_SOURCE: LabelInfo(faithfulness=4),
    Label.CONTRADICTED: LabelInfo(faithfulness=1),
    Label.BOILERPLATE: LabelInfo(faithfulness=None),
}
REVIEWABLE_LABELS = tuple(label for label in Label if label.reviewable)

# Short names used throughout the engine's stages.
LABEL_ORIGIN = Label.ORIGIN
LABEL_SUPPORTED = Label.SUPPORTED
LABEL_ALTERED = Label.ALTERED
LABEL_UNSOURCED = Label.UNSOURCED
LABEL_OTHER_SOURCE = Label.OTHER_SOURCE
LABEL_CONTRADICTED = Label.CONTRADICTED
LABEL_BOILERPLATE = Label.BOILERPLATE
FLAG_TYPES = tuple(FlagType)


@dataclass(frozen=True)
class Prepared:
    """An article's page text split into headline, clean body and the furniture lines removed."""

    headline: str
    text: str
    removed: list[str] = field(default_factory=list)
    byline: str | None = None
    published: datetime | None = None


@dataclass(frozen=True)
class Sentence:
    """One claim-sized segment; `text == source[start:end]`."""

    index: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Attribution:
    """Who a sentence says its content comes from; offsets are inside the sentence."""

    text: str
    start: int
    end: int
    source: str | None = None
    speaker: str | None = None
    hedge: str | None = None
    quoted: bool = False
    role: str | None = None  # a title or role given beside the named speaker ("police spokesman" Ian Grey)

    @property
    def label(self) -> str:
        """Short display string: the named source, else the speaker, else the hedge phrase."""
        return self.source or self.speaker or self.hedge or self.text


@dataclass(frozen=True)
class Flag:
    """One divergence between a claim and its origin, with reviewer-visible spans."""

    type: str
    span: str
    span_start: int
    span_end: int
    origin_span: str | None
    origin_start: int | None
    origin_end: int | None
    explanation: str
    origin_sentence_index: int | None = None


@dataclass(frozen=True)
class ArticleInput:
    """An article handed to the tracer; `text` is already clean."""

    key: str
    text: str
    headline: str = ""
    byline: str | None = None
    published: datetime | None = None
    outlet: str | None = None
    language: str | None = None  # ISO 639-1; None: the engine detects it


@dataclass(frozen=True)
class SentenceTrace:
    """The verdict for one claim of an article."""

    index: int
    text: str
    start: int
    end: int
    label: str
    origin_indices: list[int]
    score: float
    method: str
    attribution: Attribution | None
    flags: list[Flag]
    # For material the origin does not hold but an ancestor in the derivative's lineage does: the key of the article
    # that first added it.
    first_appeared_in: str | None = None


@dataclass(frozen=True)
class ArticleTrace:
    """An article's role in its story and the trace of each of its claims."""

    key: str
    role: str
    origin_key: str | None
    story_index: int
    sentences: list[SentenceTrace]
    warnings: list[str] = field(default_factory=list)
    language: str = ""
    not_traced: str | None = None  # why the article was not traced (its language), for the reviewer
    # The article this one was most likely copied from (the origin, or another derivative); None for an origin.
    parent_key: str | None = None
    # For an origin: why it was chosen, in a reviewer's words ("Reuters dateline", "earliest (2025-02-26)").
    origin_reasons: list[str] = field(default_factory=list)
