"""Input for Spark jobs: files listed on the driver, read on the executors by unspin's own reader.

A unit of work is one input file, or one row group of a parquet file (so a large parquet file
spreads over many tasks). Each task reads its units with `unspin.io.readers`, so every document,
id ("path:line", "path#row" when a row has no id) and unreadable-row error is the one a local run
sees. Files must sit where every executor can read them (a local disk for `local[*]`, a shared
filesystem on a cluster). When there are fewer units than cores, documents are spread evenly.
"""

from __future__ import annotations

import os
import pickle
from typing import Any, Iterator, Sequence

from ..errors import InputError
from ..types import Document

BATCH_DOCUMENTS = 256  # documents per Arrow batch handed to the step


def input_units(inputs: Sequence[str], *, include: Sequence[str] = (), exclude: Sequence[str] = ()) -> list[tuple[str, int, int]]:
    """(path, row group or -1 for the whole file, index of the unit's first row), in reading order."""
    from ..io.readers import walk_directory

    if "-" in inputs:
        raise InputError("Spark executors cannot read standard input; give files or directories", source="-")
    missing = [p for p in inputs if not os.path.exists(p)]
    if missing:
        raise InputError("no such file or directory", source=", ".join(missing))
    units: list[tuple[str, int, int]] = []
    for path in inputs:
        files = walk_directory(path, include=include, exclude=exclude) if os.path.isdir(path) else [path]
        for file in files:
            units.extend(_file_units(file))
    return units


def _file_units(path: str) -> list[tuple[str, int, int]]:
    if not path.lower().endswith(".parquet"):
        return [(path, -1, 0)]
    try:
        import pyarrow.parquet as pq

        meta = pq.ParquetFile(path).metadata
    except Exception:  # noqa: BLE001 - unreadable: the reader turns it into an error document
        return [(path, -1, 0)]
    if meta.num_row_groups <= 1:
        return [(path, -1, 0)]
    units, first = [], 0
    for group in range(meta.num_row_groups):
        units.append((path, group, first))
        first += meta.row_group(group).num_rows
    return units


def read_documents(
    spark: Any,
    inputs: Sequence[str],
    *,
    text_field: str = "text",
    id_field: str = "id",
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    max_bytes: int = 50_000_000,
) -> Any:
    """A DataFrame of documents (engines.spark.DOCUMENT_SCHEMA), one row per input document."""
    from .spark import DOCUMENT_SCHEMA

    table, enough = unit_frame(spark, inputs, include=include, exclude=exclude)
    if table is None:
        return spark.createDataFrame([], DOCUMENT_SCHEMA)
    fields = (text_field, id_field, max_bytes)
    documents = table.mapInArrow(lambda batches: read_batches(batches, fields), DOCUMENT_SCHEMA)
    return documents if enough else documents.repartition(max(1, spark.sparkContext.defaultParallelism))


def unit_frame(spark: Any, inputs: Sequence[str], *, include: Sequence[str] = (), exclude: Sequence[str] = ()) -> tuple[Any, bool]:
    """The DataFrame of units (None when there are none), and whether there are enough units to
    keep every core busy without spreading their documents around."""
    units = input_units(inputs, include=include, exclude=exclude)
    if not units:
        return None, True
    cores = max(1, spark.sparkContext.defaultParallelism)
    rows = spark.sparkContext.parallelize(units, min(len(units), cores * 64))
    return spark.createDataFrame(rows, "path string, row_group long, first_row long"), len(units) >= cores


def read_batches(batches: Iterator[Any], fields: tuple[str, str, int]) -> Iterator[Any]:
    """Arrow batches of units in, Arrow batches of documents (DOCUMENT_SCHEMA) out."""
    import pyarrow as pa

    schema = pa.schema([("doc_id", pa.string()), ("text", pa.string()), ("source", pa.string()),
                        ("meta", pa.binary()), ("error", pa.string())])
    buffer: list[dict[str, Any]] = []
    for batch in batches:
        for unit in batch.to_pylist():
            for doc in _read_unit(unit["path"], unit["row_group"], unit["first_row"], fields):
                buffer.append(_row(doc))
                if len(buffer) >= BATCH_DOCUMENTS:
                    yield pa.RecordBatch.from_pylist(buffer, schema=schema)
                    buffer = []
    if buffer:
        yield pa.RecordBatch.from_pylist(buffer, schema=schema)


def _row(doc: Document) -> dict[str, Any]:
    meta = pickle.dumps(doc.meta) if doc.meta else None  # pickled: the step sees the very values
    return {"doc_id": doc.doc_id, "text": doc.text, "source": doc.source, "meta": meta, "error": doc.error}


def _read_unit(path: str, row_group: int, first_row: int, fields: tuple[str, str, int]) -> Iterator[Document]:
    from ..io.readers import iter_documents
    from ..io.rows import _error_document

    text_field, id_field, max_bytes = fields
    try:
        if row_group < 0:
            yield from iter_documents([path], text_field=text_field, id_field=id_field, max_bytes=max_bytes)
        else:
            yield from _read_row_group(path, row_group, first_row, fields)
    except InputError as err:  # the file went away between listing and reading
        yield _error_document(path, err)


def _read_row_group(path: str, row_group: int, first_row: int, fields: tuple[str, str, int]) -> Iterator[Document]:
    """One row group of a parquet file, as `io.readers` reads the whole file (same ids and errors)."""
    import pyarrow.parquet as pq

    from ..io.input_errors import CorruptFile, MissingField
    from ..io.rows import _error_document, _Fields, _row_document

    spec = _Fields(*fields)
    parquet = pq.ParquetFile(path)
    if spec.text not in parquet.schema_arrow.names:
        if row_group == 0:  # one error for the whole file, as a local run gives
            err = MissingField(f"no {spec.text!r} column in {parquet.schema_arrow.names} (use --text-field)", source=path)
            yield _error_document(path, err)
        return
    try:
        rows = parquet.read_row_group(row_group).to_pylist()
    except Exception as exc:  # noqa: BLE001 - ArrowInvalid and friends: this row group is lost
        where = f"{path}#{first_row}"
        yield _error_document(where, CorruptFile(f"cannot read parquet rows from here on: {exc}", source=where))
        return
    for offset, row in enumerate(rows):
        where = f"{path}#{first_row + offset}"
        try:
            yield _row_document(row, where, spec)
        except InputError as err:
            yield _error_document(where, err)
