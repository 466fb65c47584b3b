"""Output of Spark jobs: a directory of part files, JSONL or parquet, like the local writers'.

- JSONL: each line is the record exactly as `io.writers.JsonlWriter` writes it.
- parquet: the records (already flat: nested values as JSON strings) are staged as JSON lines,
  read back with Spark's schema inference (ints -> long, floats -> double, bool, string) and
  written with the columns in the order a local `ParquetWriter` gives them (first seen). The step
  runs once: the staging copy is read, not recomputed, and removed afterwards.
"""

from __future__ import annotations

from typing import Any, Callable


def write_records(spark: Any, records: Any, output: str, fmt: str, *, append: bool, key_order: Callable[[], list[str]]) -> None:
    mode = "append" if append else "overwrite"
    lines = records.select("record")
    if fmt == "jsonl":
        lines.write.mode(mode).text(output)
        return
    staging = output.rstrip("/") + ".staging"
    lines.write.mode("overwrite").text(staging)
    try:
        table = spark.read.json(staging)
        if not table.columns:  # no records (a resumed run with nothing left to do)
            return
        if "_corrupt_record" in table.columns:  # cannot happen for records we wrote; say so if it does
            raise RuntimeError(f"unreadable staged records in {staging}")
        order = [k for k in key_order() if k in table.columns]
        order += [k for k in table.columns if k not in order]
        table.select(*[table[f"`{k}`"] for k in order]).write.mode(mode).parquet(output)
    finally:
        delete_path(spark, staging)


def done_ids(spark: Any, output: str, fmt: str) -> Any:
    """A one-column DataFrame (doc_id) of the records already in `output`, None if there are none."""
    if not path_exists(spark, output):
        return None
    table = spark.read.parquet(output) if fmt == "parquet" else spark.read.json(output)
    if "doc_id" not in table.columns:
        return None
    return table.select("doc_id").where("doc_id IS NOT NULL AND doc_id != ''").distinct()


def highest(spark: Any, output: str, fmt: str, column: str = "spin_probability") -> tuple[str, float] | None:
    """The record of `output` with the highest `column` (error records left out) as (doc_id, value);
    None when no record has it. Among equal values, the smallest doc_id."""
    if not path_exists(spark, output):
        return None
    if fmt == "parquet":
        table = spark.read.parquet(output)
        if column not in table.columns:
            return None
    else:  # no schema inference pass over the whole output: only these fields are read
        table = spark.read.schema(f"doc_id string, `{column}` double, error string").json(output)
    if "doc_id" not in table.columns:
        return None
    if "error" in table.columns:
        table = table.where("error IS NULL OR error = ''")
    row = (table.where(f"`{column}` IS NOT NULL").orderBy(table[f"`{column}`"].desc(), table["doc_id"].asc())
           .select("doc_id", f"`{column}`").first())
    return None if row is None else (str(row[0] or ""), float(row[1]))


def _filesystem(spark: Any, path: str) -> tuple[Any, Any]:
    jvm = spark.sparkContext._jvm
    hadoop_path = jvm.org.apache.hadoop.fs.Path(path)
    return hadoop_path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()), hadoop_path


def path_exists(spark: Any, path: str) -> bool:
    fs, hadoop_path = _filesystem(spark, path)
    return bool(fs.exists(hadoop_path))


def delete_path(spark: Any, path: str) -> None:
    fs, hadoop_path = _filesystem(spark, path)
    fs.delete(hadoop_path, True)


def read_records(path: str, fmt: str) -> list[dict[str, Any]]:
    """The records of a Spark output directory, read with pyarrow / json (no Spark needed)."""
    import glob
    import json
    import os

    if fmt == "parquet":
        import pyarrow.parquet as pq

        files = sorted(f for f in glob.glob(os.path.join(path, "*.parquet")))
        return [r for f in files for r in pq.read_table(f).to_pylist()]
    records = []
    for file in sorted(glob.glob(os.path.join(path, "part-*"))):
        with open(file, encoding="utf-8") as fh:
            records.extend(json.loads(line) for line in fh if line.strip())
    return records
