"""The shared candidate store in PostgreSQL: packed runs (entries, pending postings, runs of blocks) against the
row-per-posting table it replaced, on the same generated archive and the same queries.

    .venv/bin/python -m benchmarks.store --sizes 10000,100000 --queries 200 --json benchmarks/results/store.json

For each size it creates (drops first) the database ``workbench_store`` on 127.0.0.1:5432, stores the archive as
articles with one version each, then for each store: rebuilds it from the stored versions (read, sign, write,
index; the rate is articles over wall time), measures it with ``pg_total_relation_size`` (table, TOAST and indexes),
and traces ``--queries`` new articles one at a time as the pipeline does: look up and rank candidates (band votes,
then terms), then index the new article (for the packed store: into the pending postings; the compaction that
packs them, a task of its own, is timed apart). "Origin found" counts the derivatives whose true origin is among the
candidates. The row-per-posting store is the table and lookup of migration 0006, written with COPY as its code did.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from benchmarks import results_write

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DB = os.environ.get("BENCH_STORE_DB", "workbench_store")
LOAD_BATCH = 2000
POSTING_TABLE = "bench_candidateband"
PACKED_TABLES = (
    "provenance_candidateentry",
    "provenance_candidatepending",
    "provenance_candidaterun",
    "provenance_candidateblock",
)
# Migration 0006's table, and its lookup: one row per posting, the key index carrying the posting.
POSTING_DDL = (
    f"CREATE TABLE {POSTING_TABLE} (id bigserial PRIMARY KEY, key bigint NOT NULL, article_id bigint NOT NULL, "
    "sentence integer NOT NULL CHECK (sentence >= 0))",
    f"CREATE INDEX {POSTING_TABLE}_key ON {POSTING_TABLE} (key) INCLUDE (article_id, sentence)",
    f"CREATE INDEX {POSTING_TABLE}_article ON {POSTING_TABLE} (article_id)",
)
POSTING_LOOKUP = (
    "SELECT array_agg(k.key), array_agg(b.article_id), array_agg(b.sentence) FROM "
    "unnest(%s::bigint[]) AS k(key) CROSS JOIN LATERAL "
    "(SELECT article_id, sentence, count(*) OVER () AS n FROM (SELECT article_id, sentence FROM "
    f"{POSTING_TABLE} AS posting WHERE posting.key = k.key LIMIT %s) AS capped) AS b WHERE b.n <= %s"
)


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


def _setup() -> None:
    _admin(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{DB}"')
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}",
        "DJANGO_SETTINGS_MODULE": "workbench.settings",
        "DEBUG": "false",
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DEBUG")})
    import django

    django.setup()


def _archive_store(corpus, stop: int | None = None) -> dict[int, int]:
    """Articles and their first versions for the archive positions before ``stop`` (all of them when None); returns
    position -> article id."""
    import hashlib

    from workbench.sources.models import Article, ArticleVersion

    now = datetime.now(UTC)
    pk_of: dict[int, int] = {}
    stop = len(corpus) if stop is None else stop
    for lo in range(0, stop, LOAD_BATCH):
        gen = [corpus.article(i) for i in range(lo, min(lo + LOAD_BATCH, stop))]
        articles = Article.objects.bulk_create([Article(ingest_key=f"bench-{a.key}", headline=a.headline) for a in gen])
        ArticleVersion.objects.bulk_create(
            [
                ArticleVersion(
                    article=article,
                    number=1,
                    raw_content=a.text,
                    content_type="text",
                    clean_text=a.text,
                    content_hash=hashlib.sha256(a.text.encode()).hexdigest(),
                    arrival="upload",
                    fetched_at=now,
                )
                for article, a in zip(articles, gen, strict=True)
            ]
        )
        pk_of.update((a.position, article.pk) for article, a in zip(articles, gen, strict=True))
    return pk_of


def _size(cursor, table: str) -> int:
    cursor.execute("SELECT pg_total_relation_size(%s::regclass)", [table])
    return int(cursor.fetchone()[0])


def _cpu_s() -> float:
    t = os.times()
    return t.user + t.system


def _backend_cpu_s() -> float:
    """CPU seconds the database server process serving this connection has used (it runs on this machine)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _load() -> float:
    return round(os.getloadavg()[0], 1)


