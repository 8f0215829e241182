"""Trace a set of articles: stories, origins, and a verdict with divergences for every claim.

Labels: a derivative's claims are `supported`, `altered` (aligned, with at least one divergence flag),
`unsourced` / `other_source` (no origin support; `other_source` when the claim credits a party the origin
never names, or a different speaker than the aligned origin sentence), `contradicted` (aligned, saying the opposite:
a negation added or removed, a word swapped for its opposite), or `boilerplate`. The origin's own
sentences are labelled `origin` (score 1.0, no aligned indices: they are the reference, not claims checked
against it). Articles of another story get `unsourced` / `other_source` from their attributions alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import lru_cache

from .align import Alignment, SentenceFeatures, align_claim, features, idf_table, lexical_score, sentence_weight
from .attribute import find_attribution
from .clean import is_boilerplate
from .credit import credit_check, origin_wire
from .diverge import OriginContext, detect_flags, origin_context
from .embed import Embedder, cosine_matrix
from .language import detect_language, not_traced_reason
from .lexicon import tokens
from .origin import STRONG_MATCH_MIN, ArticleDoc, Story, group_stories
from .segment import split_sentences
from .types import (
    LABEL_ALTERED,
    LABEL_BOILERPLATE,
    LABEL_CONTRADICTED,
    LABEL_NOT_TRACED,
    LABEL_ORIGIN,
    LABEL_OTHER_SOURCE,
    LABEL_SUPPORTED,
    LABEL_UNSOURCED,
    ROLE_DERIVATIVE,
    ROLE_ORIGIN,
    ROLE_UNRELATED,
    ArticleInput,
    ArticleTrace,
    Attribution,
    Flag,
    FlagType,
    Sentence,
    SentenceTrace,
)

ALIGN_MIN_SCORE = 0.225
ALIGN_MIN_SCORE_SEMANTIC = 0.42
OTHER_SOURCE_MAX_SCORE = 0.6
NEW_SOURCE_MAX_SCORE = 0.45
HEADING_MAX_WORDS = 14
HEADING_ALIGN_MIN_SCORE = 0.4
# A rewrite opens by summarising the origin's lead in its own words: its first claim is aligned with weaker
# lexical evidence (this fraction of the usual threshold) when its best match is the origin's first claim.
OPENING_CLAIMS = 1
OPENING_ALIGN_FACTOR = 2 / 3
METHOD_LEXICAL = "lexical"
METHOD_SEMANTIC = "lexical+embedding"
NO_EMBEDDER_WARNING = "no sentence embedder loaded: alignment is lexical only, so paraphrase recall is lower"
STRONG_FLAGS = frozenset(t for t in FlagType if t.alters)
CONTRADICTING_FLAGS = frozenset(t for t in FlagType if t.contradicts)
_GENERIC_SOURCE_WORDS = frozenset("news report reports media the outlet".split())


CONTENT_MIN_WORDS = 4
# A list item is read as part of the sentence that introduces it ("..., which includes:"); it is traced to the origin
# on its own only when it matches an origin sentence at least this well.
LIST_ITEM_OWN_ALIGN_MIN = 0.5
_LIST_MARKER = re.compile(r"^\s*(?:[-*\u2022\u2013\u2014]|\d{1,2}[.)])\s*$")
_UNSUPPORTED_INTRO = frozenset({LABEL_UNSOURCED, LABEL_OTHER_SOURCE})


def claim_features(text: str) -> SentenceFeatures:
    """Alignment features where the words of the attribution phrase count less than the claim's content."""
    att = find_attribution(text)
    if att is None:
        return features(text)
    rest = text[: att.start] + " " + text[att.end :]
    if len(re.findall(r"[^\W\d_]{3,}", rest)) < CONTENT_MIN_WORDS:
        return features(text)
    return features(text, weak_text=att.text)


# Articles whose segmentation, claim features and origin context are remembered per process: a story's origin is
# traced again with every derivative that arrives.
PREPARED_CACHE_ARTICLES = 128


@lru_cache(maxsize=PREPARED_CACHE_ARTICLES)
def _prepared(text: str) -> tuple[tuple[Sentence, ...], tuple[SentenceFeatures, ...]]:
    sentences = tuple(split_sentences(text))
    return sentences, tuple(claim_features(s.text) for s in sentences)


