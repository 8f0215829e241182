"""Trace one new article against the archive: retrieve candidate origins from the index, pick the origin, and
trace each claim against it with the engine's own claim tracer.

``trace_articles`` compares every article with every other (story grouping is quadratic), which is right for a
handful of articles and wrong for an archive. Here the candidate index narrows the archive to a few articles; the
verdict for each claim still comes from ``trace.trace_claim`` against the chosen origin, exactly as
``trace_articles`` computes it for a derivative, with the idf taken over the two articles.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from .align import SentenceFeatures, features, idf_table
from .diverge import OriginContext, origin_context
from .index import Candidate, CandidateIndex, sign, spans_to_sentences, split_spans
from .origin import LONE_ORIGIN_REASON
from .segment import split_sentences
from .trace import (
    METHOD_LEXICAL,
    NO_EMBEDDER_WARNING,
    _outlet_names,
    _trace_origin,
    group_articles,
    opening_claims,
    trace_claim,
)
from .types import ROLE_DERIVATIVE, ROLE_ORIGIN, ArticleInput, ArticleTrace, Sentence, SentenceTrace

ORIGIN_CACHE_SIZE = 2048
TERM_POOL = 20
# How many archived articles the engine traces an arriving article with before it starts a story of its own.
ORIGIN_TRIES = 2


@dataclass(frozen=True)
class PreparedOrigin:
    """What tracing against an origin needs, computed once per origin version."""

    article: ArticleInput
    sentences: list[Sentence]
    feats: list[SentenceFeatures]
    context: OriginContext
    opening: frozenset[int]


def prepare_origin(article: ArticleInput) -> PreparedOrigin:
    sentences = split_sentences(article.text)
    return PreparedOrigin(
        article,
        sentences,
        [features(s.text) for s in sentences],
        origin_context([article.headline, article.text], _outlet_names(article)),
        opening_claims(sentences),
    )


class OriginCache:
    """A bounded LRU of prepared origins keyed by (key, text length, text hash)."""

    def __init__(self, size: int = ORIGIN_CACHE_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, int, int], PreparedOrigin] = OrderedDict()

    def get(self, article: ArticleInput) -> PreparedOrigin:
        key = (article.key, len(article.text), hash(article.text))
        hit = self._items.get(key)
        if hit is not None:
            self._items.move_to_end(key)
            return hit
        prepared = prepare_origin(article)
        self._items[key] = prepared
        if len(self._items) > self.size:
            self._items.popitem(last=False)
        return prepared


def _remap(t: SentenceTrace, keep: Sequence[int]) -> SentenceTrace:
    flags = [
        replace(fl, origin_sentence_index=keep[fl.origin_sentence_index])
        if fl.origin_sentence_index is not None
        else fl
        for fl in t.flags
    ]
    return replace(t, origin_indices=[keep[j] for j in t.origin_indices], flags=flags)


def candidate_sentences(
    article_text: str,
    origin_text: str,
    pairs: Sequence[tuple[int, int]],
    article_sentences: Sequence[Sentence],
    origin_sentences: Sequence[Sentence],
) -> dict[int, list[int]]:
    """For each article sentence the index matched, the origin sentences it matched and their neighbours
    (a claim that merges two origin sentences usually merges adjacent ones), from the index's chunk pairs."""
    a_map = spans_to_sentences(split_spans(article_text), article_sentences)
    o_map = spans_to_sentences(split_spans(origin_text), origin_sentences)
    n = len(origin_sentences)
    out: dict[int, set[int]] = {}
    for qa, ob in pairs:
        if qa >= len(a_map) or ob >= len(o_map):
            continue
        for i in a_map[qa]:
            bucket = out.setdefault(i, set())
            for j in o_map[ob]:
                bucket.update(x for x in (j - 1, j, j + 1) if 0 <= x < n)
    return {i: sorted(js) for i, js in out.items()}


