"""Tracing: run the engine over stored articles and persist stories, labels, links and divergences; find the stored
story a new article belongs to."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from workbench.claims.models import Claim
from workbench.core.bulk import rows_insert
from workbench.engine.corrections import corrections_apply, superseded_sentences
from workbench.engine.incremental import story_among
from workbench.engine.index import SIGNATURE_VERSION, Signed, sign
from workbench.engine.origin import NAMED_ORIGIN_REASON
from workbench.engine.trace import trace_articles
from workbench.engine.types import ROLE_DERIVATIVE, ArticleInput, ArticleTrace
from workbench.provenance.candidates import article_index, text_candidates
from workbench.provenance.models import CandidateEntry, Divergence, ProvenanceLink, Story, StoryMembership
from workbench.provenance.selectors import latest_versions
from workbench.sources.models import Article, ArticleVersion, Outlet


@dataclass(frozen=True)
class TraceOutcome:
    traces: list[ArticleTrace]
    stories: list[Story]
    claims_traced: int


def articles_trace(
    *,
    articles: list[Article],
    origin: Article | None = None,
    embedder=None,
    versions: dict | None = None,
    still_current: Callable[[], bool] | None = None,
    on_traced: Callable[[int], None] | None = None,
) -> TraceOutcome | None:
    """Trace the articles' newest versions against each other and store the result.

    Idempotent: re-tracing the same versions replaces the stored links and divergences with equal ones. The engine runs
    outside any transaction; only the write holds locks, taken on the articles in primary-key order. ``versions``:
    the articles' newest versions when the caller has already read them (``latest_versions``). ``still_current`` is
    asked once the locks are held: when it answers False (what the caller decided from has changed while the engine
    ran) nothing is stored and None is returned. ``on_traced`` is the engine's progress callback (sentences of each
    article traced).
    """
    articles = sorted({article.pk: article for article in articles}.values(), key=lambda a: a.pk)
    versions = versions if versions is not None else latest_versions(articles)
    outlets = _outlet_name_by_id(articles)
    inputs = [
        ArticleInput(
            key=str(article.pk),
            text=versions[article.pk].clean_text,
            headline=article.headline,
            byline=article.byline or None,
            published=article.published_at,
            outlet=outlets.get(article.outlet_id),
            language=versions[article.pk].language or None,
        )
        for article in articles
        if article.pk in versions
    ]
    traces = trace_articles(
        inputs, origin_key=str(origin.pk) if origin else None, embedder=embedder, on_traced=on_traced
    )
    traces = _corrections_carry(traces, versions)
    with transaction.atomic():
        list(
            Article.objects.select_for_update().filter(pk__in=[a.pk for a in articles]).order_by("pk").values_list("pk")
        )
        if still_current is not None and not still_current():
            return None
        stories = _store_stories(traces, {a.pk: a for a in articles})
        claims_traced = _store_claim_traces(traces, versions)
    _articles_index(articles, versions)
    return TraceOutcome(traces=traces, stories=stories, claims_traced=claims_traced)


def _corrections_carry(traces: list[ArticleTrace], versions: dict[int, ArticleVersion]) -> list[ArticleTrace]:
    """Flag the derivative claims that repeat wording their origin has since corrected (engine.corrections), from
    the origins' earlier versions: one query, and nothing more when no origin has been corrected."""
    origin_ids = {int(t.origin_key) for t in traces if t.role == ROLE_DERIVATIVE and t.origin_key}
    newest = [versions[pk].pk for pk in origin_ids if pk in versions]
    earlier: dict[int, list[str]] = defaultdict(list)
    for article_id, text in (
        ArticleVersion.objects.filter(article_id__in=origin_ids)
        .exclude(pk__in=newest)
        .order_by("article_id", "number")
        .values_list("article_id", "clean_text")
    ):
        earlier[article_id].append(text)
    if not earlier:
        return traces
    by_key = {t.key: t for t in traces}
    superseded = {pk: superseded_sentences(texts, versions[pk].clean_text) for pk, texts in earlier.items()}
    out = []
    for trace in traces:
        origin_id = int(trace.origin_key) if trace.role == ROLE_DERIVATIVE and trace.origin_key else None
        if origin_id in superseded:
            origin_sentences = [s.text for s in by_key[trace.origin_key].sentences]
            trace = corrections_apply(trace, superseded[origin_id], origin_sentences)
        out.append(trace)
    return out


