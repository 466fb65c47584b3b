"""Trace at crawl scale on Spark: the reference index as parquet, band keys joined, not looked up.

    unspin index export refs.db -o refs.parquet          # documents/ paragraphs/ bands/ vocabulary/
    unspin trace crawl/ --index refs.parquet --engine spark -o traced.parquet

1. executors cut every query into the pieces `trace` looks up and compute their MinHash band
   keys (`trace.query.plan_lookups`: the very keys a local lookup asks SQLite for);
2. (query, piece, key) rows are joined with the index's bands; hits are counted per
   (query, piece, paragraph) and the top CANDIDATES_PER_PIECE kept per piece, as locally;
3. each query gets the band hits of those paragraphs and the paragraphs and metadata of their
   documents, and `trace()` itself runs on that slice of the index: verification, ranking and
   top-k are the local code, so the records equal `TraceStep`'s on the local runner.
With a restorer (`restore_when="unsure"`, the CLI default) copies not found as they are go
through a second pass with their restored text, as `trace` does.
"""

from __future__ import annotations

import json
import os
import uuid
from collections import defaultdict
from typing import Any, Iterator

from ..errors import ArtifactError

TABLES = ("documents", "paragraphs", "bands", "vocabulary")
_ROWS_PER_BATCH = 200_000


# --- the index as parquet ------------------------------------------------------------------------


def export_index(index_path: str, out_dir: str) -> dict[str, int]:
    """Write a SQLite trace index as one parquet folder per table (streamed; rows counted)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from ..trace import TraceIndex

    queries = {
        "documents": ("SELECT doc_num, doc_id, source, meta FROM documents ORDER BY doc_num",
                      [("doc_num", pa.int64()), ("doc_id", pa.string()), ("source", pa.string()), ("meta", pa.string())]),
        "paragraphs": ("SELECT para_id, doc_num, number, text FROM paragraphs ORDER BY para_id",
                       [("para_id", pa.int64()), ("doc_num", pa.int64()), ("number", pa.int64()), ("text", pa.string())]),
        "bands": ("SELECT key, para_id FROM bands", [("key", pa.int64()), ("para_id", pa.int64())]),
        "vocabulary": ("SELECT word FROM vocabulary ORDER BY word", [("word", pa.string())]),
    }
    counts = {}
    with TraceIndex.open(index_path) as index:
        for table, (sql, fields) in queries.items():
            schema = pa.schema(fields)
            os.makedirs(os.path.join(out_dir, table), exist_ok=True)
            cursor = index.conn.execute(sql)
            counts[table] = 0
            with pq.ParquetWriter(os.path.join(out_dir, table, "part-00000.parquet"), schema) as writer:
                while rows := cursor.fetchmany(_ROWS_PER_BATCH):
                    writer.write_table(pa.Table.from_pylist([dict(zip(schema.names, r)) for r in rows], schema=schema))
                    counts[table] += len(rows)
        with open(os.path.join(out_dir, "meta.json"), "w", encoding="utf-8") as fh:
            json.dump(index.info(), fh, indent=1, default=str)
    return counts


def _index_tables(spark: Any, index_dir: str) -> dict[str, Any]:
    missing = [t for t in TABLES if not os.path.isdir(os.path.join(index_dir, t)) and "://" not in index_dir]
    if missing:
        raise ArtifactError(f"not an exported trace index (no {', '.join(missing)}): run `unspin index export`", source=index_dir)
    return {t: spark.read.parquet(os.path.join(index_dir, t)) for t in TABLES}


# --- tracing a DataFrame of queries ------------------------------------------------------------


def trace_records(spark: Any, index_dir: str, documents: Any, *, top: int = 5, min_score: float | None = None,
                  restore: Any = None, restore_when: str = "unsure", with_alignment: bool = True, flat: bool = False) -> Any:
    """The DataFrame (doc_id, record) of every query document traced against the exported index.

    `restore`: an LM name (the engine loads once per worker) or a picklable restorer; `flat`:
    nested values as JSON strings (for parquet output)."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    from ..trace import MIN_SCORE

    tables = _index_tables(spark, index_dir)
    words = [r.word for r in tables["vocabulary"].collect()]
    vocabulary = (uuid.uuid4().hex, spark.sparkContext.broadcast(words))  # a token names it in the workers' cache
    settings = {"top": top, "min_score": MIN_SCORE if min_score is None else min_score, "with_alignment": with_alignment, "flat": flat}
    queries = documents.withColumn("qid", F.monotonically_increasing_id()).persist(StorageLevel.MEMORY_AND_DISK)
    if restore is None or restore_when == "always":
        return _trace_pass(tables, queries, vocabulary, settings, restore).select("doc_id", "record")
    first = _trace_pass(tables, queries, vocabulary, settings, None).persist(StorageLevel.MEMORY_AND_DISK)
    retry = queries.join(first.where(~F.col("final")).select("qid"), "qid")
    second = _trace_pass(tables, retry, vocabulary, settings, restore)
    return first.where(F.col("final")).select("doc_id", "record").unionByName(second.select("doc_id", "record"))


