"""Scale benchmark: the candidate index + incremental tracer against brute force, at several archive sizes.

    .venv/bin/python -m benchmarks.scale --sizes 1000,10000,100000
    .venv/bin/python -m benchmarks.scale --sizes 1000000 --queries 200     # long; run it with nohup

Each size runs in its own child process (so peak memory is that size's alone). The archive is generated with a fixed
seed (benchmarks.corpus) and indexed; then ``--queries`` new articles (derivatives of archive stories, and unrelated
reports) are traced one at a time, as they would arrive: retrieve candidates, find the story with the rule the
pipeline runs (``engine.incremental.story_among``), trace every claim with the engine, add the article to the index.
Brute force scores each query against every archive article with the engine's own pairwise story evidence
(``origin.coverage`` both ways, as ``group_stories`` does), then traces against the best; it is timed over the whole
archive up to ``--brute-full-max`` articles, and above that over a random sample of archive articles, the per-article
cost multiplied by the archive size (reported as extrapolated).

Times are wall-clock (perf_counter); CPU seconds of the process are reported beside them, because other work on a
shared machine inflates wall time but not CPU time.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass

import numpy as np

from benchmarks import results_write
from benchmarks.corpus import UNSCORED, Corpus
from workbench.engine.align import features, idf_table
from workbench.engine.incremental import IncrementalTracer, OriginCache, trace_against
from workbench.engine.index import CANDIDATES_K, CandidateIndex
from workbench.engine.origin import ArticleDoc, coverage
from workbench.engine.segment import split_sentences
from workbench.engine.types import ROLE_DERIVATIVE, ArticleInput

CHUNK = 2000
SEED = 7


@dataclass
class SizeResult:
    articles: int
    queries: int
    build_s: float
    build_cpu_s: float
    build_per_s: float
    generate_s: float
    index_mb: float
    postings: int
    peak_rss_mb: float
    traced_per_s: float
    median_ms: float
    p95_ms: float
    median_cpu_ms: float
    retrieval_median_ms: float
    recall: float
    derivative_queries: int
    origin_accuracy: float
    role_accuracy: float
    label_accuracy: float
    labelled_sentences: int
    brute_ms: float
    brute_mode: str
    brute_pairs_timed: int
    brute_recall: float | None
    brute_p95_ms: float
    brute_traced_per_s: float
    speedup: float


_corpora: dict[tuple[int, int], Corpus] = {}


def _gen_chunk(args: tuple[int, int, int, int]) -> list[str]:
    size, seed, lo, hi = args
    corpus = _corpora.get((size, seed))
    if corpus is None:
        corpus = _corpora[(size, seed)] = Corpus(size, seed)
    return [corpus.article(i).text for i in range(lo, hi)]


def _progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _input(a) -> ArticleInput:
    return ArticleInput(a.key, a.text, a.headline, outlet=a.outlet)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _label_score(article, trace) -> tuple[int, int]:
    labels = {s.text: s.label for s in trace.sentences}
    right = total = 0
    for sentence, gold in zip(article.body_sentences, article.gold_labels, strict=True):
        if gold in UNSCORED:
            continue
        total += 1
        right += labels.get(sentence) == gold
    return right, total


def _brute_force(
    corpus: Corpus, queries: list, *, full_max: int, sample: int, seed: int, k: int
) -> tuple[list[float], str, int, float | None]:
    """Ms per query for all-pairs scoring, how it was obtained, pairs timed, and (when the whole archive was scored)
    the share of derivatives whose true origin is among the ``k`` best-linked archive articles."""
    n = len(corpus)
    full = n <= full_max
    rng = np.random.default_rng(seed)
    archive_ids = np.arange(n) if full else np.sort(rng.choice(n, size=min(sample, n), replace=False))
    docs = {}
    for i in archive_ids.tolist():
        a = corpus.article(i)
        ss = split_sentences(a.text)
        docs[i] = ArticleDoc(a.key, [features(s.text) for s in ss], a.text)
    per_query_ms = []
    hits = 0
    pairs = 0
    for q in queries:
        t0 = time.perf_counter()
        qs = split_sentences(q.text)
        qdoc = ArticleDoc(q.key, [features(s.text) for s in qs], q.text)
        idf = idf_table(list(qdoc.sentences))
        links = []
        for i, doc in docs.items():
            links.append((-max(coverage(qdoc, doc, idf)[1], coverage(doc, qdoc, idf)[1]), i))
            pairs += 1
        top = [i for _, i in sorted(links)[:k]]
        scan_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        trace_against(_input(q), _input(corpus.article(top[0])))
        trace_s = time.perf_counter() - t1
        scale = 1.0 if full else n / len(docs)
        per_query_ms.append(1000 * (scan_s * scale + trace_s))
        hits += q.origin_position is not None and q.origin_position in top
    mode = "measured" if full else f"extrapolated from {len(docs)} of {n} archive articles"
    derivs = sum(q.origin_position is not None for q in queries)
    recall = hits / derivs if full and derivs else None
    return per_query_ms, mode, pairs, recall


def run_size(
    size: int, *, queries: int, seed: int, brute_queries: int, brute_full_max: int, brute_sample: int, k: int
) -> SizeResult:
    corpus = _corpora[(size, seed)] = Corpus(size, seed)
    index = CandidateIndex()
    build_s = build_cpu = 0.0
    t_all = time.perf_counter()
    chunks = [(size, seed, lo, min(size, lo + CHUNK)) for lo in range(0, size, CHUNK)]
    with mp.get_context("fork").Pool(1) as pool:
        for (_, _, lo, hi), texts in zip(chunks, pool.imap(_gen_chunk, chunks), strict=True):
            t0, c0 = time.perf_counter(), time.process_time()
            index.add_many((f"a{i}", text) for i, text in zip(range(lo, hi), texts, strict=True))
            build_s += time.perf_counter() - t0
            build_cpu += time.process_time() - c0
            if hi % 50_000 < CHUNK:
                _progress(f"{size:,}: indexed {hi:,} articles, {build_s:.0f} s building, rss {_peak_rss_mb():.0f} MB")
    t0, c0 = time.perf_counter(), time.process_time()
    index.store.flush()
    build_s += time.perf_counter() - t0
    build_cpu += time.process_time() - c0
    generate_s = time.perf_counter() - t_all - build_s

    def fetch(key: str) -> ArticleInput:
        return _input(corpus.article(int(key[1:])))

    tracer = IncrementalTracer(index, fetch, k=k, cache=OriginCache())
    lat, cpu, retr = [], [], []
    recall_hits = derivs = origin_right = role_right = 0
    label_right = label_total = 0
    qs = [corpus.query(j) for j in range(queries)]
    for q in qs:
        t0, c0 = time.perf_counter(), time.process_time()
        out = tracer.trace(_input(q))
        lat.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        t1 = time.perf_counter()
        index.candidates(q.text, k=k, exclude_keys=[q.key])
        retr.append(time.perf_counter() - t1)
        truth = f"a{q.origin_position}" if q.origin_position is not None else None
        role_right += (out.trace.role == ROLE_DERIVATIVE) == (truth is not None)
        if truth is not None:
            derivs += 1
            recall_hits += truth in out.candidate_keys()
            origin_right += out.origin_key == truth
            r, t = _label_score(q, out.trace)
            label_right += r
            label_total += t
    run_s = sum(lat)
    _progress(f"{size:,}: traced {queries} new articles; brute force next")
    brute_per_query, brute_mode, brute_pairs, brute_recall = _brute_force(
        corpus, qs[:brute_queries], full_max=brute_full_max, sample=brute_sample, seed=seed, k=k
    )
    median_ms = 1000 * statistics.median(lat)
    brute_ms = statistics.median(brute_per_query)
    store = index.store
    return SizeResult(
        articles=size,
        queries=queries,
        build_s=round(build_s, 2),
        build_cpu_s=round(build_cpu, 2),
        build_per_s=round(size / build_s, 1),
        generate_s=round(generate_s, 1),
        index_mb=round(store.nbytes() / 2**20, 1),
        postings=store.postings(),
        peak_rss_mb=round(_peak_rss_mb(), 1),
        traced_per_s=round(queries / run_s, 1),
        median_ms=round(median_ms, 2),
        p95_ms=round(1000 * float(np.percentile(lat, 95)), 2),
        median_cpu_ms=round(1000 * statistics.median(cpu), 2),
        retrieval_median_ms=round(1000 * statistics.median(retr), 2),
        recall=round(recall_hits / derivs, 4) if derivs else float("nan"),
        derivative_queries=derivs,
        origin_accuracy=round(origin_right / derivs, 4) if derivs else float("nan"),
        role_accuracy=round(role_right / queries, 4),
        label_accuracy=round(label_right / label_total, 4) if label_total else float("nan"),
        labelled_sentences=label_total,
        brute_ms=round(brute_ms, 1),
        brute_mode=brute_mode,
        brute_pairs_timed=brute_pairs,
        brute_recall=None if brute_recall is None else round(brute_recall, 4),
        brute_p95_ms=round(float(np.percentile(brute_per_query, 95)), 1),
        brute_traced_per_s=round(1000 * len(brute_per_query) / sum(brute_per_query), 4),
        speedup=round(brute_ms / median_ms, 1),
    )


def machine() -> dict:
    model = ""
    try:
        with open("/proc/cpuinfo") as fh:
            model = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), "")
    except OSError:
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "ram_gb": round(mem_gb, 1),
        "python": platform.python_version(),
        "load_avg_at_start": [round(x, 2) for x in os.getloadavg()],
    }


COLUMNS = [
    ("articles", "archive", "{:,}"),
    ("build_per_s", "build art/s", "{:,.0f}"),
    ("build_per_cpu_s", "build art/CPU-s", "{:,.0f}"),
    ("index_mb", "index MB", "{:,.0f}"),
    ("peak_rss_mb", "peak RSS MB", "{:,.0f}"),
    ("traced_per_s", "traced/s", "{:.1f}"),
    ("median_ms", "median ms", "{:.1f}"),
    ("p95_ms", "p95 ms", "{:.1f}"),
    ("median_cpu_ms", "median CPU ms", "{:.1f}"),
    ("retrieval_median_ms", "retrieval ms", "{:.2f}"),
    ("recall", "origin in top-k", "{:.2%}"),
    ("origin_accuracy", "origin picked", "{:.2%}"),
    ("role_accuracy", "role right", "{:.2%}"),
    ("label_accuracy", "label acc", "{:.2%}"),
    ("brute_traced_per_s", "brute traced/s", "{:.3g}"),
    ("brute_ms", "brute median ms", "{:,.0f}"),
    ("brute_p95_ms", "brute p95 ms", "{:,.0f}"),
    ("brute_recall", "brute origin in top-k", "{:.2%}"),
    ("speedup", "speed-up", "{:,.0f}x"),
    ("brute_mode", "brute force", "{}"),
]


def table(rows: list[dict]) -> str:
    head = "| " + " | ".join(c[1] for c in COLUMNS) + " | cost vs smallest |"
    sep = "|" + "---|" * (len(COLUMNS) + 1)
    base = rows[0]["median_cpu_ms"] if rows else 1.0
    lines = [head, sep]
    for r in rows:
        r = {**r, "build_per_cpu_s": r["articles"] / r["build_cpu_s"] if r.get("build_cpu_s") else float("nan")}
        cells = [fmt.format(r[key]) if r.get(key) is not None else "n/a" for key, _, fmt in COLUMNS]
        lines.append("| " + " | ".join(cells) + f" | {r['median_cpu_ms'] / base:.2f}x |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sizes", default="1000,10000,100000", help="comma-separated archive sizes")
    p.add_argument("--queries", type=int, default=200, help="new articles traced per size")
    p.add_argument("--seed", type=int, default=SEED)
    p.add_argument("--k", type=int, default=CANDIDATES_K, help="candidates retrieved per article")
    p.add_argument("--brute-queries", type=int, default=10)
    p.add_argument("--brute-full-max", type=int, default=2000, help="largest archive brute-forced in full")
    p.add_argument("--brute-sample", type=int, default=1000, help="archive articles timed above that")
    p.add_argument("--json", help="also write the results here")
    p.add_argument("--table-from", nargs="+", metavar="JSON", help="print the table of saved --json results and exit")
    p.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.table_from:
        saved = []
        for path in args.table_from:
            with open(path) as fh:
                saved.extend(json.load(fh)["rows"])
        print(table(sorted(saved, key=lambda r: r["articles"])))
        return 0
    opts = dict(
        queries=args.queries,
        seed=args.seed,
        brute_queries=args.brute_queries,
        brute_full_max=args.brute_full_max,
        brute_sample=args.brute_sample,
        k=args.k,
    )
    if args.one is not None:
        print(json.dumps(asdict(run_size(args.one, **opts))))
        return 0
    rows = []
    info = machine()
    print(f"machine: {info}", flush=True)
    for size in [int(s) for s in args.sizes.split(",") if s.strip()]:
        cmd = [
            sys.executable,
            "-m",
            "benchmarks.scale",
            "--one",
            str(size),
            "--queries",
            str(args.queries),
            "--seed",
            str(args.seed),
            "--k",
            str(args.k),
            "--brute-queries",
            str(args.brute_queries),
            "--brute-full-max",
            str(args.brute_full_max),
            "--brute-sample",
            str(args.brute_sample),
        ]
        t0 = time.perf_counter()
        out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True)
        row = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(f"size {size:,} done in {time.perf_counter() - t0:.0f} s: {row}", flush=True)
    print()
    print(table(rows))
    if args.json:
        results_write(args.json, {"machine": info, "args": vars(args), "rows": rows})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