def _posting_rebuild(table: PostingTable) -> int:
    """The row-per-posting rebuild: read and sign every article's newest version (as the packed rebuild does), COPY
    its postings."""
    from types import SimpleNamespace

    from workbench.engine.index import SIGN_BATCH, sign_many
    from workbench.provenance.candidates import REBUILD_BATCH, _newest_texts
    from workbench.sources.models import Article

    indexed = 0
    ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    for lo in range(0, len(ids), REBUILD_BATCH):
        texts = _newest_texts(ids[lo : lo + REBUILD_BATCH])
        rows = []
        for s in range(0, len(texts), SIGN_BATCH):
            part = texts[s : s + SIGN_BATCH]
            for (pk, _, _), sig in zip(part, sign_many([t for _, _, t in part]), strict=True):
                keys, sentences = sig.postings()
                rows.append(SimpleNamespace(article_id=pk, keys=keys, sentences=sentences))
        table.write(rows)
        indexed += len(rows)
    return indexed


class PostingTable:
    """The row-per-posting store of migration 0006, as the engine's BandStore."""

    def __init__(self, cursor) -> None:
        self.cursor = cursor

    def write(self, rows) -> None:
        buf = io.StringIO()
        for row in rows:
            for key, sentence in zip(row.keys.tolist(), row.sentences.tolist(), strict=True):
                buf.write(f"{key}\t{row.article_id}\t{sentence}\n")
        with self.cursor.cursor.copy(f"COPY {POSTING_TABLE} (key, article_id, sentence) FROM STDIN") as copy:
            copy.write(buf.getvalue())

    def add(self, doc: int, keys: np.ndarray, sentences: np.ndarray) -> None:
        from types import SimpleNamespace

        self.write([SimpleNamespace(article_id=doc, keys=keys, sentences=sentences)])

    def lookup(self, keys: np.ndarray, max_bucket: int):
        empty = np.empty(0, np.int64)
        keys = np.asarray(keys, dtype=np.int64)
        wanted = np.unique(keys)
        self.cursor.execute(POSTING_LOOKUP, [wanted.tolist(), max_bucket + 1, max_bucket])
        found_keys, found_docs, found_sentences = self.cursor.fetchone()
        if not found_keys:
            return empty, empty, empty
        found = np.column_stack([np.asarray(x, dtype=np.int64) for x in (found_keys, found_docs, found_sentences)])
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        lo = np.searchsorted(sorted_keys, found[:, 0], "left")
        n = np.searchsorted(sorted_keys, found[:, 0], "right") - lo
        which = np.repeat(np.arange(len(found)), n)
        offsets = np.arange(len(which)) - np.repeat(np.cumsum(n) - n, n)
        return order[lo[which] + offsets], found[which, 1], found[which, 2]


