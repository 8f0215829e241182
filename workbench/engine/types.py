"""Value types shared by the engine stages and by its callers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

ROLE_ORIGIN = "origin"
ROLE_DERIVATIVE = "derivative"
ROLE_UNRELATED = "unrelated"

LABEL_ORIGIN = "origin"
LABEL_SUPPORTED = "supported"
LABEL_ALTERED = "altered"
LABEL_UNSOURCED = "unsourced"
LABEL_OTHER_SOURCE = "other_source"
LABEL_CONTRADICTED = "contradicted"
LABEL_BOILERPLATE = "boilerplate"

FLAG_TYPES = (
    "added_detail",
    "number_changed",
    "hedge_dropped",
    "certainty_raised",
    "attribution_changed",
    "quote_altered",
    "omitted_qualifier",
    "entity_changed",
)


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


@dataclass(frozen=True)
class ArticleTrace:
    """An article's role in its story and the trace of each of its claims."""

    key: str
    role: str
    origin_key: str | None
    story_index: int
    sentences: list[SentenceTrace]
    warnings: list[str] = field(default_factory=list)
