"""Write docs/performance.md from the saved benchmark results in benchmarks/results/*.json.

    .venv/bin/python -m benchmarks.performance            # rewrites docs/performance.md
    .venv/bin/python -m benchmarks.performance --check    # exit 1 when the committed page differs

Every figure on that page comes from a results file, so the page changes only when a benchmark is run again and its
results are committed (tests/benchmarks/test_performance_page.py holds the committed page equal to this output).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from benchmarks.scale import table as scale_table

REPO_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = REPO_DIR / "benchmarks" / "results"
PAGE = REPO_DIR / "docs" / "performance.md"

# The targets the scale runs are held to: (what, row size, measured, holds?).
MEDIAN_TARGET_MS = 50
RECALL_TARGET = 0.99
COST_RATIO_TARGET = 2.0
SPEEDUP_TARGET = 100
BUILD_TARGET_PER_S = 2000
RSS_TARGET_MB = 1024
E2E_TARGET_PER_S = 20


def _load(results: Path, name: str):
    return json.loads((results / name).read_text())


def _row(rows: list[dict], articles: int) -> dict:
    return next(r for r in rows if r["articles"] == articles)


def _yes(holds: bool) -> str:
    return "yes" if holds else "**no**"


def _table(head: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return lines + ["| " + " | ".join(map(str, row)) + " |" for row in rows]


def _scale(results: Path) -> list[str]:
    scale, million = _load(results, "scale.json"), _load(results, "scale-1m.json")
    rows = scale["rows"] + million["rows"]
    machine = scale["machine"]
    small, large, top = _row(rows, 1_000), _row(rows, 100_000), _row(rows, 1_000_000)
    e2e = _load(results, "e2e-5000.json")
    cost_ratio = large["median_cpu_ms"] / small["median_cpu_ms"]
    targets = [
        [
            f"one article against 100,000: median <= {MEDIAN_TARGET_MS} ms (no embedding model)",
            f"{large['median_ms']:.1f} ms ({large['median_cpu_ms']:.1f} ms CPU), p95 {large['p95_ms']:.1f} ms",
            _yes(large["median_ms"] <= MEDIAN_TARGET_MS),
        ],
        [
            f"true origin among the candidates >= {RECALL_TARGET:.0%} at 100,000",
            f"{large['recall']:.0%} of {large['derivative_queries']} derivative queries",
            _yes(large["recall"] >= RECALL_TARGET),
        ],
        [
            f"cost per article at 100k <= {COST_RATIO_TARGET:g}x the cost at 1k",
            f"{cost_ratio:.2f}x",
            _yes(cost_ratio <= COST_RATIO_TARGET),
        ],
        [
            f">= {SPEEDUP_TARGET}x faster than brute force at 100k",
            f"{large['speedup']:,.0f}x (brute force {large['brute_mode']})",
            _yes(large["speedup"] >= SPEEDUP_TARGET),
        ],
        [
            f"index build >= {BUILD_TARGET_PER_S:,} articles/s",
            f"{large['build_per_s']:,.0f} articles/s at 100k",
            _yes(large["build_per_s"] >= BUILD_TARGET_PER_S),
        ],
        [
            "peak memory of a 100k index < 1 GB",
            f"{large['peak_rss_mb']:,.0f} MB for the whole benchmark process",
            _yes(large["peak_rss_mb"] < RSS_TARGET_MB),
        ],
        [
            "the 1M-article run completes and is reported",
            f"origin among the candidates {top['recall']:.0%}, median {top['median_ms']:.1f} ms",
            _yes(True),
        ],
        [
            f"end to end >= {E2E_TARGET_PER_S} articles/s over {e2e['articles']:,} articles, no job lost",
            f"{e2e['articles_per_s']} articles/s (slowest minute {e2e['min_60s_window_per_s']}), {e2e['lost']} lost",
            _yes(e2e["articles_per_s"] >= E2E_TARGET_PER_S and e2e["lost"] == 0),
        ],
    ]
    return [
        "## Tracing against a large archive",
        "",
        "`make bench-scale` (1k, 10k, 100k articles; "
        f"{scale['args']['queries']} new articles traced at each size) and `make bench-scale-1m` (1M articles; "
        f"{million['args']['queries']} new articles), seed {scale['args']['seed']}, on "
        f"{machine['nproc']} cores ({machine['cpu']}, {machine['ram_gb']} GB, Python {machine['python']}), "
        "nothing else running. How the index works: [design/candidate-index.md](design/candidate-index.md).",
        "",
        scale_table(rows),
        "",
        "- archive = articles indexed; build = indexing rate; index MB = the band store's arrays; peak RSS = the",
        "  whole benchmark process.",
        "- median / p95 ms = one new article, end to end: retrieve, fetch and prepare the origin, trace every claim,",
        "  add the article to the index. Retrieval ms = the index lookup alone.",
        "- origin in top-k = the generator's true origin among the candidates; origin picked = the tracer traced",
        "  against the true origin; role right = derivative or unrelated as generated; label acc = sentence labels",
        "  equal to the generator's gold label for derivative sentences.",
        "- brute force = the engine's pairwise story evidence against every archived article, then a trace against the",
        '  best; measured in full at 1k, above that timed on 1,000 archive articles and scaled ("extrapolated").',
        "- cost vs smallest = median CPU ms against the first row (the 1M row's own run prints 1.00x).",
        "",
        "### Targets",
        "",
        *_table(["target", "measured", "holds?"], targets),
    ]


def _retrieval(results: Path) -> list[str]:
    rows = [
        [
            f"{r['articles']:,}",
            r["method"],
            r["candidates"],
            r["build_s"],
            f"{r['build_per_s']:,}",
            r["lookup_median_ms"],
            r["lookup_p95_ms"],
            f"{r['recall']:.2%} of {r['derivative_queries']}",
        ]
        for r in _load(results, "retrieval.json")
    ]
    return [
        "## Candidate index against BM25",
        "",
        "`make bench-retrieval`: the same generated archives and new articles, bm25s over whole articles.",
        "",
        *_table(
            [
                "archive",
                "method",
                "candidates",
                "build s",
                "build art/s",
                "lookup median ms",
                "lookup p95 ms",
                "origin among candidates",
            ],
            rows,
        ),
    ]


def _e2e(results: Path) -> list[str]:
    e = _load(results, "e2e-5000.json")
    return [
        "## End to end through the workers",
        "",
        f"`make bench-e2e`: {e['articles']:,} generated articles sent at once to `provenance.ingest_index_trace`; "
        f"{e['workers']} Celery workers with one process each, Redis and PostgreSQL on the same machine.",
        "",
        *_table(
            [
                "mode",
                "articles",
                "workers",
                "elapsed s",
                "articles/s",
                "slowest 60 s window /s",
                "done",
                "failed",
                "lost",
                "CPU ms/article (workers + database)",
            ],
            [
                [
                    e["mode"],
                    f"{e['articles']:,}",
                    e["workers"],
                    e["elapsed_s"],
                    e["articles_per_s"],
                    e["min_60s_window_per_s"],
                    f"{e['done']:,}",
                    e["failed"],
                    e["lost"],
                    e["cpu_ms_per_article"],
                ]
            ],
        ),
        "",
        f"Of the {e['derivatives']:,} derivatives the generator made, {e['derivatives_traced']:,} were stored as "
        f"derivatives and {e['derivatives_traced_to_true_origin']:,} of those against their true origin; "
        f"{e['unrelated_traced_as_derivatives']:,} articles that start no story were stored as derivatives of an "
        "earlier one (see the story link in [engine.md](engine.md)).",
    ]


def _load_section(results: Path) -> list[str]:
    now, before = _load(results, "load.json"), _load(results, "load-before.json")
    capacity, capacity_before = _load(results, "load-capacity.json"), _load(results, "load-capacity-before.json")
    kinds = [
        [kind, f"{r['requests']:,}", r["rps"], r["p50_ms"], r["p95_ms"], r["p99_ms"], r["errors"], r["5xx"]]
        for kind, r in ((k, now[k]) for k in ("read", "submit", "all"))
    ]
    paths = ", ".join(f"`{path}` {r['p95_ms']:.0f}" for path, r in now["by_path"].items())
    cpu = ", ".join(f"{name} {seconds}" for name, seconds in now["cpu_s"].items())

    def gunicorn_ms(run: dict) -> str:
        return f"{run['cpu_s']['gunicorn'] * 1000 / run['all']['requests']:.1f}"

    return [
        "## API under load",
        "",
        f"`make bench-load` (`benchmarks/load/run.py`, details in `benchmarks/load/README.md`): {now['clients']} "
        f"concurrent keep-alive API clients for {now['seconds']:.0f} s against gunicorn as deployed, with PostgreSQL, "
        f"Redis and one Celery worker tracing the submissions, on {now['cpus']} CPUs with the load generator; each "
        f"client waits about {now['think_ms'] / 1000:g} s between requests; one request in ten is a submission. "
        "The promise: read p95 under 200 ms and no 5xx.",
        "",
        *_table(["kind", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "5xx"], kinds),
        "",
        f"Read p95 by path (ms): {paths}. CPU seconds used during the run: {cpu}. The worker finished "
        f"{now['jobs']['done']} of the {now['submit']['requests']} submitted trace jobs during the run; the rest were "
        "queued, each answered 202 at once.",
        "",
        "Before the list, filter, token and gunicorn changes (`load-before.json`): "
        f"reads {before['read']['rps']} req/s, p95 {before['read']['p95_ms']:.0f} ms, "
        f"p99 {before['read']['p99_ms']:.0f} ms, {before['all']['5xx']} 5xx; "
        f"gunicorn used {gunicorn_ms(before)} ms of CPU a request, against {gunicorn_ms(now)} ms now. Back to back "
        f"(no wait between requests, `load-capacity*.json`) the server answered {capacity['all']['rps']} req/s, "
        f"against {capacity_before['all']['rps']} before. What changed and why: [design/load.md](design/load.md).",
    ]


def _soak(results: Path) -> list[str]:
    soak = _load(results, "soak.json")
    killed = next(run for run in soak["runs"] if run["run"] == "killed")
    calm = next(run for run in soak["runs"] if run["run"] == "undisturbed")
    by = killed["kills_by_target"]
    rows = killed["rows"]
    return [
        "## Workers killed during a run",
        "",
        f"`make bench-soak` (`benchmarks/soak.py`): {soak['articles']} articles traced undisturbed, then again while "
        f"workers are SIGKILLed {killed['kills']} times at random points (seed {soak['seed']}, kill seed "
        f"{soak['kill_seed']}).",
        "",
        f"Last run: {killed['done']} of {killed['jobs']} jobs done, {killed['failed']} failed, {killed['lost']} lost; "
        f"{killed['kills']} kills ({by['pool']} pool, {by['main']} main, {by['worker']} both), "
        f"{killed['kills_pool_busy']} while a job was running; {killed['retried']} jobs ran more than once (at most "
        f"{killed['attempts_max']} attempts), {killed['rearmed']} leases re-armed; {killed['elapsed_s']} s against "
        f"{calm['elapsed_s']} s undisturbed; stored results "
        f"{'equal' if soak['fingerprint_equal'] else '**different**'} ({rows['claims']:,} claims, "
        f"{rows['links']:,} links, {rows['divergences']:,} divergences, {rows['memberships']:,} memberships).",
        "",
        *_soak_recovery(soak, killed),
    ]


def _soak_recovery(soak: dict, killed: dict) -> list[str]:
    """How long the jobs the kills interrupted took to be done again, with the job settings of the run."""
    recovered = [r for r in killed["recoveries"] if r["rearmed_after_s"] is not None]
    times = sorted(r["recovery_s"] for r in recovered)
    if not times:
        return ["Recovery: no kill interrupted a job that had to be re-armed."]
    return [
        f"Recovery, with the default job settings (lease {soak['lease_s']} s renewed every {soak['heartbeat_s']} s by "
        f"the job's heartbeat, sweeper every {soak['sweep_s']} s, visibility timeout "
        f"{soak['visibility_timeout_s']} s): the kills hit {killed['jobs_interrupted']} running jobs; "
        f"{len(recovered)} were re-armed and done {times[0]} to {times[-1]} s after the kill (median "
        f"{times[len(times) // 2]} s), re-sent at most {max(r['rearmed_after_s'] for r in recovered)} s after it; "
        f"the others were finished by their orphaned pool process.",
    ]


def render(results: Path = RESULTS_DIR) -> str:
    sections = [
        [
            "# Performance",
            "",
            "<!-- Generated by `python -m benchmarks.performance` from benchmarks/results/*.json: do not edit. -->",
            "",
            "Speed and memory are measured by the commands in `benchmarks/` (see `benchmarks/README.md`), never in the "
            "tests. Each section names the command that wrote its results file; run it again and then "
            "`python -m benchmarks.performance` to refresh this page.",
        ],
        _scale(results),
        _retrieval(results),
        _e2e(results),
        _load_section(results),
        _soak(results),
    ]
    return "\n\n".join("\n".join(section) for section in sections) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/performance.md is not up to date")
    args = parser.parse_args(argv)
    page = render()
    if args.check:
        if PAGE.read_text() != page:
            print(f"{PAGE} is out of date: run python -m benchmarks.performance", file=sys.stderr)
            return 1
        return 0
    PAGE.write_text(page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