def _trace_queries(corpus, queries: int, pk_of: dict[int, int], store, add) -> dict:
    """Look up, rank and index ``queries`` new articles one at a time; lookup and write times, origin found."""
    from workbench.engine.index import CANDIDATES_K, TERMS_K, rank, rank_terms, sign

    lookup_ms, write_ms, lookup_cpu_ms = [], [], []
    found = derivatives = 0
    next_pk = max(pk_of.values()) + 1_000_000
    for j in range(queries):
        q = corpus.query(j)
        signed = sign(q.text)
        c0, b0, t0 = _cpu_s(), _backend_cpu_s(), time.perf_counter()
        ranked = [c.doc for c in rank(signed, store, k=CANDIDATES_K)]
        ranked += [d for d, _ in rank_terms(signed, store, k=TERMS_K)]
        lookup_ms.append(1000 * (time.perf_counter() - t0))
        lookup_cpu_ms.append(1000 * (_cpu_s() - c0 + _backend_cpu_s() - b0))
        if q.origin_position is not None:
            derivatives += 1
            found += pk_of[q.origin_position] in ranked
        t0 = time.perf_counter()
        add(next_pk + j, signed)
        write_ms.append(1000 * (time.perf_counter() - t0))
    return {
        "lookup_ms_median": round(statistics.median(lookup_ms), 1),
        "lookup_ms_p95": round(float(np.percentile(lookup_ms, 95)), 1),
        "lookup_cpu_ms_median": round(statistics.median(lookup_cpu_ms), 1),
        "lookup_cpu_ms_p95": round(float(np.percentile(lookup_cpu_ms, 95)), 1),
        "write_ms_median": round(statistics.median(write_ms), 1),
        "write_ms_p95": round(float(np.percentile(write_ms, 95)), 1),
        "origin_among_candidates": round(found / derivatives, 4) if derivatives else None,
        "derivative_queries": derivatives,
    }


def _lookup_by_runs(corpus, queries: int, pk_of: dict[int, int], runs: int) -> dict:
    """Lookup cost with the same archive cut into ``runs`` runs (rebuilt so, merges held off): how a lookup grows
    with the runs it reads, for the capacity model. The index is rebuilt as usual afterwards."""
    from workbench.provenance import candidates

    saved = candidates.REBUILD_RUN_ARTICLES, candidates.FANOUT
    candidates.REBUILD_RUN_ARTICLES, candidates.FANOUT = math.ceil(len(corpus) / runs), runs + 1
    try:
        candidates.candidates_rebuild()
        from workbench.provenance.models import CandidateRun

        held = CandidateRun.objects.count()
        result = _trace_queries(corpus, queries, pk_of, candidates.DatabaseBandStore(), lambda doc, signed: None)
    finally:
        candidates.REBUILD_RUN_ARTICLES, candidates.FANOUT = saved
    return {
        "runs_probe": held,
        "runs_probe_lookup_cpu_ms_median": result["lookup_cpu_ms_median"],
        "runs_probe_lookup_ms_median": result["lookup_ms_median"],
        "runs_probe_origin_among_candidates": result["origin_among_candidates"],
    }


def _rebuild_figures(*, indexed: int, wall: float, cpu: float, db_cpu: float, load, total: int) -> dict:
    """What a store's rebuild cost: rate, time, CPU on both sides, the machine's load, and bytes stored."""
    return {
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "rebuild_articles_per_s": round(indexed / wall, 1),
        "rebuild_s": round(wall, 1),
        "rebuild_client_cpu_s": round(cpu, 1),
        "rebuild_db_cpu_s": round(db_cpu, 1),
        "rebuild_articles_per_cpu_s": round(indexed / (cpu + db_cpu), 1),
        "load_average_at_start": load,
        "bytes": total,
        "bytes_per_article": round(total / indexed),
    }