def trace_against(
    article: ArticleInput,
    origin: ArticleInput | PreparedOrigin,
    *,
    pairs: Sequence[tuple[int, int]] | None = None,
    role_checked: bool = False,
) -> ArticleTrace:
    """Trace every claim of ``article`` against a known ``origin``.

    With the index's chunk ``pairs`` (``Candidate.pairs`` for this origin), a claim the index matched is aligned only
    against its candidate origin sentences (``candidate_sentences``); every other claim against the whole origin.
    Without them, every claim is aligned against the whole origin, as ``trace_articles`` does.

    The article is a derivative when it joins the origin's story (``joins_story``; ``role_checked`` when the caller
    has asked already), else the origin of a story of its own, as ``trace_articles`` gives a singleton. Lexical only;
    pure and deterministic.
    """
    prepared = origin if isinstance(origin, PreparedOrigin) else prepare_origin(origin)
    sentences = split_sentences(article.text)
    feats = [features(s.text) for s in sentences]
    idf = idf_table(feats + prepared.feats)
    opening, origin_opening = opening_claims(sentences), prepared.opening
    matched = (
        candidate_sentences(article.text, prepared.article.text, pairs, sentences, prepared.sentences) if pairs else {}
    )
    traced = []
    for s, f in zip(sentences, feats, strict=False):
        claim_opening = origin_opening if s.index in opening else frozenset()
        keep = matched.get(s.index)
        if keep is None:
            traced.append(
                trace_claim(
                    s, f, prepared.sentences, prepared.feats, idf, prepared.context, origin_opening=claim_opening
                )
            )
            continue
        t = trace_claim(
            s,
            f,
            [prepared.sentences[j] for j in keep],
            [prepared.feats[j] for j in keep],
            idf,
            prepared.context,
            origin_opening=frozenset(k for k, j in enumerate(keep) if j in claim_opening),
        )
        traced.append(_remap(t, keep))
    warnings = [NO_EMBEDDER_WARNING]
    if not role_checked and not joins_story(article, prepared.article):
        return _lone_origin(article)
    return ArticleTrace(article.key, ROLE_DERIVATIVE, prepared.article.key, 0, traced, warnings)


def _story_origin(article: ArticleInput) -> ArticleTrace:
    """An arriving article the engine chose as the origin of a story already archived (the wire report arriving after
    its copies)."""
    return replace(_lone_origin(article), origin_reasons=[])


def _lone_origin(article: ArticleInput) -> ArticleTrace:
    """What ``trace_articles`` gives an article alone in its story: the origin of a story of its own (until a later
    article derives from it)."""
    return ArticleTrace(
        article.key,
        ROLE_ORIGIN,
        None,
        0,
        _trace_origin(split_sentences(article.text), METHOD_LEXICAL),
        [NO_EMBEDDER_WARNING],
        origin_reasons=[LONE_ORIGIN_REASON],
    )


@dataclass(frozen=True)
class IncrementalTrace:
    """The trace of one arriving article, the candidates the index proposed, and the origin it was traced against."""

    trace: ArticleTrace
    candidates: list[tuple[str, Candidate]]
    origin_key: str | None
    term_candidates: list[tuple[str, float]] = ()

    def candidate_keys(self) -> set[str]:
        return {key for key, _ in self.candidates} | {key for key, _ in self.term_candidates}


@dataclass(frozen=True)
class ArchiveStory:
    """The story an arriving article joins: its origin's key (the article's own when the article is the origin) and
    the archived articles in it."""

    origin_key: str
    members: tuple[str, ...]


