"""`unspin index build --engine spark`: paragraphs and MinHash band keys computed on executors.

The corpus is read on the executors with `trace.read_corpus` (one task per corpus path), spread
over the cores, fingerprinted (`trace.index.fingerprint_document`, the vocabulary broadcast),
and streamed back in input order to the driver, which writes the SQLite index: the same file
content (documents, paragraph ids, band keys) as a local build.
"""

from __future__ import annotations

import json
from typing import Any, Iterator, Sequence

_SCHEMA = "unit long, row long, doc_id string, text string, source string, meta string"
_PRINTED = "unit long, row long, doc_id string, source string, meta string, pieces array<string>, keys array<array<long>>"


def build_index_on_spark(spark: Any, corpus: Sequence[str], output: str, vocabulary: Any, name: str,
                         max_bytes: int | None = None) -> dict[str, Any]:
    """Build the index at `output` (through a temporary file beside it, as a local build does);
    a document that cannot be read is skipped and counted in "errors", as locally."""
    from pathlib import Path

    from ..trace import SourceDoc, TraceIndex

    sc = spark.sparkContext
    words = sc.broadcast(sorted(vocabulary.swappable))
    errors = sc.accumulator(0)
    units = sc.parallelize(list(enumerate(corpus)), max(1, len(corpus))).toDF("unit long, path string")
    docs = units.mapInArrow(lambda batches: _read_units(batches, errors, max_bytes), _SCHEMA).repartition(max(1, sc.defaultParallelism))
    printed = docs.mapInArrow(lambda batches: _fingerprint(batches, words), _PRINTED).orderBy("unit", "row")

    def fingerprinted() -> Iterator[tuple[Any, list[tuple[str, list[int]]]]]:
        for row in printed.toLocalIterator():
            doc = SourceDoc(row.doc_id, "", row.source, json.loads(row.meta))
            yield doc, [(piece, list(keys)) for piece, keys in zip(row.pieces, row.keys)]

    partial = Path(output).with_name(f".{Path(output).name}.partial")
    try:
        with TraceIndex.create(partial, vocabulary, name=name) as index:
            stats = index.add_fingerprinted(fingerprinted())
        partial.replace(output)
    finally:
        partial.unlink(missing_ok=True)
    return {"index": output, **stats.to_dict(), "errors": errors.value, "bytes": Path(output).stat().st_size}


def _read_units(batches: Iterator[Any], errors: Any, max_bytes: int | None) -> Iterator[Any]:
    import pyarrow as pa

    from ..trace import read_corpus

    def skipped(message: str) -> None:
        errors.add(1)

    for batch in batches:
        for unit in batch.to_pylist():
            docs = read_corpus(unit["path"], on_error=skipped, max_bytes=max_bytes)
            rows = [{"unit": unit["unit"], "row": number, "doc_id": doc.doc_id, "text": doc.text, "source": doc.source,
                     "meta": json.dumps(doc.meta or {})} for number, doc in enumerate(docs)]
            for start in range(0, len(rows), 512):
                yield pa.RecordBatch.from_pylist(rows[start : start + 512], schema=_arrow(_SCHEMA))


def _fingerprint(batches: Iterator[Any], words: Any) -> Iterator[Any]:
    import pyarrow as pa

    from ..trace import Vocabulary
    from ..trace.index import fingerprint_document

    vocabulary = Vocabulary(words.value)
    for batch in batches:
        out = []
        for row in batch.to_pylist():
            pieces = fingerprint_document(row.pop("text"), vocabulary)
            out.append({**row, "pieces": [p for p, _ in pieces], "keys": [k for _, k in pieces]})
        yield pa.RecordBatch.from_pylist(out, schema=_arrow(_PRINTED))


def _arrow(ddl: str) -> Any:
    import pyarrow as pa

    kinds = {"long": pa.int64(), "string": pa.string(), "array<string>": pa.list_(pa.string()),
             "array<array<long>>": pa.list_(pa.list_(pa.int64()))}
    fields = [part.strip().split(" ", 1) for part in ddl.split(", ")]
    return pa.schema([(name, kinds[kind]) for name, kind in fields])