def _sentences_and_features(text: str) -> tuple[list[Sentence], list[SentenceFeatures]]:
    """``split_sentences(text)`` and the claim features of each sentence (pure functions of the text, so cached)."""
    sentences, feats = _prepared(text)
    return list(sentences), list(feats)


@lru_cache(maxsize=PREPARED_CACHE_ARTICLES)
def _origin_context(headline: str, text: str, outlet_names: tuple[str, ...]) -> OriginContext:
    return origin_context([headline, text], outlet_names)


def _outlet_names(article: ArticleInput) -> list[str]:
    names = [n for n in (article.outlet, article.byline) if n]
    m = re.match(r"^\s*(?:[A-Z][\w .,'\u2019-]{0,40}?\s)?\(([A-Z][\w .&-]+)\)\s*[-\u2013\u2014]", article.text)
    if m:
        names.append(m.group(1))
    return names


def opening_claims(sentences: Sequence[Sentence], n: int = OPENING_CLAIMS) -> frozenset[int]:
    """Indices of the first `n` sentences that carry a claim (not site furniture, at least a few words)."""
    out: list[int] = []
    for s in sentences:
        if len(out) == n:
            break
        if not is_boilerplate(s.text) and len(re.findall(r"[^\W\d_]{3,}", s.text)) >= CONTENT_MIN_WORDS:
            out.append(s.index)
    return frozenset(out)


def _is_heading(text: str) -> bool:
    words = re.findall(r"[^\W_]+", text)
    return 0 < len(words) <= HEADING_MAX_WORDS and not re.search(r"[.!?][\"'\u201d\u2019)]*$", text)


def _title_case(text: str) -> bool:
    words = [w for w in re.findall(r"[^\W\d_][\w'\u2019-]*", text) if len(w) > 3]
    return bool(words) and sum(w[0].isupper() for w in words) >= 0.8 * len(words)


def _names_outside_origin(att: Attribution | None, context: OriginContext) -> bool:
    if att is None:
        return False
    for name in (att.source, att.speaker):
        if not name:
            continue
        toks = [t for t in tokens(name) if t.is_capitalised and t.norm not in _GENERIC_SOURCE_WORDS]
        if toks and any(t.stem not in context.stems for t in toks):
            return True
        # A role alone ("police", "the minister") names no party the origin could be checked against.
        if not toks and any(t.is_capitalised for t in tokens(name)):
            return True
    return False


def _attribution_conflict(att: Attribution | None, origin_texts: Sequence[str], context: OriginContext) -> bool:
    """The claim credits a named party while the aligned origin credits a different one."""
    if att is None or not att.speaker:
        return False
    claimed = {t.stem for t in tokens(att.speaker) if t.is_capitalised}
    claimed -= context.outlet_stems
    if not claimed:
        return False
    for text in origin_texts:
        oatt = find_attribution(text)
        if oatt is None:
            continue
        theirs = {t.stem for n in (oatt.source, oatt.speaker, oatt.hedge) if n for t in tokens(n)}
        if theirs and not (claimed & theirs):
            return True
    return False


def _unaligned_label(sentence: Sentence, att: Attribution | None, context: OriginContext | None) -> str:
    if _is_heading(sentence.text) and _title_case(sentence.text) and ":" not in sentence.text:
        return LABEL_BOILERPLATE
    if att is not None and (att.source or att.speaker):
        if context is None or _names_outside_origin(att, context):
            return LABEL_OTHER_SOURCE
    return LABEL_UNSOURCED


def _trace_unrelated(sentences: Sequence[Sentence], method: str) -> list[SentenceTrace]:
    out = []
    for s in sentences:
        att = find_attribution(s.text)
        label = LABEL_BOILERPLATE if is_boilerplate(s.text) else _unaligned_label(s, att, None)
        out.append(SentenceTrace(s.index, s.text, s.start, s.end, label, [], 0.0, method, att, []))
    return out


def _trace_origin(sentences: Sequence[Sentence], method: str) -> list[SentenceTrace]:
    out = []
    for s in sentences:
        label = LABEL_BOILERPLATE if is_boilerplate(s.text) else LABEL_ORIGIN
        out.append(SentenceTrace(s.index, s.text, s.start, s.end, label, [], 1.0, method, find_attribution(s.text), []))
    return out


