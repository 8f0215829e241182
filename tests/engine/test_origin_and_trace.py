from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.engine.clean import prepare
from workbench.engine.origin import cites_a_report
from workbench.engine.trace import trace_articles
from workbench.engine.types import ArticleInput
from workbench.provenance.evaluation import engine_story_report, score_story_report

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "fixtures" / "gold" / "seeds.json"


def _inputs(paths):
    out = []
    for p in paths:
        pr = prepare(p.read_text(encoding="utf-8"))
        out.append(
            ArticleInput(key=p.name, text=pr.text, headline=pr.headline, byline=pr.byline, published=pr.published)
        )
    return out


def test_citing_a_report_marks_a_rewrite():
    assert cites_a_report("Apple will switch chips, Bloomberg reported on Monday.")
    assert not cites_a_report("Apple will switch chips, people familiar with the plans said.")


def test_seed_roles(seed_paths):
    traces = {t.key: t for t in trace_articles(_inputs(seed_paths))}
    origin = next(k for k in traces if k.startswith("001_"))
    assert traces[origin].role == "origin"
    for prefix in ("000_", "002_", "004_"):
        t = next(v for k, v in traces.items() if k.startswith(prefix))
        assert t.role == "derivative" and t.origin_key == origin
    unrelated = next(v for k, v in traces.items() if k.startswith("003_"))
    assert unrelated.origin_key != origin


def test_seed_quote_flags(seed_paths):
    traces = {t.key[:3]: t for t in trace_articles(_inputs(seed_paths))}
    s000 = next(s for s in traces["000"].sentences if "Those discussions come amid" in s.text)
    assert any(f.type == "quote_altered" for f in s000.flags)
    s004 = next(s for s in traces["004"].sentences if "position of strength" in s.text)
    assert any(f.type == "quote_altered" and "position of strength" in f.span for f in s004.flags)


def test_seeds_meet_gold_targets(seed_paths):
    score = score_story_report(json.loads(GOLD.read_text()), engine_story_report(seed_paths))
    assert score.origin == 1.0
    assert score.label >= 0.9, score
    assert score.align >= 0.9, score


def test_a_rewrite_s_first_claim_may_summarise_the_origin_s_first_claim_in_new_words(seed_paths):
    """The first claim of 002 restates the origin's lead with few shared words: aligned there when it opens the
    article, unsourced when the same sentence stands later in it."""
    origin, rewrite = (a for a in _inputs(seed_paths) if a.key[:3] in ("001", "002"))
    first = trace_articles([origin, rewrite], origin_key=origin.key)[1].sentences[0]
    assert first.label in ("supported", "altered") and first.origin_indices == [0]
    opening, rest = rewrite.text.split("\n", 1)
    moved = ArticleInput(key=rewrite.key, text=rest.strip() + "\n\n" + opening, headline=rewrite.headline)
    later = trace_articles([origin, moved], origin_key=origin.key)[1].sentences[-1]
    assert later.text == first.text
    assert later.label == "unsourced" and later.origin_indices == []


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(max_size=300), min_size=1, max_size=4))
def test_trace_never_raises_and_offsets_hold(texts):
    arts = [ArticleInput(key=str(i), text=prepare(t).text) for i, t in enumerate(texts)]
    for art, tr in zip(arts, trace_articles(arts), strict=True):
        for s in tr.sentences:
            assert art.text[s.start : s.end] == s.text
            for f in s.flags:
                assert s.text[f.span_start : f.span_end] == f.span


def test_seed_weapon_list_is_added_detail_against_the_redoubling_sentence(seed_paths):
    traces = {t.key[:3]: t for t in trace_articles(_inputs(seed_paths))}
    origin = traces["001"]
    claim = next(s for s in traces["002"].sentences if "double its efforts" in s.text)
    assert claim.label == "altered"
    assert "redoubling efforts" in origin.sentences[claim.origin_indices[0]].text
    assert any(f.type == "added_detail" and "artillery" in f.span for f in claim.flags)
    assert traces["003"].role == "origin" and traces["003"].origin_key is None  # its own story


