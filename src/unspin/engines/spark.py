"""Run any pipeline step on Spark: the same records as `unspin.pipeline.run_local`, in partitions.

    from unspin.steps import Scanner
    from unspin.engines.spark import run_on_spark, spark_session
    spark = spark_session("local[2]")
    stats = run_on_spark(spark, Scanner(), ["crawl/"], "scan.parquet")

How it runs (the executor only decides where work runs; see `unspin.pipeline` for the step):

- the input is read by the executors (`unspin.engines.spark_input`): each task reads its files
  (a parquet file row group by row group) with unspin's own reader, so documents, ids and
  unreadable-row errors are those of a local run;
- each partition is a stream of Arrow record batches (`mapInArrow`); each batch goes through
  `run_local` itself (jobs=1), so a failing row becomes the same error record as locally and
  never fails the job;
- the step is unpickled once per task but kept in the Python worker between tasks: an engine
  that loads lazily loads once per worker (`spark.python.worker.reuse`, on by default);
- records are written by Spark: JSONL (each line exactly what the local JSONL writer writes) or
  parquet (the local writer's flat columns: nested values as JSON strings, same names, values
  and column order). Output is a directory of part files; `resume=True` skips doc ids already
  in it and appends the rest, so a rerun over a finished output writes nothing.
"""

from __future__ import annotations

import os
import pickle
import resource
import shutil
import socket
import sys
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Sequence

from ..errors import MissingExtraError, UnspinError
from ..types import Document

DOCUMENT_SCHEMA = "doc_id string, text string, source string, meta binary, error string"
RECORD_SCHEMA = "doc_id string, record string"
OUTPUT_FORMATS = ("parquet", "jsonl")
RowsFn = Callable[[dict[str, Any]], list[dict[str, Any]]]


class SparkError(UnspinError):
    """Spark could not start, or its set-up is incomplete (no Java, no pyspark, artifacts)."""

    code = "U500"


# --- the session -----------------------------------------------------------------------------


def spark_session(master: str | None = None, app_name: str = "unspin", conf: dict[str, str] | None = None) -> Any:
    """A SparkSession on `master`: by default spark-submit's master when run under spark-submit,
    else local[*]. On a local master everything binds to 127.0.0.1; the UI is off."""
    pyspark_sql = _pyspark_sql()
    under_submit = "PYSPARK_GATEWAY_PORT" in os.environ  # spark-submit started this interpreter
    if not under_submit and not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        raise SparkError("Spark needs a Java runtime: apt-get install openjdk-17-jre-headless (or set JAVA_HOME)")
    if master is None and not under_submit:
        master = "local[*]"
    builder = pyspark_sql.SparkSession.builder.appName(app_name)
    if master is not None:
        builder = builder.master(master)
    settings = {"spark.ui.enabled": "false", "spark.ui.showConsoleProgress": "false"}
    if master is not None and master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # workers use this interpreter
        settings.update({"spark.driver.host": "127.0.0.1", "spark.driver.bindAddress": "127.0.0.1"})
    settings.update(conf or {})
    for key, value in settings.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _pyspark_sql() -> Any:
    try:
        import pyspark.sql
    except ImportError:
        raise MissingExtraError("spark", "--engine spark") from None
    return pyspark.sql


# --- artifacts on the executors --------------------------------------------------------------

def _bigrams_path() -> str:
    from ..config import cache_dir

    return str(cache_dir() / "web_bigrams.pickle")


def step_requirements(step: Any) -> tuple[str, ...]:
    """What the step needs on every executor: `Step.requires` ("lexicon", "ngram", "neural:<model>",
    "extra:<module>"), plus, for steps without it, what their settings imply ("bigrams": the
    screener's word pairs; a fingerprint list's path)."""
    declared = getattr(step, "requires", None)
    if declared is not None:
        return tuple(declared() if callable(declared) else declared)
    if getattr(step, "step", None) is not None:  # a wrapper (cli.scan.KeepFields)
        return step_requirements(step.step)
    needs: list[str] = []
    if hasattr(step, "lm") and not hasattr(step, "use_model"):  # a restoring step
        needs += ["lexicon", "ngram"]
    if getattr(step, "use_model", False):
        needs += ["lexicon", "ngram", "bigrams"]
    if getattr(step, "fingerprints_path", None):
        needs.append(str(step.fingerprints_path))
    return tuple(needs)