def trace_claim(
    sentence: Sentence,
    feats: SentenceFeatures,
    origin_sentences: Sequence[Sentence],
    origin_feats: Sequence[SentenceFeatures],
    idf: dict[str, float],
    context: OriginContext,
    semantic_row: Sequence[float] | None = None,
    origin_weights: Sequence[float] | None = None,
    origin_opening: frozenset[int] = frozenset(),
) -> SentenceTrace:
    """Verdict for one derivative claim against its story's origin.

    `origin_opening` is given for an opening claim of the derivative: the origin's opening claims, which it may
    summarise with few shared words (``OPENING_ALIGN_FACTOR``)."""
    method = METHOD_SEMANTIC if semantic_row is not None else METHOD_LEXICAL
    att = find_attribution(sentence.text)

    def traced(label: str, score: float, origin_indices: list[int], flags: list[Flag]) -> SentenceTrace:
        return SentenceTrace(
            sentence.index,
            sentence.text,
            sentence.start,
            sentence.end,
            label,
            origin_indices,
            round(score, 4),
            method,
            att,
            flags,
        )

    if is_boilerplate(sentence.text):
        return traced(LABEL_BOILERPLATE, 0.0, [], [])
    al: Alignment | None = align_claim(feats, origin_feats, idf, semantic_row, origin_weights)
    threshold = ALIGN_MIN_SCORE_SEMANTIC if semantic_row is not None else ALIGN_MIN_SCORE
    if al is not None and al.origin_indices[0] in origin_opening:
        threshold *= OPENING_ALIGN_FACTOR
    if al is None or al.score < threshold:
        return traced(_unaligned_label(sentence, att, context), al.score if al else 0.0, [], [])
    if _is_heading(sentence.text) and _title_case(sentence.text) and al.score < HEADING_ALIGN_MIN_SCORE:
        return traced(LABEL_BOILERPLATE, al.score, [], [])
    origin_pairs = [(j, origin_sentences[j].text) for j in al.origin_indices]
    conflict = al.score < OTHER_SOURCE_MAX_SCORE and _attribution_conflict(att, [t for _, t in origin_pairs], context)
    if conflict or (al.score < NEW_SOURCE_MAX_SCORE and _names_outside_origin(att, context)):
        return traced(LABEL_OTHER_SOURCE, al.score, [], [])
    flags: list[Flag] = detect_flags(sentence.text, origin_pairs, context, score=al.score)
    if any(f.type in CONTRADICTING_FLAGS for f in flags):
        label = LABEL_CONTRADICTED
    elif any(f.type in STRONG_FLAGS for f in flags):
        label = LABEL_ALTERED
    else:
        label = LABEL_SUPPORTED
    return traced(label, al.score, list(al.origin_indices), flags)


def group_articles(
    articles: Sequence[ArticleInput], *, origin_key: str | None = None, later_key: str | None = None
) -> list[Story]:
    """The stories ``trace_articles`` finds among `articles`: members, origin with its reasons, and parents."""
    prepared = [_sentences_and_features(a.text) for a in articles]
    docs = [
        ArticleDoc(
            a.key, [f for f, s in zip(fs, ss, strict=True) if not is_boilerplate(s.text)], a.text, a.byline, a.published
        )
        for a, (ss, fs) in zip(articles, prepared, strict=True)
    ]
    return group_stories(docs, idf_table([f for _, fs in prepared for f in fs]), origin_key, later_key=later_key)


