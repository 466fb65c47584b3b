"""Run a pipeline step (Document -> record dict) inside Spark partitions (extra `spark`).

The executor only decides where work runs: each partition unpickles the step once, so an engine
that loads lazily (unspin.steps.Scanner, say) loads once per Python worker, not once per row.

    from unspin.steps import Scanner
    from unspin.engines.spark import map_documents
    records = map_documents(spark_df.rdd, Scanner(lm="ngram"), text_field="text", id_field="id")
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator

from ..errors import MissingExtraError
from ..types import Document

Step = Callable[[Document], dict[str, Any]]


def partition_runner(step: Step, text_field: str = "text", id_field: str = "id") -> Callable[[Iterable[Any]], Iterator[dict[str, Any]]]:
    """The function Spark calls per partition: rows in, one record per row out, errors kept."""

    def run(rows: Iterable[Any]) -> Iterator[dict[str, Any]]:
        for number, row in enumerate(rows):
            data = row.asDict() if hasattr(row, "asDict") else dict(row)
            doc_id = str(data.get(id_field, number))
            text = data.get(text_field)
            if not isinstance(text, str):
                yield {"doc_id": doc_id, "error": f"U109 {doc_id}: no string field {text_field!r}"}
                continue
            meta = {k: v for k, v in data.items() if k not in (text_field, id_field)}
            try:
                record = step(Document(doc_id, text, source="spark", meta=meta))
            except Exception as exc:  # one bad row must not fail the partition
                record = {"doc_id": doc_id, "error": f"U000 {doc_id}: step failed: {exc}"}
            yield record.to_dict() if hasattr(record, "to_dict") else record

    return run


def map_documents(rdd: Any, step: Step, text_field: str = "text", id_field: str = "id") -> Any:
    """An RDD of output records, one per input row."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise MissingExtraError("spark", "the Spark engine") from None
    return rdd.mapPartitions(partition_runner(step, text_field, id_field))
