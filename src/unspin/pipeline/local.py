"""The local runner: apply one step to many documents, one record per document, in input order.

A step is a callable ``Document -> dict`` (see `unspin.pipeline.step.Step`). `run_local` writes
exactly one record per input document, in input order:

- a document that could not be read (``Document.error``) is not given to the step; its
  record is ``error_record(doc_id, error)`` (by default ``{"doc_id": ..., "error": ...}``; a
  `Step` may shape it with its ``error_record`` method);
- if the step raises for one document, that document gets an error record (U000, or the code of
  the `InputError` it raised) and the run goes on;
- if the step cannot run at all (a missing artifact, a model that cannot load, a missing extra:
  an error whose code exits 4), the run stops with that error instead of writing it once per
  document;
- a record that cannot be written (disk full, read-only output) stops the run with U113;
- Ctrl-C stops the run, closes the writer (the output stays valid) and re-raises
  KeyboardInterrupt. Run again with ``resume_ids=resume_state(out, fmt).done`` and a writer
  opened with ``append=True`` to finish without duplicates (ids that occur more than once in
  the input are skipped as many times as the output holds them).

With ``jobs > 1`` the documents go to a multiprocessing pool started with "spawn" (the same
behaviour on Linux, macOS and Windows, and safe with threaded libraries such as torch), so
the step must be picklable: a `Step` subclass, or an instance of a top-level class that stores
only its settings and builds its engine lazily, once per worker process.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import signal
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Mapping

from unspin.errors import EXIT_INTERNAL, OutputError, StepFailed, UnspinError, error_from_message, error_record
from unspin.io.writers import Writer, scan_csv, scan_jsonl
from unspin.types import Document

StepLike = Callable[[Document], Any]
ErrorRecord = Callable[[str, str], dict[str, Any]]

log = logging.getLogger(__name__)
TERMINATE_WAIT_S = 10.0  # a stopped pool's terminate takes well under a second


@dataclass(frozen=True)
class RunStats:
    documents: int  # records written in this run (errors included)
    errors: int  # records with an error (unreadable input or a failing step)
    seconds: float
    skipped: int = 0  # documents skipped because resume_ids already had them


def run_local(
    step: StepLike,
    documents: Iterable[Document],
    *,
    writer: Writer,
    jobs: int = 1,
    resume_ids: set[str] | Mapping[str, int] | None = None,
    progress: bool = True,
    on_record: Callable[[dict[str, Any]], None] | None = None,
    error_record: ErrorRecord | None = None,
    total: int | None = None,
    chunksize: int | None = None,
) -> RunStats:
    """Apply `step` to every document and write one record per document, in input order.

    `resume_ids`: doc ids already in the output (`resume_state(...).done`, a count per id, or a
    set from `completed_ids`); they are skipped.
    `jobs`: worker processes (1: run in this process; 0: one per CPU).
    `on_record` is called with each record after it is written. `total` (the number of
    documents, if known) gives the progress bar an ETA. `chunksize`: documents sent to a
    worker at a time (default: small enough to keep all workers busy). The writer is closed
    when the run is interrupted or fails; after a normal run the caller closes it.
    """
    jobs = jobs if jobs > 0 else (os.cpu_count() or 1)
    make_error = _error_maker(step, error_record)
    started = time.perf_counter()
    skipped = _Counter()
    todo = _skip_done(documents, resume_ids, skipped)
    already = sum(resume_ids.values()) if isinstance(resume_ids, Mapping) else len(resume_ids or ())
    bar = _progress_bar(progress, None if total is None else max(total - already, 0))
    written = errors = 0
    outcomes = _outcomes_serial(step, todo) if jobs <= 1 else _outcomes_pool(step, todo, jobs, chunksize)
    try:
        for outcome in outcomes:
            if outcome.fatal:
                raise error_from_message(outcome.error or "U000 the step cannot run")
            record = outcome.record if outcome.error is None else make_error(outcome.doc_id, outcome.error, outcome.meta)
            _write(writer, record)
            written += 1
            if record.get("error"):
                errors += 1
                bar.set_postfix(errors=errors, refresh=False)
            bar.update(1)
            if on_record is not None:
                on_record(record)
    except BaseException:
        outcomes.close()  # stops the worker pool, if any
        _close_quietly(writer)
        raise
    finally:
        bar.close()
    return RunStats(documents=written, errors=errors, seconds=time.perf_counter() - started, skipped=skipped.n)


def default_error_record(doc_id: str, error: str) -> dict[str, Any]:
    return error_record(doc_id, error)


def _error_maker(step: StepLike, given: ErrorRecord | None) -> Callable[[str, str, dict[str, Any]], dict[str, Any]]:
    if given is not None:
        return lambda doc_id, error, meta: given(doc_id, error)
    shaped = getattr(step, "error_record", None)
    if callable(shaped):
        return shaped
    return lambda doc_id, error, meta: default_error_record(doc_id, error)


def _write(writer: Writer, record: dict[str, Any]) -> None:
    try:
        writer.write(record)
    except OSError as err:
        where = getattr(writer, "path", None) or "the output"
        raise OutputError(f"cannot write a record: {err.strerror or err}", source=str(where)) from err


def _close_quietly(writer: Writer) -> None:
    try:
        writer.close()
    except OSError:  # the disk that failed the write fails the flush too; the first error is the one to report
        pass


@dataclass(frozen=True)
class ResumeState:
    """What an earlier run left in its output: a count per doc id, and how many were errors."""

    done: Counter
    errors: int

    @property
    def records(self) -> int:
        return sum(self.done.values())


def resume_state(path: str, fmt: str) -> ResumeState:
    """The records of the output at `path` (nothing when it does not exist); see `completed_ids`."""
    records = _written_records(path, fmt)
    done: Counter = Counter(str(r["doc_id"]) for r in records if r.get("doc_id") not in (None, ""))
    errors = sum(1 for r in records if r.get("error"))
    return ResumeState(done, errors)


def completed_ids(path: str, fmt: str) -> set[str]:
    """Doc ids already written to the output at `path` (empty when it does not exist).

    For jsonl and csv a last line or row cut short by a killed run is ignored (and cut off by
    `open_writer(..., append=True)`), so that document runs again. json and parquet files are
    read whole (they are only ever written complete).
    """
    return set(resume_state(path, fmt).done)


def _written_records(path: str, fmt: str) -> list[dict[str, Any]]:
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        return []
    if fmt == "jsonl":
        records: list[dict[str, Any]] = scan_jsonl(path)[0]
    elif fmt == "csv":
        records = scan_csv(path)[1]
    elif fmt == "json":
        import json

        with open(path, encoding="utf-8") as fh:
            records = [r for r in json.load(fh) if isinstance(r, dict)]
    elif fmt == "parquet":
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        records = table.select([c for c in ("doc_id", "error") if c in table.column_names]).to_pylist()
    else:
        raise ValueError(f"cannot resume from format {fmt!r}")
    return records


# --- one document ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Outcome:
    doc_id: str
    record: dict[str, Any] | None = None
    error: str | None = None
    interrupted: bool = False
    meta: dict[str, Any] | None = None  # of a document that could not be read
    fatal: bool = False  # the step cannot run at all (its error's code exits 4)


def _apply(step: StepLike, doc: Document) -> _Outcome:
    if doc.error is not None:
        return _Outcome(doc.doc_id, error=doc.error, meta=doc.meta)
    try:
        result = step(doc)
    except UnspinError as err:
        return _Outcome(doc.doc_id, error=str(err), meta=doc.meta, fatal=err.exit_code == EXIT_INTERNAL)
    except Exception as err:  # noqa: BLE001 - one bad document must not stop the run
        log.debug("step failed on %s", doc.doc_id, exc_info=True)
        failed = StepFailed(f"step failed: {type(err).__name__}: {err}", source=doc.doc_id)
        return _Outcome(doc.doc_id, error=str(failed), meta=doc.meta)
    record = result.to_dict() if hasattr(result, "to_dict") else result
    if not isinstance(record, dict):
        failed = StepFailed(f"step returned {type(record).__name__}, not a dict", source=doc.doc_id)
        return _Outcome(doc.doc_id, error=str(failed))
    if "doc_id" not in record:
        record = {"doc_id": doc.doc_id, **record}
    return _Outcome(doc.doc_id, record=record)


def _outcomes_serial(step: StepLike, documents: Iterable[Document]) -> Iterator[_Outcome]:
    for doc in documents:
        yield _apply(step, doc)


# --- a pool of worker processes --------------------------------------------------------------

_worker_step: StepLike | None = None


def _init_worker(step: StepLike) -> None:
    global _worker_step
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _worker_step = step


def _apply_in_worker(doc: Document) -> _Outcome:
    assert _worker_step is not None
    try:
        return _apply(_worker_step, doc)
    except KeyboardInterrupt:
        return _Outcome(doc.doc_id, interrupted=True)


def _outcomes_pool(step: StepLike, documents: Iterable[Document], jobs: int, chunksize: int | None) -> Iterator[_Outcome]:
    _check_picklable(step)
    chunk = chunksize or 4
    window = _Window(jobs * chunk * 4)  # documents in flight: bounds memory on huge inputs
    context = multiprocessing.get_context("spawn")
    pool = context.Pool(jobs, initializer=_init_worker, initargs=(step,))
    try:
        for outcome in pool.imap(_apply_in_worker, window.feed(documents), chunk):
            window.release()
            if outcome.interrupted:
                raise KeyboardInterrupt
            yield outcome
        if window.error is not None:  # reading the input failed in the pool's feeder thread
            raise window.error
        pool.close()
    except BaseException:
        window.stop()
        _terminate(pool)
        raise
    window.stop()
    pool.join()


def _terminate(pool: Any, wait: float = TERMINATE_WAIT_S) -> None:
    """`pool.terminate()`, given up after `wait` seconds. CPython's terminate kills the workers,
    then waits for its task thread, which hangs for good when a worker was killed while it held
    the result queue's lock (seen once, on Ctrl-C in a 2-worker run); the workers are dead by then,
    and the pool's threads are daemons."""
    stopper = threading.Thread(target=pool.terminate, name="unspin-pool-terminate", daemon=True)
    stopper.start()
    stopper.join(wait)
    if stopper.is_alive():
        log.warning("the worker pool did not stop within %.0f s; leaving it behind", wait)