def trace_articles(
    articles: list[ArticleInput],
    *,
    origin_key: str | None = None,
    embedder: Embedder | None = None,
    on_traced: Callable[[int], None] | None = None,
) -> list[ArticleTrace]:
    """Group `articles` into stories, pick each story's origin (or use `origin_key`), and trace every claim.

    Sentence i of an article's trace is `split_sentences(article.text)[i]`. Output order follows input order. An
    article in a language the rules do not read is not traced: it stands alone, its claims unlabelled, and its trace
    says why (`not_traced`). `on_traced`, when given, is called with an article's number of sentences as soon as that
    article is traced (a large job's progress).
    """
    languages = [a.language or detect_language(a.text) for a in articles]
    unread = {i for i, code in enumerate(languages) if not_traced_reason(code)}
    if unread:
        readable = [i for i in range(len(articles)) if i not in unread]
        # The readable articles carry the language found here, so it is not detected again.
        traced = trace_articles(
            [replace(articles[i], language=languages[i]) for i in readable],
            origin_key=origin_key,
            embedder=embedder,
            on_traced=on_traced,
        )
        stories = max((t.story_index for t in traced), default=-1) + 1
        out: dict[int, ArticleTrace] = dict(zip(readable, traced, strict=True))
        for n, i in enumerate(sorted(unread)):
            out[i] = _not_traced(articles[i], languages[i], stories + n)
            if on_traced is not None:
                on_traced(len(out[i].sentences))
        return [out[i] for i in range(len(articles))]
    prepared = [_sentences_and_features(a.text) for a in articles]
    sentences = [ss for ss, _ in prepared]
    feats = [fs for _, fs in prepared]
    stories = group_articles(articles, origin_key=origin_key)
    results: dict[int, ArticleTrace] = {}
    for story_index, story in enumerate(stories):
        traced = _trace_story(articles, sentences, feats, story.origin, story.members, story_index, embedder, on_traced)
        traced[story.origin] = replace(traced[story.origin], origin_reasons=list(story.reasons))
        for m, p in story.parents.items():
            chain = _ancestors(story.parents, m, story.origin)
            traced[m] = replace(
                traced[m],
                parent_key=articles[p].key,
                sentences=_mark_inherited(traced[m].sentences, feats[m], [(articles[a].key, feats[a]) for a in chain]),
            )
        results.update(traced)
    return [replace(results[i], language=languages[i]) for i in range(len(articles))]


def _not_traced(article: ArticleInput, language: str, story_index: int) -> ArticleTrace:
    reason = not_traced_reason(language)
    sentences = [
        SentenceTrace(s.index, s.text, s.start, s.end, LABEL_NOT_TRACED, [], 0.0, "none", find_attribution(s.text), [])
        for s in split_sentences(article.text)
    ]
    return ArticleTrace(article.key, ROLE_UNRELATED, None, story_index, sentences, [reason], language, reason)


def _ancestors(parents: dict[int, int], member: int, origin: int) -> list[int]:
    """The member's ancestors below the origin, nearest the origin first (empty when its parent is the origin)."""
    chain: list[int] = []
    p = parents.get(member, origin)
    while p != origin and p not in chain:
        chain.append(p)
        p = parents.get(p, origin)
    return chain[::-1]


def _mark_inherited(
    traced: list[SentenceTrace],
    feats: Sequence[SentenceFeatures],
    chain: Sequence[tuple[str, Sequence[SentenceFeatures]]],
) -> list[SentenceTrace]:
    """Claims the origin does not support but an ancestor holds name the ancestor nearest the origin that holds them:
    the article that first added the material."""
    if not chain:
        return traced
    idf = idf_table([f for _, fs in chain for f in fs] + list(feats))
    out = []
    for t, f in zip(traced, feats, strict=True):
        if t.label in _UNSUPPORTED_INTRO:
            for key, ancestor in chain:
                if any(lexical_score(f, a, idf)[0] >= STRONG_MATCH_MIN for a in ancestor):
                    t = replace(t, first_appeared_in=key)
                    break
        out.append(t)
    return out


def _method_and_warnings(embedder: Embedder | None) -> tuple[str, list[str]]:
    """How claims are aligned, and the warning a trace carries when no embedder paraphrase-checks them."""
    if embedder is not None:
        return METHOD_SEMANTIC, []
    return METHOD_LEXICAL, [NO_EMBEDDER_WARNING]


def trace_without_origin(article: ArticleInput, *, embedder: Embedder | None = None) -> ArticleTrace:
    """An article that matches no known story, as a check of a draft against an archive sees it: not the origin of
    a story (nothing repeats it), its claims unsourced or other_source by their credits, role unrelated."""
    method, warnings = _method_and_warnings(embedder)
    sentences = split_sentences(article.text)
    return ArticleTrace(article.key, ROLE_UNRELATED, None, 0, _trace_unrelated(sentences, method), warnings)