def _articles_index(articles: list[Article], versions: dict[int, ArticleVersion]) -> None:
    """Every article stored in a story is in the shared candidate index, so ``story_detect`` can find its story."""
    indexed = set(
        CandidateEntry.objects.filter(article__in=articles, signature_version=SIGNATURE_VERSION).values_list(
            "article_id", "version_id"
        )
    )
    for article in articles:
        version = versions.get(article.pk)
        if version is not None and (article.pk, version.pk) not in indexed:
            article_index(article=article, version=version)


def _outlet_name_by_id(articles: list[Article]) -> dict[int, str]:
    """Outlet names by id, from the articles' cached outlets or one query for the rest."""
    names = {a.outlet_id: a.outlet.name for a in articles if a.outlet_id and Article.outlet.is_cached(a)}
    missing = {a.outlet_id for a in articles if a.outlet_id and a.outlet_id not in names}
    if missing:
        names.update(Outlet.objects.filter(pk__in=missing).values_list("pk", "name"))
    return names


def _store_stories(traces: list[ArticleTrace], articles: dict[int, Article]) -> list[Story]:
    """Stories and memberships for the traces; only memberships that changed are written."""
    by_story: dict[int, list[ArticleTrace]] = defaultdict(list)
    for trace in traces:
        by_story[trace.story_index].append(trace)
    existing = {m.article_id: m for m in StoryMembership.objects.filter(article_id__in=[int(t.key) for t in traces])}
    previous = {m.story_id for m in existing.values()}
    stories = []
    created: list[StoryMembership] = []
    for members in by_story.values():
        origin_key = next((t.origin_key for t in members if t.origin_key), None) or members[0].key
        origin = articles.get(int(origin_key)) or Article.objects.get(pk=int(origin_key))
        story, _ = Story.objects.get_or_create(origin=origin, defaults={"title": origin.headline[:500]})
        reasons = next((t.origin_reasons for t in members if t.key == str(origin.pk)), [])
        if reasons[:1] == [NAMED_ORIGIN_REASON] and story.origin_reasons:
            # Re-traced against its stored origin: the evidence that chose it stands.
            reasons = story.origin_reasons
        if reasons and story.origin_reasons != reasons:
            story.origin_reasons = reasons
            story.save(update_fields=["origin_reasons", "updated_at"])
        for trace in members:
            membership = existing.get(int(trace.key))
            parent_id = int(trace.parent_key) if trace.parent_key else None
            if membership is None:
                created.append(
                    StoryMembership(article_id=int(trace.key), story=story, role=trace.role, parent_id=parent_id)
                )
            elif (membership.story_id, membership.role, membership.parent_id) != (story.pk, trace.role, parent_id):
                membership.story, membership.role, membership.parent_id = story, trace.role, parent_id
                membership.save(update_fields=["story", "role", "parent", "updated_at"])
        stories.append(story)
    StoryMembership.objects.bulk_create(created)
    # A story whose articles have all moved to other stories no longer exists.
    gone = previous - {s.pk for s in stories}
    if gone:
        Story.objects.filter(pk__in=gone, memberships__isnull=True).delete()
    return stories