def _trace_pass(tables: dict[str, Any], queries: Any, vocabulary: Any, settings: dict[str, Any], restore: Any) -> Any:
    from pyspark import StorageLevel
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    from ..trace.query import CANDIDATES_PER_PIECE

    planned = queries.mapInArrow(lambda b: _plan_batches(b, vocabulary, restore), _PLAN_SCHEMA).persist(StorageLevel.MEMORY_AND_DISK)
    lookups = planned.select("qid", F.explode("lookups").alias("l")).select(
        "qid", F.col("l.position").alias("position"), F.explode("l.keys").alias("key"))
    hits = lookups.join(tables["bands"], "key")
    counted = hits.groupBy("qid", "position", "para_id").count()
    rank = Window.partitionBy("qid", "position").orderBy(F.desc("count"), F.asc("para_id"))
    top = counted.withColumn("r", F.row_number().over(rank)).where(F.col("r") <= CANDIDATES_PER_PIECE).select("qid", "para_id").distinct()
    pairs = hits.select("qid", "key", "para_id").distinct().join(top, ["qid", "para_id"])
    paragraphs = tables["paragraphs"]
    wanted = top.join(paragraphs.select("para_id", "doc_num"), "para_id").select("qid", "doc_num").distinct()
    doc_paras = wanted.join(paragraphs, "doc_num").groupBy("qid").agg(
        F.collect_list(F.struct("para_id", "doc_num", "number", "text")).alias("paras"))
    doc_meta = wanted.join(tables["documents"], "doc_num").groupBy("qid").agg(
        F.collect_list(F.struct("doc_num", "doc_id", "source", "meta")).alias("docs"))
    key_pairs = pairs.groupBy("qid").agg(F.collect_list(F.struct("key", "para_id")).alias("pairs"))
    slices = planned.drop("lookups").join(key_pairs, "qid", "left").join(doc_paras, "qid", "left").join(doc_meta, "qid", "left")
    return slices.mapInArrow(lambda b: _trace_batches(b, vocabulary, settings), "qid long, doc_id string, record string, final boolean")


_PLAN_SCHEMA = ("qid long, doc_id string, text string, error string, restored string, "
                "lookups array<struct<position: int, keys: array<long>>>")


# --- inside the Python workers ---------------------------------------------------------------------

_VOCABULARIES: dict[int, Any] = {}
_RESTORERS: dict[str, Any] = {}


def _vocabulary(shared: tuple[str, Any]) -> Any:
    from ..trace import Vocabulary

    token, broadcast = shared
    if token not in _VOCABULARIES:
        _VOCABULARIES.clear()
        _VOCABULARIES[token] = Vocabulary(broadcast.value)
    return _VOCABULARIES[token]


def _restorer(lm: Any) -> Any:
    if lm is None or not isinstance(lm, str):
        return lm
    if lm not in _RESTORERS:
        from ..steps import restore_engine
        from ..trace.step import LazyRestorer

        _RESTORERS[lm] = LazyRestorer(lm, load=restore_engine)  # as `restore` restores
    return _RESTORERS[lm]


def _plan_batches(batches: Iterator[Any], vocabulary: Any, restore: Any) -> Iterator[Any]:
    import pyarrow as pa

    from ..trace.query import plan_lookups

    vocab, restorer = _vocabulary(vocabulary), _restorer(restore)
    for batch in batches:
        out = []
        for row in batch.to_pylist():
            plan = None if row["error"] else _safe_plan(plan_lookups, row, vocab, restorer)
            if isinstance(plan, str):
                row, plan = {**row, "error": plan}, None
            lookups = [] if plan is None else [{"position": p.position, "keys": sorted(set(p.keys))} for p in plan.lookups]
            restored = {} if plan is None else {p.text: p.restored for p in plan.pieces if p.restored}
            out.append({"qid": row["qid"], "doc_id": row["doc_id"], "text": row["text"], "error": row["error"],
                        "restored": json.dumps(restored, ensure_ascii=False) if restorer else None, "lookups": lookups})
        yield pa.RecordBatch.from_pylist(out, schema=_plan_arrow_schema())


def _safe_plan(plan_lookups: Any, row: dict[str, Any], vocab: Any, restorer: Any) -> Any:
    try:
        return plan_lookups(row["text"], vocab, restorer)
    except Exception as exc:  # noqa: BLE001 - one bad query must not fail the job
        return f"U000 {row['doc_id']}: step failed: {type(exc).__name__}: {exc}"


