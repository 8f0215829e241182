"""Capacity model: the measured per-article costs (``benchmarks/results``) carried to a newsroom archive of 10 million
articles taking 50,000 new ones a day, and a simulated day of arrivals through that many workers.

    .venv/bin/python -m benchmarks.capacity --json benchmarks/results/capacity.json

Inputs, all measured on this machine and read from the results files: the shared store's bytes per article and its
lookup cost at each archive size measured (``store.json``), and the production path's CPU per article, the arrival
task's times and the throughput with 1, 2 and 4 worker processes (``e2e-scaling-*.json``). The model:

- index size = bytes per article (largest archive measured) x articles; runs = what the merge policy leaves
  (``candidates.FANOUT`` runs at most a level, levels of FANOUT times the postings), so the lookup's block reads grow
  with the number of runs, not with the archive;
- lookup CPU at 10M = the largest archive's lookup CPU grown as a power of the archive size (the growth between
  the two largest sizes measured: posting lists lengthen), plus the runs' share: a straight line through the lookup
  CPU over a normal index's runs and over the same archive cut into more runs (``--runs-probe``), read at the runs a
  10M index holds;
- one article's CPU = the production path's CPU per article (worker and database) at the largest archive it was
  measured with, with the lookup's growth added; the same for lookups bounded to a window of WINDOW_MONTHS months;
- workers = peak arrivals per second x CPU seconds an article / the target utilisation, in worker processes, each
  on a core of its own; database cores likewise for the database share.

The simulation sends a day of arrivals (a Poisson process whose rate follows a day curve peaking at PEAK_FACTOR times
the mean) to N workers whose service times are drawn from the measured task-time distribution, rescaled so their
mean is the CPU an article costs at 10M (a worker on a core of its own; the measured task times are wall times on a
shared machine), first come first served, and reports the queue wait. Pure Python + numpy; nothing is contacted.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np

from benchmarks import results_write

RESULTS = Path(__file__).resolve().parent / "results"
ARCHIVE = 10_000_000
PER_DAY = 50_000
PEAK_FACTOR = 3.0  # busiest hour against the day's mean rate
UTILISATION = 0.6  # a worker planned busy this share of the busiest hour, leaving room for bursts and retries
POSTINGS_PER_ARTICLE = 560  # measured (store.json: postings_per_article)
PENDING_POSTINGS = 500_000
FANOUT = 8
SEED = 11
WINDOW_MONTHS = 1  # lookups bounded to the last this many months of a month-partitioned index


def runs_at(articles: int) -> tuple[int, int]:
    """(expected, worst) number of runs the merge policy leaves for ``articles``: each level holds 0..FANOUT-1 runs."""
    units = articles * POSTINGS_PER_ARTICLE / PENDING_POSTINGS
    levels = max(1, math.floor(math.log(max(units, 1), FANOUT)) + 1)
    digits, n = [], int(units)
    while n:
        digits.append(n % FANOUT)
        n //= FANOUT
    return max(1, sum(digits)), levels * (FANOUT - 1)


def _day_rates(per_day: int) -> np.ndarray:
    """Arrivals per second in each hour of a day: a cosine curve peaking in the afternoon at PEAK_FACTOR x mean."""
    hours = np.arange(24)
    curve = 1 + (PEAK_FACTOR - 1) * (0.5 + 0.5 * np.cos((hours - 15) / 24 * 2 * np.pi)) ** 3
    return curve / curve.mean() * per_day / 86_400


def simulate(workers: int, service_s: np.ndarray, per_day: int, seed: int = SEED) -> dict:
    """A day of Poisson arrivals to ``workers`` servers (first come, first served); service times drawn from
    ``service_s``. Returns the queue wait's median, p95 and maximum and the busiest hour's utilisation."""
    rng = np.random.default_rng(seed)
    arrivals = []
    for hour, rate in enumerate(_day_rates(per_day)):
        n = rng.poisson(rate * 3600)
        arrivals.append(hour * 3600 + np.sort(rng.uniform(0, 3600, n)))
    t = np.concatenate(arrivals)
    service = rng.choice(service_s, size=len(t))
    free = np.zeros(workers)
    waits = np.empty(len(t))
    for i, (at, s) in enumerate(zip(t, service, strict=True)):
        w = int(np.argmin(free))
        start = max(at, free[w])
        waits[i] = start - at
        free[w] = start + s
    busiest = int(np.argmax(_day_rates(per_day)))
    in_hour = (t >= busiest * 3600) & (t < (busiest + 1) * 3600)
    return {
        "workers": workers,
        "articles": len(t),
        "wait_s_median": round(float(np.median(waits)), 3),
        "wait_s_p95": round(float(np.percentile(waits, 95)), 3),
        "wait_s_max": round(float(waits.max()), 1),
        "busiest_hour_utilisation": round(float(service[in_hour].sum() / (3600 * workers)), 3),
    }


def model(store: dict, scaling: dict[int, dict], archive_run: dict | None = None) -> dict:
    sizes = sorted(store["sizes"].items(), key=lambda kv: int(kv[0]))
    largest_n, largest = sizes[-1]
    packed = largest["packed_runs"]
    bytes_per_article = packed["bytes_per_article"]
    measured_runs = max(1, packed.get("runs", 1))
    expected_runs, worst_runs = runs_at(ARCHIVE)
    lookup_cpu_s = packed["lookup_cpu_ms_median"] / 1000
    probe = next((v["packed_runs"] for _, v in reversed(sizes) if "runs_probe" in v.get("packed_runs", {})), None)
    if probe is not None and probe["runs_probe"] > probe.get("runs", 1):
        slope = (probe["runs_probe_lookup_cpu_ms_median"] - probe["lookup_cpu_ms_median"]) / 1000
        slope /= probe["runs_probe"] - probe.get("runs", 1)
        slope = max(slope, 0.0)
    else:
        slope = lookup_cpu_s / measured_runs
    # Posting lists lengthen as the archive grows: the lookup's growth between the two largest sizes measured,
    # as a power of the archive size, carried to ARCHIVE (and to a WINDOW_MONTHS window of months).
    exponent = 1.0
    if len(sizes) >= 2:
        (n0, r0), (n1, r1) = sizes[-2], sizes[-1]
        exponent = math.log(r1["packed_runs"]["lookup_cpu_ms_median"] / r0["packed_runs"]["lookup_cpu_ms_median"])
        exponent /= math.log(int(n1) / int(n0))
    window = min(ARCHIVE, PER_DAY * 30 * WINDOW_MONTHS)

    def lookup_at(articles: int, runs: int) -> float:
        return lookup_cpu_s * (articles / int(largest_n)) ** exponent + slope * (runs - measured_runs)

    lookup_10m_s = lookup_at(ARCHIVE, expected_runs)
    lookup_10m_worst_s = lookup_at(ARCHIVE, worst_runs)
    lookup_window_s = lookup_at(window, runs_at(window)[0])
    base = scaling.get(2) or next(iter(scaling.values()))
    if archive_run is not None and archive_run.get("archive_articles", 0) >= int(largest_n):
        base = archive_run
    cpu_s = base["cpu_ms_per_article"] / 1000
    db_share = base["db_cpu_s"] / max(base["worker_cpu_s"] + base["db_cpu_s"], 1e-9)
    cpu_10m_s = cpu_s + (lookup_10m_s - lookup_cpu_s)
    cpu_window_s = cpu_s + (lookup_window_s - lookup_cpu_s)
    peak_per_s = PER_DAY / 86_400 * PEAK_FACTOR
    cores = peak_per_s * cpu_10m_s / UTILISATION
    workers = max(1, math.ceil(cores * (1 - db_share)))
    db_cores = max(1, math.ceil(cores * db_share))
    window_cores = peak_per_s * cpu_window_s / UTILISATION
    task_s = np.asarray(base.get("task_ms_samples") or [base["task_ms_median"]] * 50, dtype=float) / 1000
    service_s = task_s / task_s.mean() * cpu_10m_s * (1 - db_share)
    runs = [simulate(n, service_s, PER_DAY) for n in sorted({1, 2, workers, workers * 2})]
    return {
        "archive_articles": ARCHIVE,
        "articles_per_day": PER_DAY,
        "peak_factor": PEAK_FACTOR,
        "utilisation_planned": UTILISATION,
        "measured_from": {
            "store_archive_articles": int(largest_n),
            "store_measured_at": largest.get("measured_at"),
            "e2e_workers": base["workers"],
            "e2e_archive_articles": base.get("archive_articles"),
            "e2e_cpu_ms_per_article": base["cpu_ms_per_article"],
        },
        "index_bytes_per_article": bytes_per_article,
        "index_gb": round(bytes_per_article * ARCHIVE / 1e9, 1),
        "index_gb_per_month_of_arrivals": round(bytes_per_article * PER_DAY * 30 / 1e9, 2),
        "runs_expected": expected_runs,
        "runs_worst": worst_runs,
        "lookup_cpu_ms_measured": packed["lookup_cpu_ms_median"],
        "lookup_cpu_ms_per_extra_run": round(slope * 1000, 2),
        "lookup_cpu_ms_at_archive": round(lookup_10m_s * 1000, 1),
        "lookup_cpu_ms_at_archive_worst": round(lookup_10m_worst_s * 1000, 1),
        "lookup_growth_exponent": round(exponent, 3),
        "window_months": WINDOW_MONTHS,
        "window_articles": window,
        "lookup_cpu_ms_in_window": round(lookup_window_s * 1000, 1),
        "cpu_ms_per_article_in_window": round(cpu_window_s * 1000, 1),
        "worker_processes_in_window": max(1, math.ceil(window_cores * (1 - db_share))),
        "database_cores_in_window": max(1, math.ceil(window_cores * db_share)),
        "cpu_ms_per_article_measured": base["cpu_ms_per_article"],
        "cpu_ms_per_article_at_archive": round(cpu_10m_s * 1000, 1),
        "database_cpu_share": round(db_share, 3),
        "peak_articles_per_s": round(peak_per_s, 2),
        "worker_processes": workers,
        "database_cores": db_cores,
        "simulated_day": runs,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--json", help="also write the model here")
    args = p.parse_args(argv)
    store = json.loads((RESULTS / "store.json").read_text())
    scaling = {}
    for path in sorted(RESULTS.glob("e2e-scaling-*.json")):
        run = json.loads(path.read_text())
        scaling[run["workers"]] = run
    if not scaling:
        raise SystemExit("no e2e-scaling-*.json results: run the 1/2/4-worker e2e runs first")
    archive_runs = [json.loads(p.read_text()) for p in sorted(RESULTS.glob("e2e-archive-*.json"))]
    archive_run = max(archive_runs, key=lambda r: r.get("archive_articles", 0), default=None)
    result = model(store, scaling, archive_run)
    result["worker_scaling"] = [
        {
            "workers": n,
            "articles_per_s": r["articles_per_s"],
            "cpu_ms_per_article": r["cpu_ms_per_article"],
            "task_ms_median": r.get("task_ms_median"),
        }
        for n, r in sorted(scaling.items())
    ]
    print(json.dumps(result, indent=2))
    if args.json:
        results_write(args.json, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