def _store_claim_traces(traces: list[ArticleTrace], versions) -> int:
    key_to_version = {str(article_id): version for article_id, version in versions.items()}
    claims = {
        (version_id, start, end): pk
        for pk, version_id, start, end in Claim.objects.filter(version__in=list(versions.values())).values_list(
            "pk", "version_id", "start", "end"
        )
    }
    origin_claims_by_key = {
        trace.key: [claims.get((key_to_version[trace.key].pk, s.start, s.end)) for s in trace.sentences]
        for trace in traces
    }
    now = timezone.now()
    traced: list[tuple[int, str, float]] = []
    links: list[tuple] = []
    divergences: list[list] = []
    for trace in traces:
        version = key_to_version[trace.key]
        origin_claims = origin_claims_by_key.get(trace.origin_key or "", [])
        for sentence in trace.sentences:
            claim = claims.get((version.pk, sentence.start, sentence.end))
            if claim is None:
                continue
            traced.append((claim, sentence.label, sentence.score))
            sources = [origin_claims[i] for i in sentence.origin_indices if i < len(origin_claims)]
            for rank, origin_claim in enumerate(c for c in sources if c is not None and c != claim):
                links.append((claim, origin_claim, rank, sentence.score, sentence.method, now))
            for flag in sentence.flags:
                origin_index = flag.origin_sentence_index
                if origin_index is None and sentence.origin_indices:
                    origin_index = sentence.origin_indices[0]
                origin_claim = (
                    origin_claims[origin_index]
                    if origin_index is not None and origin_index < len(origin_claims)
                    else None
                )
                has_origin_span = (
                    origin_claim is not None and flag.origin_start is not None and flag.origin_end is not None
                )
                divergences.append(
                    [
                        claim,
                        None,  # the link, known once the links are stored
                        flag.type,
                        flag.span_start,
                        flag.span_end,
                        flag.span,
                        origin_claim if has_origin_span else None,
                        flag.origin_start if has_origin_span else None,
                        flag.origin_end if has_origin_span else None,
                        flag.origin_span if has_origin_span else None,
                        flag.explanation[:500],
                        now,
                    ]
                )
    _claims_label(traced, now=now)
    traced_ids = [pk for pk, _, _ in traced]
    _claims_first_appearance(traces, claims, key_to_version, traced_ids)
    # Divergences first: then no divergence points at a link being deleted.
    Divergence.objects.filter(claim_id__in=traced_ids).delete()
    ProvenanceLink.objects.filter(claim_id__in=traced_ids).delete()
    stored = rows_insert(
        ProvenanceLink,
        ["claim_id", "origin_claim_id", "rank", "score", "method", "created_at"],
        links,
        returning=["id", "claim_id", "origin_claim_id"],
    )
    link_for: dict[tuple[int, int | None], int] = {}
    for link_id, claim_id, origin_claim_id in stored:
        link_for.setdefault((claim_id, origin_claim_id), link_id)
        link_for.setdefault((claim_id, None), link_id)
    for divergence in divergences:
        divergence[1] = link_for.get((divergence[0], divergence[6])) or link_for.get((divergence[0], None))
    rows_insert(
        Divergence,
        [
            "claim_id",
            "link_id",
            "type",
            "span_start",
            "span_end",
            "span",
            "origin_claim_id",
            "origin_start",
            "origin_end",
            "origin_span",
            "explanation",
            "created_at",
        ],
        [tuple(d) for d in divergences],
    )
    return len(traced)


def _claims_first_appearance(traces: list[ArticleTrace], claims: dict, key_to_version: dict, traced_ids) -> None:
    """Store, for each traced claim, the article that first added its material (None for most claims)."""
    Claim.objects.filter(pk__in=traced_ids, first_appeared_in__isnull=False).update(first_appeared_in=None)
    by_article: dict[int, list[int]] = defaultdict(list)
    for trace in traces:
        version = key_to_version[trace.key]
        for sentence in trace.sentences:
            claim = claims.get((version.pk, sentence.start, sentence.end))
            if claim is not None and sentence.first_appeared_in:
                by_article[int(sentence.first_appeared_in)].append(claim)
    for article_id, claim_ids in by_article.items():
        Claim.objects.filter(pk__in=claim_ids).update(first_appeared_in_id=article_id)