def test_an_article_and_its_named_origin_group_whenever_they_share_content(seed_paths):
    """A named origin links its one article whenever the two share any content, including every pair the full
    clustering links without a name; pairs with nothing in common stay apart."""
    from benchmarks.corpus import Corpus
    from workbench.engine.align import idf_table
    from workbench.engine.origin import ArticleDoc, coverage, group_stories
    from workbench.engine.trace import _sentences_and_features

    corpus = Corpus(300, seed=5)
    pairs = [(_inputs([p])[0], _inputs([q])[0]) for p in seed_paths for q in seed_paths if p != q]
    for i in range(0, 300, 3):
        a = corpus.article(i)
        o = corpus.article(a.origin_position if a.origin_position is not None else (i * 7 + 1) % 300)
        pairs.append((ArticleInput(a.key, a.text, a.headline), ArticleInput(o.key, o.text, o.headline)))
    pairs.append((ArticleInput("a", "Rain is forecast for Sunday."), ArticleInput("o", "Shares of the bank rose.")))
    apart = 0
    for article, origin in pairs:
        docs = [ArticleDoc(x.key, _sentences_and_features(x.text)[1], x.text) for x in (article, origin)]
        idf = idf_table([f for d in docs for f in d.sentences])
        named = group_stories(docs, idf, origin.key)
        free = group_stories(docs, idf)
        shared = max(coverage(docs[0], docs[1], idf)[1], coverage(docs[1], docs[0], idf)[1]) > 0
        if len(free) == 1 or shared:
            assert [(s.members, s.origin) for s in named] == [((0, 1), 1)]
        else:
            apart += 1
            assert [(s.members, s.origin) for s in named] == [((0,), 0), ((1,), 1)]  # each alone is its own origin
    assert apart >= 1


def test_a_heavy_paraphrase_of_a_short_report_is_traced_against_its_named_origin():
    """Four sentences of Reuters' report of the EU's fine on Apple and five of a heavy rewrite of it (from the news
    corpus): with the origin named, the rewrite is its derivative and claims align, not an unrelated article."""
    origin = ArticleInput(
        "origin",
        "Apple was hit with an EU antitrust fine of over 1.8 billion euros ($1.95 billion) on Monday, its first ever, "
        "for preventing Spotify and other music streaming services from informing users of payment options outside "
        "its App Store. The European Commission's decision was triggered by a 2019 complaint by Swedish music "
        "streaming service Spotify over this restriction and Apple's 30% App Store fees. The European Union "
        "competition enforcer said Apple's restrictions constituted unfair trading conditions. The EU competition "
        "enforcer said it added an additional lump sum of 1.8 billion euros to the basic amount as a deterrent.",
    )
    rewrite = ArticleInput(
        "rewrite",
        "On Monday, Brussels imposed a historic fine of 1.84 billion euros ($2 billion) on Apple for impeding "
        "competition from music streaming rivals through restrictive measures on its App Store. This marked the "
        "first-ever penalty for the iPhone manufacturer's violation of EU regulations. The European Union's antitrust "
        "authorities took action in response to a complaint filed by Spotify, headquartered in Stockholm. The EU's "
        "Competition Commissioner, Margrethe Vestager, said Apple abused its dominant position. The commission "
        "focused on a rule forcing developers to use Apple's in-app payment system.",
    )
    traced = trace_articles([origin, rewrite], origin_key="origin")[1]
    assert (traced.role, traced.origin_key) == ("derivative", "origin")
    assert any(s.origin_indices and s.score > 0 for s in traced.sentences)


def test_tracing_reports_each_article_s_sentences_as_it_is_traced(seed_paths):
    inputs = _inputs(seed_paths)
    reported: list[int] = []
    traces = trace_articles(inputs, on_traced=reported.append)
    # One report per article (a large job's progress moves article by article), adding up to every sentence.
    assert sorted(reported) == sorted(len(t.sentences) for t in traces)
    assert len(reported) == len(inputs) and sum(reported) > 0
