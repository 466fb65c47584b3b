"""`unspin bench spark`: scan throughput of the local runner (`--jobs N`) and Spark (`local[N]`).

    unspin bench spark                       # 10,000 pages of ~500 words, 2 cores each way
    unspin bench spark --docs 500 --format json
    unspin bench spark --skip-scan --learn-docs 300   # learn --from-spun: --jobs N vs --engine spark

The pages are ~500-word windows of the text shipped in PyPI packages (unspin.corpora), written
as parquet shards of 250 rows (a crawl comes sharded; Spark runs one task per file). Both runs use the default scan (n-gram screener and
the default fingerprint list) and include loading the engine in every worker:

- local: `unspin scan pages.parquet --jobs N` in a subprocess (wall time; peak RSS of its
  largest process);
- Spark: `run_on_spark` on `local[N]` in this process (wall time of the job, and with the
  session start-up; per-worker engine load time and peak RSS from the partitions' stats).
Both outputs are compared record by record. From the Spark rate per core follows, on paper,
what 100M pages of 500 words a day take (core-hours, and cores for 24 hours).

`--learn-docs N`: N test-split news documents spun by the `mythes-first` family (dense), as
JSONL shards of 50, learned from with `unspin learn --from-spun` twice in subprocesses: `--jobs N`
and `--engine spark --master local[N]` (wall time of each command, toolkit and session start-up
included); the two lexicons are compared byte for byte.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PAGES_PER_DAY = 100_000_000
SHARD_ROWS = 250


def add_bench_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("spark", help="scan throughput: local runner --jobs N vs Spark local[N]; cluster sizing on paper")
    p.add_argument("--docs", type=int, default=10_000, help="pages to scan (default 10,000)")
    p.add_argument("--words", type=int, default=500, help="words per page (default 500)")
    p.add_argument("--cores", type=int, default=2, help="--jobs of the local runner and local[N] of Spark (default 2)")
    p.add_argument("--trace-queries", type=int, default=0, metavar="N",
                   help="also trace N spun + N clean queries of `bench trace` locally and on Spark and compare the records")
    p.add_argument("--learn-docs", type=int, default=0, metavar="N",
                   help="also learn from N spun documents (mythes-first) with --jobs N and on Spark; compare the lexicons")
    p.add_argument("--skip-scan", action="store_true", help="only the trace / learn comparisons")
    p.add_argument("--format", choices=("json", "text"), default="text")
    p.set_defaults(handler=run)


def pages(n: int, words: int) -> list[dict[str, str]]:
    from ..corpora import documents

    stream = [w for doc in documents() for w in doc.text.split()]
    out, start = [], 0
    for i in range(n):
        if start + words > len(stream):
            start = (start + 7919) % max(1, len(stream) - words)  # wrap around at a new offset
        out.append({"id": f"page-{i:06d}", "text": " ".join(stream[start : start + words])})
        start += words
    return out


def run_local(path: Path, out: Path, cores: int) -> dict[str, Any]:
    command = [sys.executable, "-m", "unspin", "scan", str(path), "-o", str(out), "--jobs", str(cores), "-q"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(command, check=False, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"seconds": round(seconds, 1), "peak_rss_mb_largest_process": round(max(peak, before) / 1024)}


def run_spark(path: Path, out: Path, cores: int) -> tuple[dict[str, Any], Any]:
    from ..cli.scan import KeepFields, _error_record
    from ..engines.spark import run_on_spark, spark_session
    from ..steps import Scanner

    start = time.perf_counter()
    spark = spark_session(f"local[{cores}]", "unspin bench spark", {"spark.sql.shuffle.partitions": str(cores)})
    started = time.perf_counter() - start
    # the step and error records of `unspin scan`, as the local run uses them
    stats = run_on_spark(spark, KeepFields(Scanner()), [str(path)], str(out), fmt="jsonl", error_record=_error_record)
    spark.stop()
    loads = [p.load_seconds for p in stats.partitions if p.load_seconds is not None]
    report = {
        "seconds": round(stats.seconds, 1),
        "session_start_s": round(started, 1),
        "tasks": len(stats.partitions),
        "python_workers": len({p.pid for p in stats.partitions}),
        "engine_loads": len(loads),
        "engine_load_s_per_worker": [round(s, 1) for s in loads],
        "peak_rss_mb_per_worker": max(p.peak_rss_mb for p in stats.partitions) if stats.partitions else None,
        "errors": stats.errors,
    }
    return report, stats


def _records(local_out: Path, spark_out: Path) -> dict[str, Any]:
    from ..engines.spark_output import read_records

    local = {r["doc_id"]: r for r in map(json.loads, local_out.read_text(encoding="utf-8").splitlines())}
    spark = {r["doc_id"]: r for r in read_records(str(spark_out), "jsonl")}
    same = sum(1 for k, r in spark.items() if local.get(k) == r)
    return {"local": len(local), "spark": len(spark), "identical": same}


def sizing(docs_per_s: float, cores: int, peak_mb: float | None) -> dict[str, Any]:
    per_core = docs_per_s / cores
    core_hours = PAGES_PER_DAY / per_core / 3600
    return {
        "pages": PAGES_PER_DAY,
        "words_per_page": 500,
        "pages_per_s_per_core": round(per_core, 2),
        "core_hours": round(core_hours),
        "cores_for_24h": int(-(-core_hours // 24)),
        "executor_memory_gb_per_core": None if peak_mb is None else round(peak_mb / 1024 + 0.5, 1),
    }


def trace_identity(n: int, cores: int) -> dict[str, Any]:
    """`bench trace`'s index and queries (seed 0), traced with `unspin trace`'s defaults (the
    n-gram restorer for copies not found as they are): local runner vs Spark, record by record."""
    import random

    from ..engines.spark import DOCUMENT_SCHEMA, spark_session
    from ..engines.spark_trace import export_index, trace_records
    from ..pipeline import run_local as run_steps
    from ..steps import restore_engine
    from ..trace.step import LazyRestorer, TraceStep
    from ..types import Document
    from .trace import build_index, clean_queries, load_spinner, reference_corpus, spun_queries, verbatim_filter

    rng = random.Random(0)
    indexed, held = reference_corpus()
    queries = spun_queries(indexed, load_spinner(0)[0], n, rng) + clean_queries(held, n, rng, verbatim_filter(indexed))[0]
    docs = [Document(f"q{i:05d}", q.text) for i, q in enumerate(queries)]
    with tempfile.TemporaryDirectory(prefix="unspin-bench-trace-") as tmp:
        db = Path(tmp) / "trace.db"
        build_index(db, indexed)
        sink = _Collect()
        start = time.perf_counter()
        run_steps(TraceStep(str(db), restorer=LazyRestorer("ngram", load=restore_engine)), docs, writer=sink, progress=False)
        local_s = time.perf_counter() - start
        export_index(str(db), str(Path(tmp) / "export"))
        spark = spark_session(f"local[{cores}]", "unspin bench trace", {"spark.sql.shuffle.partitions": str(cores * 4)})
        start = time.perf_counter()
        frame = spark.createDataFrame([(d.doc_id, d.text, "", None, None) for d in docs], DOCUMENT_SCHEMA).repartition(cores * 4)
        rows = trace_records(spark, str(Path(tmp) / "export"), frame, restore="ngram").collect()
        spark_s = time.perf_counter() - start
        spark.stop()
    local = {r["doc_id"]: r for r in sink.records}
    remote = {r["doc_id"]: r for r in (json.loads(row.record) for row in rows)}
    return {"queries": len(docs), "identical": sum(local.get(k) == r for k, r in remote.items()),
            "spark_records": len(remote), "matched": sum(bool(r.get("matched")) for r in local.values()),
            "local_s": round(local_s, 1), "spark_s": round(spark_s, 1)}


LEARN_SHARD = 50
LEARN_FAMILY = "mythes-first"  # a public family (never the holdout: this is not a headline number)


def learn_identity(n: int, cores: int) -> dict[str, Any]:
    """`learn --from-spun` on n spun documents: local `--jobs cores` vs `--engine spark`, wall time
    of each command and whether the written lexicons are the same bytes."""
    from .families import get_family
    from .learn_scoring import corpus_docs

    family = get_family(LEARN_FAMILY, "dense")
    texts = [family.spin(t).text for t in corpus_docs("test", n)]
    with tempfile.TemporaryDirectory(prefix="unspin-bench-learn-") as tmp:
        corpus = Path(tmp) / "spun"
        corpus.mkdir()
        for shard, start in enumerate(range(0, len(texts), LEARN_SHARD)):
            lines = (json.dumps({"id": f"s{start + i:06d}", "text": t}) + "\n" for i, t in enumerate(texts[start : start + LEARN_SHARD]))
            (corpus / f"part-{shard:05d}.jsonl").write_text("".join(lines), encoding="utf-8")
        base = [sys.executable, "-m", "unspin", "learn", "--from-spun", str(corpus), "-q", "--format", "json"]
        runs = {}
        for name, extra in (("local", ["--jobs", str(cores)]), ("spark", ["--engine", "spark", "--master", f"local[{cores}]"])):
            out = Path(tmp) / f"{name}.tsv"
            start = time.perf_counter()
            done = subprocess.run([*base, "-o", str(out), *extra], check=False, capture_output=True, text=True)
            seconds = time.perf_counter() - start
            summary = json.loads(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 else {"error": done.stderr[-500:]}
            runs[name] = {"seconds": round(seconds, 1), "exit": done.returncode, "pairs": summary.get("deciphered_pairs"),
                          "lexicon": out.read_bytes() if out.exists() else b""}
    same = runs["local"]["lexicon"] == runs["spark"]["lexicon"] and bool(runs["local"]["lexicon"])
    for run in runs.values():
        run["lexicon_bytes"] = len(run.pop("lexicon"))
    return {"documents": len(texts), "family": f"{LEARN_FAMILY}/dense", "shards": -(-len(texts) // LEARN_SHARD),
            "local_jobs": runs["local"], "spark_local": runs["spark"], "lexicons_identical": same,
            "spark_vs_local_time": round(runs["spark"]["seconds"] / max(runs["local"]["seconds"], 1e-9), 2)}


class _Collect:
    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []

    def write(self, record: dict[str, Any]) -> None:
        self.records.append(record)

    def close(self) -> None:
        pass


def run(args: argparse.Namespace) -> int:
    report: dict[str, Any] = {"docs": args.docs, "words_per_doc": args.words, "cores": args.cores,
                              "machine": f"{os.cpu_count()} CPUs", "load_average": os.getloadavg()}
    if not args.skip_scan:
        report.update(scan_comparison(args))
    if args.trace_queries:
        report["trace_local_vs_spark"] = trace_identity(args.trace_queries, args.cores)
    if args.learn_docs:
        report["learn_local_vs_spark"] = learn_identity(args.learn_docs, args.cores)
    report["load_average_after"] = os.getloadavg()
    if args.format == "json":
        print(json.dumps(report, indent=1))
    else:
        for key, value in report.items():
            print(f"{key:>26}: {json.dumps(value)}")
    return 0


def scan_comparison(args: argparse.Namespace) -> dict[str, Any]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    report: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="unspin-bench-spark-") as tmp:
        path = Path(tmp) / "pages"
        path.mkdir()
        rows = pages(args.docs, args.words)
        for shard, start in enumerate(range(0, len(rows), SHARD_ROWS)):
            pq.write_table(pa.Table.from_pylist(rows[start : start + SHARD_ROWS]), path / f"part-{shard:05d}.parquet")
        local = run_local(path, Path(tmp) / "local.jsonl", args.cores)
        local["docs_per_s"] = round(args.docs / local["seconds"], 1)
        spark, _ = run_spark(path, Path(tmp) / "spark.jsonl", args.cores)
        spark["docs_per_s"] = round(args.docs / spark["seconds"], 1)
        spark["docs_per_s_with_session_start"] = round(args.docs / (spark["seconds"] + spark["session_start_s"]), 1)
        report.update({"local_jobs": local, "spark_local": spark, "records": _records(Path(tmp) / "local.jsonl", Path(tmp) / "spark.jsonl")})
    report["spark_vs_local_time"] = round(spark["seconds"] / local["seconds"], 2)
    report["sizing_100M_pages_a_day"] = sizing(spark["docs_per_s"], args.cores, spark["peak_rss_mb_per_worker"])
    return report