def check_artifacts(spark: Any, requires: Sequence[str]) -> None:
    """Raise SparkError naming what an executor lacks; each name is resolved on the executor
    (so UNSPIN_HOME there counts, e.g. ./unspin from `--archives artifacts.tar.gz#unspin`)."""
    if not requires:
        return
    names = tuple(requires)
    slots = max(1, spark.sparkContext.defaultParallelism)
    found = spark.sparkContext.parallelize(range(slots), slots).mapPartitions(lambda _: [_missing_here(names)]).collect()
    missing = sorted({(host, what) for host, gaps in found for what in gaps})
    if missing:
        listed = "; ".join(f"{what} on {host}" for host, what in missing)
        raise SparkError(
            f"executors lack artifacts: {listed}. Put them on a path every executor reads and set "
            "spark.executorEnv.UNSPIN_HOME to it, or ship `tar -czf unspin-artifacts.tgz -C ~/.cache/unspin .` "
            "with --archives unspin-artifacts.tgz#unspin --conf spark.executorEnv.UNSPIN_HOME=./unspin (see README)"
        )


def _missing_here(names: tuple[str, ...]) -> tuple[str, list[str]]:
    from ..errors import UnspinError as Missing
    from ..pipeline.step import check_requirement

    gaps = []
    for name in names:
        kind = name.partition(":")[0]
        if kind in ("lexicon", "ngram", "neural", "extra"):
            try:
                check_requirement(name)
            except Missing as err:
                gaps.append(f"{name} ({err})")
        elif name == "bigrams":
            if not os.path.exists(_bigrams_path()):
                gaps.append(f"bigrams ({_bigrams_path()})")
        elif not os.path.exists(name):
            gaps.append(name)
    return socket.gethostname(), gaps


# --- running a step --------------------------------------------------------------------------


@dataclass(frozen=True)
class PartitionStats:
    partition: int
    documents: int
    errors: int
    seconds: float
    load_seconds: float | None  # engine set-up in this worker (None: loaded by an earlier task)
    peak_rss_mb: float  # of the Python worker process
    pid: int
    keys: tuple[str, ...] = ()  # record keys in the order first seen (the parquet column order)


@dataclass(frozen=True)
class SparkRunStats:
    documents: int
    errors: int
    seconds: float
    skipped: int = 0
    partitions: tuple[PartitionStats, ...] = field(default_factory=tuple)


def map_records(documents: Any, step: Any, *, flat: bool = False, stats: Any = None, error_record: Any = None,
                rows: RowsFn | None = None) -> Any:
    """The DataFrame (doc_id, record) of `step` over a documents DataFrame (DOCUMENT_SCHEMA):
    one row per document, `record` its JSON text (flattened for parquet when `flat`); with
    `rows`, the rows `rows(record)` gives for each document's record instead."""
    token = uuid.uuid4().hex
    return documents.mapInArrow(_partition_runner(step, token, flat, stats, error_record, rows), RECORD_SCHEMA)