def _plan_arrow_schema() -> Any:
    import pyarrow as pa

    lookup = pa.struct([("position", pa.int32()), ("keys", pa.list_(pa.int64()))])
    return pa.schema([("qid", pa.int64()), ("doc_id", pa.string()), ("text", pa.string()), ("error", pa.string()),
                      ("restored", pa.string()), ("lookups", pa.list_(lookup))])


def _trace_batches(batches: Iterator[Any], vocabulary: Any, settings: dict[str, Any]) -> Iterator[Any]:
    import pyarrow as pa

    from ..io.writers import _flat, dumps

    vocab = _vocabulary(vocabulary)
    settings = dict(settings)
    flat = settings.pop("flat")
    schema = pa.schema([("qid", pa.int64()), ("doc_id", pa.string()), ("record", pa.string()), ("final", pa.bool_())])
    for batch in batches:
        out = []
        for row in batch.to_pylist():
            record, final = _trace_one(row, vocab, settings)
            if flat:
                record = {k: _flat(v) for k, v in record.items()}
            out.append({"qid": row["qid"], "doc_id": row["doc_id"], "record": dumps(record), "final": final})
        yield pa.RecordBatch.from_pylist(out, schema=schema)


def _trace_one(row: dict[str, Any], vocab: Any, settings: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    from ..pipeline import default_error_record
    from ..trace import trace

    if row["error"]:  # the local runner's error record, from the error catalogue
        return default_error_record(row["doc_id"], row["error"]), True
    restorer = None if row["restored"] is None else _KnownRestorations(json.loads(row["restored"]))
    view = QuerySlice(vocab, row["pairs"] or [], row["paras"] or [], row["docs"] or [])
    try:
        result = trace(row["text"], view, restorer=restorer, restore_when="always", **settings)
    except Exception as exc:  # noqa: BLE001 - one bad query must not fail the job
        return default_error_record(row["doc_id"], f"U000 {row['doc_id']}: step failed: {type(exc).__name__}: {exc}"), True
    return {"doc_id": row["doc_id"], **result.to_dict()}, result.matched or restorer is not None


class _KnownRestorations:
    """The restorations computed while planning the lookups, so each piece is restored once."""

    def __init__(self, restored: dict[str, str]) -> None:
        self.restored = restored

    def restore(self, text: str, threshold: float | None = None) -> Any:
        return _Restored(self.restored.get(text, text))


class _Restored:
    def __init__(self, restored: str) -> None:
        self.restored = restored


class QuerySlice:
    """The part of the index one query touches, answering what `trace()` asks a TraceIndex."""

    def __init__(self, vocabulary: Any, pairs: list[dict], paras: list[dict], docs: list[dict]) -> None:
        from ..trace.index import Paragraph

        self.vocabulary = vocabulary
        self._key_paras: dict[int, list[int]] = defaultdict(list)
        for pair in pairs:
            self._key_paras[pair["key"]].append(pair["para_id"])
        self._paras = {p["para_id"]: Paragraph(p["para_id"], p["doc_num"], p["number"], p["text"]) for p in paras}
        self._by_doc: dict[int, list[Any]] = defaultdict(list)
        for para in sorted(self._paras.values(), key=lambda p: p.number):
            self._by_doc[para.doc_num].append(para)
        self._docs = {d["doc_num"]: (d["doc_id"], d["source"], json.loads(d["meta"])) for d in docs}
        self._features: dict[int, Any] = {}

    def band_hits(self, keys: list[int]) -> dict[int, int]:
        hits: dict[int, int] = {}
        for key in dict.fromkeys(keys):  # SQL's `key IN (...)`: a repeated key counts once
            for pid in self._key_paras.get(key, ()):
                hits[pid] = hits.get(pid, 0) + 1
        return hits

    def paragraphs(self, para_ids: Any) -> dict[int, Any]:
        return {pid: self._paras[pid] for pid in para_ids if pid in self._paras}

    def paragraph_features(self, para: Any) -> Any:
        from ..trace.fingerprint import features

        if para.para_id not in self._features:
            self._features[para.para_id] = features(para.text, self.vocabulary)
        return self._features[para.para_id]

    def document(self, doc_num: int) -> tuple[str, str, dict[str, Any]]:
        if doc_num not in self._docs:
            raise ArtifactError(f"document #{doc_num} missing from the exported index")
        return self._docs[doc_num]

    def document_text(self, doc_num: int, first: int = 0, last: int | None = None) -> tuple[str, list[tuple[int, int]]]:
        end = last if last is not None else 1 << 30
        parts, offsets, cursor = [], [], 0
        for para in self._by_doc.get(doc_num, ()):
            if first <= para.number <= end:
                offsets.append((para.number, cursor))
                parts.append(para.text)
                cursor += len(para.text) + 2
        return "\n\n".join(parts), offsets