def story_among(
    article: ArticleInput,
    candidates: Sequence[str],
    fetch: Callable[[str], ArticleInput | None],
    root_of: Callable[[str], str | None],
    *,
    tries: int = ORIGIN_TRIES,
) -> ArchiveStory | None:
    """The one rule for an arriving article, used by the pipeline, the command line and the benchmarks: the first
    ``tries`` candidates (keys of archived articles, best retrieval evidence first) and their stories' origins
    (``root_of``) are grouped with the article as ``trace_articles`` groups a set (``group_articles``: shared event
    specifics, then the origin chosen from evidence by ``origin.choose_origin``, the arriving article only when its
    publication time says it came first). Returns the article's story, or None when it joins none and starts a story
    of its own."""
    keys: list[str] = []
    roots: list[str] = []
    for key in candidates[:tries]:
        root = root_of(key)
        if root and root != article.key and root not in roots:
            roots.append(root)
        for option in (root, key):
            if option and option != article.key and option not in keys:
                keys.append(option)
    found = [(key, fetch(key)) for key in keys]
    found = [(key, other) for key, other in found if other is not None]
    group = [article, *(other for _, other in found)]
    story = next(s for s in group_articles(group, later_key=article.key) if 0 in s.members)
    if len(story.members) == 1:
        return None
    key_of = [article.key, *(key for key, _ in found)]
    members = tuple(key_of[m] for m in story.members if m != 0)
    # A story already stored keeps its origin: the one rule chose it when the story was traced.
    stored = [root for root in roots if root in members]
    return ArchiveStory(stored[0] if stored else key_of[story.origin], members)


def joins_story(article: ArticleInput, origin: ArticleInput) -> bool:
    """Whether the engine puts ``article`` in one story with ``origin`` when the two are traced together."""
    return len(group_articles([article, origin])) == 1


class IncrementalTracer:
    """Trace arriving articles one at a time against an index of the archive, adding each to the index.

    ``fetch(key)`` returns the ArticleInput of an archived article (from the database, or a generator);
    ``root_of(key)`` names the origin an archived derivative was traced to (None for origins and unknowns).
    ``restrict`` aligns matched claims against their candidate origin sentences only (see ``trace_against``).
    """

    def __init__(
        self,
        index: CandidateIndex,
        fetch: Callable[[str], ArticleInput],
        root_of: Callable[[str], str | None] | None = None,
        *,
        k: int = 10,
        cache: OriginCache | None = None,
        restrict: bool = True,
        tries: int = ORIGIN_TRIES,
    ) -> None:
        self.index = index
        self.fetch = fetch
        self.roots: dict[str, str] = {}
        self._root_of = root_of
        self.k = k
        self.cache = cache or OriginCache()
        self.restrict = restrict
        self.tries = tries

    def root_of(self, key: str) -> str | None:
        if key in self.roots:
            return self.roots[key]
        return self._root_of(key) if self._root_of else None

    def trace(self, article: ArticleInput, *, add: bool = True) -> IncrementalTrace:
        """Retrieve, find the story with ``story_among``, trace every claim, and (with ``add``) index the article.

        Candidates come from sentence bands, then from shared rare names and numbers (the order the pipeline's
        ``text_candidates`` gives); the engine decides which story, if any, the article joins.
        """
        signed = sign(article.text)
        candidates = self.index.candidates(signed, k=self.k, exclude_keys=[article.key])
        terms = self.index.term_candidates(signed, k=TERM_POOL, exclude_keys=[article.key])
        ranked = [key for key, _ in candidates] + [key for key, _ in terms if key not in dict(candidates)]
        story = story_among(article, ranked, self.fetch, self.root_of, tries=self.tries)
        origin_key = story.origin_key if story is not None else None
        if story is None or origin_key == article.key:
            result = _lone_origin(article) if story is None else _story_origin(article)
            for member in story.members if story is not None else ():
                self.roots[member] = article.key
            origin_key = None
        else:
            pairs = next((c.pairs for k, c in candidates if k == origin_key), None) if self.restrict else None
            result = trace_against(article, self.cache.get(self.fetch(origin_key)), pairs=pairs, role_checked=True)
            self.roots[article.key] = origin_key
        if add:
            self.index.add(article.key, signed)
        return IncrementalTrace(result, candidates, origin_key, terms[:TERM_POOL])