def run_on_spark(
    spark: Any,
    step: Any,
    inputs: Sequence[str],
    output: str,
    *,
    fmt: str = "parquet",
    resume: bool = False,
    reading: dict[str, Any] | None = None,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    error_record: Callable[[str, str], dict[str, Any]] | None = None,
    check: bool = True,
    rows: RowsFn | None = None,
) -> SparkRunStats:
    """Read `inputs`, apply `step`, write one record per document to the directory `output`.

    `reading`: `iter_documents`' options (text_field, id_field, max_bytes, jsonl, keep_fields),
    as the command reads locally; `error_record`: as `run_local`'s (a picklable function);
    `rows`: a picklable function turning one document's record into the rows to write (e.g.
    one per finding); the stats still count documents."""
    from .spark_input import read_documents, unit_frame
    from .spark_output import done_ids, write_records

    if fmt not in OUTPUT_FORMATS:
        raise SparkError(f"--engine spark writes {' or '.join(OUTPUT_FORMATS)}, not {fmt}")
    _refuse_overwriting_inputs(inputs, output)
    if check:
        check_artifacts(spark, step_requirements(step))
    started = time.perf_counter()
    stats = spark.sparkContext.accumulator([], _ListParam())
    reading = dict(reading or {})
    done = done_ids(spark, output, fmt) if resume else None
    units, enough = unit_frame(spark, inputs, include=include, exclude=exclude)
    skipped = 0
    flat = fmt == "parquet"
    if done is None and enough and units is not None:
        records = _read_and_map(units, step, reading, flat, stats, error_record, rows)
    else:  # documents are spread over the cores, or filtered by the ids already done
        documents = read_documents(spark, inputs, include=include, exclude=exclude, **reading)
        if done is not None:
            before = documents.count()
            documents = documents.join(done, "doc_id", "left_anti")
            skipped = before - documents.count()
        records = map_records(documents, step, flat=flat, stats=stats, error_record=error_record, rows=rows)
    write_records(spark, records, output, fmt, append=resume, key_order=lambda: _key_order(stats.value))
    parts = tuple(sorted((PartitionStats(**s) for s in stats.value), key=lambda s: s.partition))
    return SparkRunStats(
        documents=sum(p.documents for p in parts),
        errors=sum(p.errors for p in parts),
        seconds=time.perf_counter() - started,
        skipped=skipped,
        partitions=parts,
    )


def _read_and_map(units: Any, step: Any, reading: dict[str, Any], flat: bool, stats: Any, error_record: Any,
                  rows: RowsFn | None = None) -> Any:
    """Reading and the step in one Python worker per task: the engine loads in as many workers
    as run at once, and no document crosses to the JVM and back between the two."""
    from .spark_input import read_batches

    token = uuid.uuid4().hex
    def run(batches: Iterator[Any]) -> Iterator[Any]:
        return _run_partition(step, token, flat, stats, error_record, read_batches(batches, reading), rows)

    return units.mapInArrow(run, RECORD_SCHEMA)


def _refuse_overwriting_inputs(inputs: Sequence[str], output: str) -> None:
    target = os.path.abspath(output)
    for path in inputs:
        if os.path.abspath(path) == target:
            raise SparkError("the output would overwrite an input", source=output)


def _key_order(stats: list[dict[str, Any]]) -> list[str]:
    order: dict[str, None] = {}
    for part in sorted(stats, key=lambda s: s["partition"]):
        order.update(dict.fromkeys(part["keys"]))
    return list(order)


# --- inside a Python worker ------------------------------------------------------------------

_WORKER_STEPS: dict[str, Any] = {}  # token -> step, kept between the tasks of one run
_KEEP_STEPS = 4


def _partition_runner(step: Any, token: str, flat: bool, stats: Any, error_record: Any,
                      rows: RowsFn | None = None) -> Callable[[Iterator[Any]], Iterator[Any]]:
    def run(batches: Iterator[Any]) -> Iterator[Any]:  # Spark unpickles this (and the step) once per task
        return _run_partition(step, token, flat, stats, error_record, batches, rows)

    return run