def trace_against(
    origin: ArticleInput, derivatives: Sequence[ArticleInput], *, embedder: Embedder | None = None
) -> list[ArticleTrace]:
    """Trace each derivative against an origin already known, without grouping articles into stories.

    For callers that know the story: re-tracing a stored story, candidates retrieved from an index, or measuring
    the engine on sentence pairs. Returns the origin's trace first, then the derivatives' in the order given.
    """
    articles = [origin, *derivatives]
    prepared = [_sentences_and_features(a.text) for a in articles]
    sentences = [ss for ss, _ in prepared]
    feats = [fs for _, fs in prepared]
    traced = _trace_story(articles, sentences, feats, 0, range(len(articles)), 0, embedder)
    return [traced[i] for i in range(len(articles))]


def _trace_story(
    articles: Sequence[ArticleInput],
    sentences: Sequence[Sequence[Sentence]],
    feats: Sequence[Sequence[SentenceFeatures]],
    o: int,
    members: Sequence[int],
    story_index: int,
    embedder: Embedder | None,
    on_traced: Callable[[int], None] | None = None,
) -> dict[int, ArticleTrace]:
    """The origin's trace and every other member's claims traced against it, keyed by article position."""
    method, warnings = _method_and_warnings(embedder)
    origin_article = articles[o]
    results = {
        o: ArticleTrace(
            origin_article.key, ROLE_ORIGIN, None, story_index, _trace_origin(sentences[o], method), list(warnings)
        )
    }
    story_idf = idf_table([f for m in members for f in feats[m]])
    context = _origin_context(origin_article.headline, origin_article.text, tuple(_outlet_names(origin_article)))
    origin_weights = [sentence_weight(f, story_idf) for f in feats[o]]
    origin_opening = opening_claims(sentences[o])
    if on_traced is not None:
        on_traced(len(sentences[o]))
    wire = origin_wire(origin_article)
    for m in members:
        if m == o:
            continue
        sem = None
        if embedder is not None:
            sem = cosine_matrix(embedder, [s.text for s in sentences[m]], [s.text for s in sentences[o]])
        opening = opening_claims(sentences[m])
        traced = [
            trace_claim(
                s,
                f,
                sentences[o],
                feats[o],
                story_idf,
                context,
                sem[i] if sem is not None else None,
                origin_weights,
                origin_opening if s.index in opening else frozenset(),
            )
            for i, (s, f) in enumerate(zip(sentences[m], feats[m], strict=True))
        ]
        traced = _continue_lists(articles[m].text, sentences[m], traced)
        results[m] = credit_check(
            ArticleTrace(articles[m].key, ROLE_DERIVATIVE, origin_article.key, story_index, traced, list(warnings)),
            articles[m],
            wire,
        )
        if on_traced is not None:
            on_traced(len(sentences[m]))
    return results


def _list_intros(text: str, sentences: Sequence[Sentence]) -> dict[int, int]:
    """Each list item's sentence index mapped to the sentence that introduces the list (one ending with a colon)."""
    intros: dict[int, int] = {}
    intro: int | None = None
    for i, sentence in enumerate(sentences):
        line_start = text.rfind("\n", 0, sentence.start) + 1
        is_item = bool(_LIST_MARKER.match(text[line_start : sentence.start])) and line_start < sentence.start
        if is_item and intro is not None:
            intros[i] = intro
        elif sentence.text.rstrip().endswith(":"):
            intro = i
        elif not is_item:
            intro = None
    return intros


def _continue_lists(text: str, sentences: Sequence[Sentence], traced: list[SentenceTrace]) -> list[SentenceTrace]:
    """Items of a list introduced by a sentence the origin does not support share that sentence's label, unless the
    item itself closely matches an origin sentence: a list continues the claim of its introduction."""
    out = list(traced)
    for item, intro in _list_intros(text, sentences).items():
        lead, own = out[intro], out[item]
        traced_on_its_own = own.label not in _UNSUPPORTED_INTRO and own.score >= LIST_ITEM_OWN_ALIGN_MIN
        if lead.label in _UNSUPPORTED_INTRO and own.label != LABEL_BOILERPLATE and not traced_on_its_own:
            out[item] = SentenceTrace(
                own.index, own.text, own.start, own.end, lead.label, [], own.score, own.method, own.attribution, []
            )
    return out
