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
from .index import Candidate, CandidateIndex, Signed, sign, spans_to_sentences, split_spans
from .origin import LONE_ORIGIN_REASON, STORY_LINK_MIN, TOP_MATCHES
from .segment import split_sentences
from .trace import (
    METHOD_LEXICAL,
    NO_EMBEDDER_WARNING,
    _outlet_names,
    _trace_origin,
    opening_claims,
    trace_claim,
)
from .types import ROLE_DERIVATIVE, ROLE_ORIGIN, ArticleInput, ArticleTrace, Sentence, SentenceTrace

ORIGIN_MIN_VOTES = 3
ORIGIN_MIN_SHARE = 0.12
NEAR_BEST_SHARE = 0.8
ORIGIN_CACHE_SIZE = 2048
TERM_TRIES = 3
TERM_POOL = 20
TERM_CONFIRM_SHARE = 0.5


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
) -> ArticleTrace:
    """Trace every claim of ``article`` against a known ``origin``.

    With the index's chunk ``pairs`` (``Candidate.pairs`` for this origin), a claim the index matched is aligned only
    against its candidate origin sentences (``candidate_sentences``); every other claim against the whole origin.
    Without them, every claim is aligned against the whole origin, as ``trace_articles`` does.

    The role is derivative when the article's top TOP_MATCHES alignment scores average at least the engine's story
    link threshold (the test ``group_stories`` applies), else unrelated (every claim then gets the unrelated
    verdict of a lone origin, as ``trace_articles`` gives a singleton). Lexical only; pure and deterministic.
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
    top = sorted((t.score for t in traced), reverse=True)[:TOP_MATCHES]
    link = sum(top) / TOP_MATCHES if top else 0.0
    warnings = [NO_EMBEDDER_WARNING]
    if link < STORY_LINK_MIN:
        return _lone_origin(article)
    return ArticleTrace(article.key, ROLE_DERIVATIVE, prepared.article.key, 0, traced, warnings)


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


def pick_origin(
    candidates: Sequence[tuple[str, Candidate]], signed: Signed, root_of: Callable[[str], str | None]
) -> str | None:
    """The origin to trace against: among candidates sharing bands with at least ORIGIN_MIN_VOTES sentences (and
    ORIGIN_MIN_SHARE of the article's signed sentences) and within NEAR_BEST_SHARE of the best, the earliest one's
    root (a candidate that is itself a derivative leads to its own origin). None when nothing qualifies."""
    if not candidates:
        return None
    best = candidates[0][1].votes
    floor = max(ORIGIN_MIN_VOTES, ORIGIN_MIN_SHARE * signed.signed_sentences)
    if best < floor:
        return None
    near = [(c.doc, key) for key, c in candidates if c.votes >= max(floor, NEAR_BEST_SHARE * best)]
    _, key = min(near)
    return root_of(key) or key


def _band_key(candidates: Sequence[tuple[str, Candidate]], signed: Signed) -> str | None:
    """The candidate ``pick_origin`` chose before following it to its root."""
    return pick_origin(candidates, signed, lambda key: None)


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
        term_tries: int = TERM_TRIES,
    ) -> None:
        self.index = index
        self.fetch = fetch
        self.roots: dict[str, str] = {}
        self._root_of = root_of
        self.k = k
        self.cache = cache or OriginCache()
        self.restrict = restrict
        self.term_tries = term_tries

    def root_of(self, key: str) -> str | None:
        if key in self.roots:
            return self.roots[key]
        return self._root_of(key) if self._root_of else None

    def trace(self, article: ArticleInput, *, add: bool = True) -> IncrementalTrace:
        """Retrieve, pick the origin, trace every claim, and (with ``add``) index the article.

        Candidates come from sentence bands; name/number terms confirm them. A band pick whose term score is under
        TERM_CONFIRM_SHARE of the best term score (bands shared through stock phrases, as heavy rewrites of other
        stories have) is tried after the best term candidates; the engine's story link test accepts the first
        origin it links the article to.
        """
        signed = sign(article.text)
        candidates = self.index.candidates(signed, k=self.k, exclude_keys=[article.key])
        terms = self.index.term_candidates(signed, k=TERM_POOL, exclude_keys=[article.key])
        picked = pick_origin(candidates, signed, self.root_of)
        term_score = dict(terms)
        best_term = terms[0][1] if terms else 0.0
        term_roots = []
        for key, _ in terms[: self.term_tries]:
            root = self.root_of(key) or key
            if root not in term_roots:
                term_roots.append(root)
        confirmed = picked is not None and (
            not terms
            or max(term_score.get(picked, 0.0), term_score.get(_band_key(candidates, signed), 0.0))
            >= TERM_CONFIRM_SHARE * best_term
        )
        order: list[str] = []
        if confirmed:
            order.append(picked)
        order += [r for r in term_roots if r not in order]
        if picked is not None and picked not in order:
            order.append(picked)
        result = origin_key = None
        for key in order:
            pairs = None
            if self.restrict and key == picked:
                pairs = next((c.pairs for k, c in candidates if k == key), None)
            attempt = trace_against(article, self.cache.get(self.fetch(key)), pairs=pairs)
            if attempt.role == ROLE_DERIVATIVE:
                result, origin_key = attempt, key
                break
        if result is None:
            result = _lone_origin(article)
        else:
            self.roots[article.key] = origin_key
        if add:
            self.index.add(article.key, signed)
        return IncrementalTrace(result, candidates, origin_key, terms[: self.term_tries])