def run_size(size: int, queries: int, seed: int, stores: list[str], keep_db: bool = False, runs_probe: int = 0) -> dict:
    from benchmarks.corpus import Corpus

    _setup()
    from django.db import connection, transaction

    from workbench.provenance import candidates
    from workbench.provenance.models import CandidateEntry, CandidateRun

    corpus = Corpus(size, seed)
    t0 = time.perf_counter()
    pk_of = _archive_store(corpus)
    out: dict = {"archive_articles": size, "queries": queries, "load_s": round(time.perf_counter() - t0, 1)}
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        if "packed_runs" in stores:
            t0, c0, b0, load = time.perf_counter(), _cpu_s(), _backend_cpu_s(), _load()
            indexed = candidates.candidates_rebuild()
            wall, cpu, db_cpu = time.perf_counter() - t0, _cpu_s() - c0, _backend_cpu_s() - b0
            cursor.execute("VACUUM ANALYZE")
            total = sum(_size(cursor, t) for t in PACKED_TABLES)
            store = candidates.DatabaseBandStore()

            def add(doc, signed):
                with transaction.atomic():
                    store.add(doc, *signed.postings())

            queried = _trace_queries(corpus, queries, pk_of, store, add)
            t0 = time.perf_counter()
            moved = candidates.candidates_compact(force=True)
            compact_s = time.perf_counter() - t0
            runs = CandidateRun.objects.count()
            by_table = {t: _size(cursor, t) for t in PACKED_TABLES}
            by_runs = _lookup_by_runs(corpus, min(queries, 60), pk_of, runs_probe) if runs_probe else {}
            out["packed_runs"] = {
                **_rebuild_figures(indexed=indexed, wall=wall, cpu=cpu, db_cpu=db_cpu, load=load, total=total),
                "bytes_by_table": by_table,
                "postings_per_article": round(
                    sum(CandidateEntry.objects.values_list("postings", flat=True)) / max(1, indexed), 1
                ),
                "runs": runs,
                **queried,
                "compact_postings": moved,
                "compact_s": round(compact_s, 2),
                **by_runs,
            }
            print(json.dumps({"size": size, "packed_runs": out["packed_runs"]}), flush=True)
            for t in PACKED_TABLES:
                cursor.execute(f"TRUNCATE {t}")
        if "row_per_posting" in stores:
            for ddl in POSTING_DDL:
                cursor.execute(ddl)
            table = PostingTable(cursor)
            t0, c0, b0, load = time.perf_counter(), _cpu_s(), _backend_cpu_s(), _load()
            with transaction.atomic():
                indexed = _posting_rebuild(table)
            wall, cpu, db_cpu = time.perf_counter() - t0, _cpu_s() - c0, _backend_cpu_s() - b0
            cursor.execute(f"VACUUM ANALYZE {POSTING_TABLE}")
            total = _size(cursor, POSTING_TABLE)

            def add_posting(doc, signed):
                with transaction.atomic():
                    table.add(doc, *signed.postings())

            out["row_per_posting"] = {
                **_rebuild_figures(indexed=indexed, wall=wall, cpu=cpu, db_cpu=db_cpu, load=load, total=total),
                **_trace_queries(corpus, queries, pk_of, table, add_posting),
            }
            print(json.dumps({"size": size, "row_per_posting": out["row_per_posting"]}), flush=True)
    connection.close()
    if not keep_db:
        _admin(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sizes", default="10000")
    p.add_argument("--queries", type=int, default=200)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--stores", default="packed_runs,row_per_posting")
    p.add_argument("--runs-probe", type=int, default=0, help="also time lookups over this many runs")
    p.add_argument("--keep-db", action="store_true", help="leave the last size's database in place")
    p.add_argument("--json", help="also write the results here (merged with the sizes already there)")
    args = p.parse_args(argv)
    stores = args.stores.split(",")
    results = {}
    if args.json and Path(args.json).exists():
        results = json.loads(Path(args.json).read_text())
    for size in (int(s) for s in args.sizes.split(",")):
        # Each size in a child process, so each gets a fresh Django set-up on its own database.
        if len(args.sizes.split(",")) > 1:
            cmd = [sys.executable, "-m", "benchmarks.store", "--sizes", str(size), "--queries", str(args.queries)]
            cmd += (
                ["--seed", str(args.seed), "--stores", args.stores]
                + (["--keep-db"] if args.keep_db else [])
                + (["--json", args.json] if args.json else [])
            )
            subprocess.run(cmd, cwd=ROOT, check=True)
            continue
        result = run_size(size, args.queries, args.seed, stores, args.keep_db, args.runs_probe)
        result["measured_at"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        result["machine"] = f"{os.cpu_count()} cores, shared"
        results.setdefault("sizes", {})[str(size)] = result
        print(json.dumps(result, indent=2))
        if args.json:
            results_write(args.json, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