def _check_picklable(step: StepLike) -> None:
    try:
        pickle.dumps(step)
    except Exception as err:  # noqa: BLE001 - PicklingError, AttributeError, TypeError
        raise TypeError(
            f"jobs > 1 needs a picklable step (an instance of a top-level class), not {step!r}: {err}"
        ) from err


class _Window:
    """Lets the pool's feeder thread run at most `size` documents ahead of the results."""

    def __init__(self, size: int) -> None:
        self._slots = threading.Semaphore(size)
        self._stopped = False
        self.error: BaseException | None = None  # raised by the documents iterator

    def feed(self, documents: Iterable[Document]) -> Iterator[Document]:
        try:
            for doc in documents:
                self._slots.acquire()
                if self._stopped:
                    return
                yield doc
        except Exception as err:  # noqa: BLE001 - handed to the main thread, raised there
            self.error = err

    def release(self) -> None:
        self._slots.release()

    def stop(self) -> None:
        if not self._stopped:
            self._stopped = True
            self._slots.release()  # wake a feeder blocked on a slot so it can see the stop


# --- helpers ---------------------------------------------------------------------------------


class _Counter:
    def __init__(self) -> None:
        self.n = 0


def _skip_done(documents: Iterable[Document], done: set[str] | Mapping[str, int] | None, skipped: _Counter) -> Iterator[Document]:
    if not done:
        yield from documents
        return
    left = Counter(done) if isinstance(done, Mapping) else None
    for doc in documents:
        if left is None:
            if doc.doc_id in done:
                skipped.n += 1
                continue
        elif left.get(doc.doc_id, 0) > 0:
            left[doc.doc_id] -= 1
            skipped.n += 1
            continue
        yield doc


def _progress_bar(enabled: bool, total: int | None) -> Any:
    from tqdm import tqdm

    return tqdm(
        total=total,
        unit="doc",
        desc="documents",
        file=sys.stderr,
        disable=not enabled,
        dynamic_ncols=True,
        smoothing=0.1,
    )


__all__ = ["ErrorRecord", "ResumeState", "RunStats", "StepLike", "completed_ids", "default_error_record", "resume_state", "run_local"]