def _run_partition(task_step: Any, token: str, flat: bool, stats: Any, error_record: Any, batches: Iterator[Any],
                   rows: RowsFn | None = None) -> Iterator[Any]:
    import pyarrow as pa
    from pyspark import TaskContext

    fresh = token not in _WORKER_STEPS
    if fresh:
        while len(_WORKER_STEPS) >= _KEEP_STEPS:  # a long-lived worker serves many runs
            _WORKER_STEPS.pop(next(iter(_WORKER_STEPS)))
        _WORKER_STEPS[token] = task_step
    step = _WORKER_STEPS[token]
    started = time.perf_counter()
    load_seconds = _set_up(step) if fresh else None
    sink = _Records(flat, rows)
    for batch in batches:
        docs = [_document(row) for row in batch.to_pylist()]
        if fresh and load_seconds is None and docs:  # no set-up hook: the first document loads the engine
            load_seconds = _timed_run(step, docs[:1], sink, error_record)
            docs = docs[1:]
        _run_batch(step, docs, sink, error_record)
        yield pa.RecordBatch.from_pydict(sink.take(), schema=_record_arrow_schema())
    if stats is not None:
        context = TaskContext.get()
        stats.add([{
            "partition": context.partitionId() if context else 0,
            "documents": sink.count,
            "errors": sink.errors,
            "seconds": round(time.perf_counter() - started, 3),
            "load_seconds": None if load_seconds is None else round(load_seconds, 3),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "pid": os.getpid(),
            "keys": tuple(sink.keys),
        }])


def _set_up(step: Any) -> float | None:
    setup = getattr(step, "setup", None)
    if not callable(setup):
        return None
    start = time.perf_counter()
    setup()
    return time.perf_counter() - start


def _timed_run(step: Any, docs: list[Document], sink: "_Records", error_record: Any) -> float:
    start = time.perf_counter()
    _run_batch(step, docs, sink, error_record)
    return time.perf_counter() - start


def _run_batch(step: Any, docs: list[Document], sink: "_Records", error_record: Any) -> None:
    from ..pipeline import run_local

    if docs:
        run_local(step, docs, writer=sink, jobs=1, progress=False, error_record=error_record)


def _document(row: dict[str, Any]) -> Document:
    meta = pickle.loads(row["meta"]) if row.get("meta") else {}
    return Document(doc_id=str(row["doc_id"]), text=row.get("text") or "", source=row.get("source") or "",
                    meta=meta, error=row.get("error"))


def _record_arrow_schema() -> Any:
    import pyarrow as pa

    return pa.schema([("doc_id", pa.string()), ("record", pa.string())])


class _Records:
    """A Writer for run_local that keeps records as JSON text until the batch is handed to Spark."""

    def __init__(self, flat: bool, rows: RowsFn | None = None) -> None:
        self.flat = flat
        self.rows = rows
        self.count = self.errors = 0
        self.keys: dict[str, None] = {}
        self._ids: list[str] = []
        self._texts: list[str] = []

    def write(self, record: dict[str, Any]) -> None:
        self.count += 1  # documents, whatever rows they give
        self.errors += bool(record.get("error"))
        for row in (self.rows(record) if self.rows is not None else (record,)):
            self._row(row)

    def _row(self, record: dict[str, Any]) -> None:
        from ..io.writers import _flat, dumps

        if self.flat:
            record = {k: _flat(v) for k, v in record.items()}
        self.keys.update(dict.fromkeys(record))
        self._ids.append(str(record.get("doc_id", "")))
        self._texts.append(dumps(record))

    def close(self) -> None:
        pass

    def take(self) -> dict[str, list[str]]:
        out = {"doc_id": self._ids, "record": self._texts}
        self._ids, self._texts = [], []
        return out


class _ListParam:
    """An accumulator of lists (pyspark's AccumulatorParam protocol, duck-typed)."""

    def zero(self, value: list) -> list:
        return []

    def addInPlace(self, first: list, second: list) -> list:  # noqa: N802 - pyspark's name
        first.extend(second)
        return first


__all__ = [
    "DOCUMENT_SCHEMA",
    "PartitionStats",
    "SparkError",
    "SparkRunStats",
    "check_artifacts",
    "map_records",
    "run_on_spark",
    "spark_session",
    "step_requirements",
]