def _claims_label(labels: list[tuple[int, str, float]], *, now) -> None:
    """Store (claim id, engine label, score) for each traced claim. On PostgreSQL one UPDATE joins the new values as
    arrays: ``bulk_update`` builds a CASE expression per row and field, which costs more than the tracing itself."""
    if not labels:
        return
    if connection.vendor != "postgresql":
        claims = [Claim(pk=pk, label=label, label_score=score, traced_at=now) for pk, label, score in labels]
        Claim.objects.bulk_update(claims, ["label", "label_score", "traced_at"], batch_size=500)
        return
    ids, names, scores = zip(*labels, strict=True)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Claim._meta.db_table} AS c SET label = v.label, label_score = v.score, traced_at = %s "
            "FROM unnest(%s::bigint[], %s::text[], %s::float8[]) AS v(id, label, score) WHERE c.id = v.id",
            [now, list(ids), list(names), list(scores)],
        )


def story_detect(*, article: Article) -> Story | None:
    """The stored story whose origin ``origin_detect`` finds for the article, or None when it starts a story of its
    own (or is the origin of the one it joins, or joins an archived article that is no story's origin)."""
    origin = origin_detect(article=article)
    return Story.objects.filter(origin=origin).first() if origin is not None else None


def origin_detect(*, article: Article, signed: Signed | None = None) -> Article | None:
    """The origin of the story ``archive_story_detect`` finds for the article (the article itself when the engine
    chose it as the origin), or None when it starts a story of its own."""
    found = archive_story_detect(article=article, signed=signed)
    return found[0] if found is not None else None


def archive_story_detect(*, article: Article, signed: Signed | None = None) -> tuple[Article, list[Article]] | None:
    """The stored articles the article shares a story with, and that story's origin, or None when it starts a story
    of its own.

    The shared candidate index proposes archived articles: those sharing the most sentence bands, then rare names and
    numbers, with the article (``candidates.text_candidates``; the article is indexed first, and every article a
    trace stored in a story is in the index). The engine decides with its one rule for arriving articles
    (``engine.incremental.story_among``): the article, the best candidates and their stories' origins grouped
    together as ``trace_articles`` groups a set. Stores nothing but the article's index postings. ``signed``: the
    signature of the article's newest version, when the caller has signed and indexed it already.
    """
    versions = latest_versions([article])
    version = versions.get(article.pk)
    if version is None:
        return None
    if signed is None:
        signed = sign(version.clean_text)
        article_index(article=article, version=version, signed=signed)
    ranked = [m.article_id for m in text_candidates(signed=signed, exclude=[article.pk])]
    memberships = {
        m.article_id: m for m in StoryMembership.objects.filter(article_id__in=ranked).select_related("story")
    }

    def root_of(key: str) -> str | None:
        membership = memberships.get(int(key))
        return str(membership.story.origin_id) if membership is not None else None

    def fetch(key: str) -> ArticleInput | None:
        other = Article.objects.select_related("outlet").filter(pk=int(key)).first()
        other_version = latest_versions([other]).get(other.pk) if other is not None else None
        return engine_input(other, other_version) if other_version is not None else None

    found = story_among(engine_input(article, version), [str(pk) for pk in ranked], fetch, root_of)
    if found is None:
        return None
    by_pk = Article.objects.in_bulk([int(k) for k in (found.origin_key, *found.members)])
    return by_pk[int(found.origin_key)], [by_pk[int(k)] for k in found.members]


def engine_input(article: Article, version) -> ArticleInput:
    """The engine's view of a stored article version (its text, headline, byline, time, outlet and language)."""
    return ArticleInput(
        key=str(article.pk),
        text=version.clean_text,
        headline=article.headline,
        byline=article.byline or None,
        published=article.published_at,
        outlet=article.outlet.name if article.outlet_id else None,
        language=version.language or None,
    )
