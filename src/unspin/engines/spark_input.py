"""Input for Spark jobs: files listed on the driver, read on the executors by unspin's own reader.

A unit of work is one input file: shard a large crawl into many files (as crawls come). Each
task reads its files with `unspin.io.readers.iter_documents` and the command's reading options,
so every document, id ("path:line", "path#row" when a row has no id) and unreadable-row error
is the one a local run sees. Files must sit where every executor can read them (a local disk
for `local[*]`, a shared filesystem on a cluster). With fewer files than cores, the documents
are spread over the cores after reading.
"""

from __future__ import annotations

import os
import pickle
from typing import Any, Iterator, Sequence

from ..errors import InputError
from ..types import Document

BATCH_DOCUMENTS = 256  # documents per Arrow batch handed to the step


def input_units(inputs: Sequence[str], *, include: Sequence[str] = (), exclude: Sequence[str] = ()) -> list[str]:
    """The input files, in reading order (directories walked as `iter_documents` walks them)."""
    from ..io.readers import walk_directory

    if "-" in inputs:
        raise InputError("Spark executors cannot read standard input; give files or directories", source="-")
    missing = [p for p in inputs if not os.path.lexists(p)]
    if missing:
        raise InputError("no such file or directory", source=", ".join(missing))
    units: list[str] = []
    for path in inputs:
        units.extend(walk_directory(path, include=include, exclude=exclude) if os.path.isdir(path) else [path])
    return units


def read_documents(spark: Any, inputs: Sequence[str], *, include: Sequence[str] = (), exclude: Sequence[str] = (),
                   **reading: Any) -> Any:
    """A DataFrame of documents (engines.spark.DOCUMENT_SCHEMA), one row per input document;
    `reading`: `iter_documents`' options (text_field, id_field, max_bytes, jsonl, keep_fields)."""
    from .spark import DOCUMENT_SCHEMA

    table, enough = unit_frame(spark, inputs, include=include, exclude=exclude)
    if table is None:
        return spark.createDataFrame([], DOCUMENT_SCHEMA)
    documents = table.mapInArrow(lambda batches: read_batches(batches, reading), DOCUMENT_SCHEMA)
    return documents if enough else spread_in_order(documents, max(1, spark.sparkContext.defaultParallelism))


def spread_in_order(documents: Any, partitions: int) -> Any:
    """The documents over `partitions` contiguous ranges of their input order, each in that order.
    A plain `repartition` shuffles rows into an order that changes from run to run, and the
    output's columns follow the order records are first seen (as the local writer's do)."""
    from pyspark.sql import functions as F

    positioned = documents.withColumn("_position", F.monotonically_increasing_id())
    return positioned.repartitionByRange(partitions, "_position").sortWithinPartitions("_position").drop("_position")


def unit_frame(spark: Any, inputs: Sequence[str], *, include: Sequence[str] = (), exclude: Sequence[str] = ()) -> tuple[Any, bool]:
    """The DataFrame of units (None when there are none), and whether there are enough units to
    keep every core busy without spreading their documents around."""
    units = input_units(inputs, include=include, exclude=exclude)
    if not units:
        return None, True
    cores = max(1, spark.sparkContext.defaultParallelism)
    rows = spark.sparkContext.parallelize([(u,) for u in units], min(len(units), cores * 64))
    return spark.createDataFrame(rows, "path string"), len(units) >= cores


def read_batches(batches: Iterator[Any], reading: dict[str, Any]) -> Iterator[Any]:
    """Arrow batches of units in, Arrow batches of documents (DOCUMENT_SCHEMA) out."""
    import pyarrow as pa

    schema = pa.schema([("doc_id", pa.string()), ("text", pa.string()), ("source", pa.string()),
                        ("meta", pa.binary()), ("error", pa.string())])
    buffer: list[dict[str, Any]] = []
    for batch in batches:
        for unit in batch.to_pylist():
            for doc in _read_unit(unit["path"], reading):
                buffer.append(_row(doc))
                if len(buffer) >= BATCH_DOCUMENTS:
                    yield pa.RecordBatch.from_pylist(buffer, schema=schema)
                    buffer = []
    if buffer:
        yield pa.RecordBatch.from_pylist(buffer, schema=schema)


def _row(doc: Document) -> dict[str, Any]:
    meta = pickle.dumps(doc.meta) if doc.meta else None  # pickled: the step sees the very values
    return {"doc_id": doc.doc_id, "text": doc.text, "source": doc.source, "meta": meta, "error": doc.error}


def _read_unit(path: str, reading: dict[str, Any]) -> Iterator[Document]:
    from ..io.rows import _error_document

    from ..io.readers import iter_documents

    try:
        yield from iter_documents([path], **reading)
    except InputError as err:  # the file went away between listing and reading
        yield _error_document(path, err)
