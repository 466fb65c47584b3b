"""unspin.pipeline: one record per document, in order, with errors; pools; Ctrl-C and --resume."""

from __future__ import annotations

import json
import os
import signal

import pytest

from unspin.io import open_writer
from unspin.pipeline import RunStats, completed_ids, run_local
from unspin.types import DocReport, Document


# Steps are top-level classes so that "spawn" worker processes can unpickle them.
class LengthStep:
    """Counts characters; fails on documents whose text says so."""

    def __call__(self, doc: Document) -> dict:
        if "boom" in doc.text:
            raise RuntimeError("exploded")
        return {"doc_id": doc.doc_id, "chars": len(doc.text), "pid": os.getpid()}


class InterruptAt:
    """Behaves like Ctrl-C arriving while document `doc_id` is processed."""

    def __init__(self, doc_id: str | None) -> None:
        self.doc_id = doc_id

    def __call__(self, doc: Document) -> dict:
        if doc.doc_id == self.doc_id:
            raise KeyboardInterrupt
        return {"doc_id": doc.doc_id, "text": doc.text}


class ReportStep:
    def __call__(self, doc: Document) -> DocReport:
        return DocReport(doc.doc_id, 0.5, False, len(doc.text.split()), (), 0.0)


class NoIdStep:
    def __call__(self, doc: Document) -> dict:
        return {"chars": len(doc.text)}


def corpus(n: int, *, bad: dict[int, str] | None = None) -> list[Document]:
    bad = bad or {}
    return [
        Document(f"d{i:03d}", "" if i in bad else f"text number {i}\nsecond line", error=bad.get(i)) for i in range(n)
    ]


def read_jsonl(path) -> list[dict]:
    return [json.loads(line) for line in open(path, encoding="utf-8")]


def read_records(path, fmt: str) -> list[dict]:
    if fmt == "jsonl":
        return read_jsonl(path)
    import csv

    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


# --- one process -----------------------------------------------------------------------------


def test_one_record_per_document_in_order_with_errors(tmp_path):
    docs = corpus(6, bad={2: "U101 d002: binary file"})
    docs[4] = Document("d004", "boom")
    seen = []
    with open_writer("jsonl", str(tmp_path / "out.jsonl")) as writer:
        stats = run_local(LengthStep(), docs, writer=writer, progress=False, on_record=seen.append)
    records = read_jsonl(tmp_path / "out.jsonl")
    assert [r["doc_id"] for r in records] == [d.doc_id for d in docs] and seen == records
    assert records[2] == {"schema_version": "1.0", "doc_id": "d002", "error": "U101 d002: binary file"}
    assert records[4]["error"].startswith("U000 d004: step failed: RuntimeError: exploded")
    assert records[0]["chars"] == len(docs[0].text)
    assert isinstance(stats, RunStats) and (stats.documents, stats.errors, stats.skipped) == (6, 2, 0)
    assert stats.seconds >= 0


def test_step_may_return_a_result_object_and_omit_the_id(tmp_path):
    docs = corpus(2)
    with open_writer("jsonl", str(tmp_path / "a.jsonl")) as writer:
        run_local(ReportStep(), docs, writer=writer, progress=False)
    with open_writer("jsonl", str(tmp_path / "b.jsonl")) as writer:
        run_local(NoIdStep(), docs, writer=writer, progress=False)
    assert read_jsonl(tmp_path / "a.jsonl")[0]["words"] == 5
    assert read_jsonl(tmp_path / "b.jsonl")[1] == {"doc_id": "d001", "chars": len(docs[1].text)}


def test_custom_error_record(tmp_path):
    def as_report(doc_id: str, error: str) -> dict:
        return DocReport(doc_id, 0.0, False, 0, (), 0.0, error=error).to_dict()

    docs = corpus(3, bad={1: "U102 d001: empty file"})
    with open_writer("csv", str(tmp_path / "out.csv")) as writer:
        run_local(ReportStep(), docs, writer=writer, progress=False, error_record=as_report)
    rows = read_records(tmp_path / "out.csv", "csv")
    assert rows[1]["error"] == "U102 d001: empty file" and rows[1]["spin_probability"] == "0.0"


def test_progress_bar_goes_to_stderr(tmp_path, capsys):
    with open_writer("jsonl", str(tmp_path / "out.jsonl")) as writer:
        run_local(LengthStep(), corpus(3), writer=writer, progress=True, total=3)
    captured = capsys.readouterr()
    assert captured.out == "" and "3/3" in captured.err and "doc/s" in captured.err


# --- a pool of processes ---------------------------------------------------------------------


def test_pool_keeps_every_record_in_input_order(tmp_path):
    docs = corpus(60, bad={7: "U104 d007: not valid UTF-8"})
    docs[33] = Document("d033", "boom")
    with open_writer("jsonl", str(tmp_path / "out.jsonl")) as writer:
        stats = run_local(LengthStep(), iter(docs), writer=writer, jobs=2, chunksize=3, progress=False)
    records = read_jsonl(tmp_path / "out.jsonl")
    assert [r["doc_id"] for r in records] == [d.doc_id for d in docs]
    assert (stats.documents, stats.errors) == (60, 2)
    assert records[7]["error"].startswith("U104") and records[33]["error"].startswith("U000 d033")
    assert len({r["pid"] for r in records if "pid" in r} - {os.getpid()}) >= 1


def test_pool_reads_the_input_lazily(tmp_path):
    consumed = []

    def documents():
        for doc in corpus(200):
            consumed.append(doc.doc_id)
            yield doc

    first_seen = []
    with open_writer("jsonl", str(tmp_path / "out.jsonl")) as writer:
        run_local(
            LengthStep(),
            documents(),
            writer=writer,
            jobs=2,
            chunksize=2,
            progress=False,
            on_record=lambda r: first_seen.append(len(consumed)) if not first_seen else None,
        )
    assert first_seen[0] <= 2 * 2 * 4 + 2 * 2 and len(read_jsonl(tmp_path / "out.jsonl")) == 200


# --- Ctrl-C and --resume ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
@pytest.mark.parametrize("jobs", [1, 2])
def test_interrupt_then_resume_gives_every_document_once(tmp_path, fmt, jobs):
    out = str(tmp_path / f"out.{fmt}")
    docs = corpus(200)
    with pytest.raises(KeyboardInterrupt):
        with open_writer(fmt, out) as writer:
            run_local(InterruptAt("d120"), docs, writer=writer, jobs=jobs, progress=False)
    assert writer.closed
    done = completed_ids(out, fmt)
    assert done == {f"d{i:03d}" for i in range(120)}  # in order, so exactly those before d120

    with open_writer(fmt, out, append=True) as writer:
        stats = run_local(InterruptAt(None), docs, writer=writer, jobs=jobs, resume_ids=done, progress=False)
    ids = [r["doc_id"] for r in read_records(out, fmt)]
    assert len(ids) == 200 and set(ids) == {d.doc_id for d in docs}
    assert (stats.documents, stats.skipped) == (80, 120)


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_resume_after_a_kill_mid_line(tmp_path, fmt):
    out = tmp_path / f"out.{fmt}"
    docs = corpus(200)
    with open_writer(fmt, str(out)) as writer:
        run_local(InterruptAt(None), docs, writer=writer, progress=False)
    data = out.read_bytes()
    cut = data.index(b"d150") + 12  # inside the record of d150 (inside its multi-line text for CSV)
    out.write_bytes(data[:cut])

    done = completed_ids(str(out), fmt)
    assert done == {f"d{i:03d}" for i in range(150)}
    with open_writer(fmt, str(out), append=True) as writer:
        run_local(InterruptAt(None), docs, writer=writer, resume_ids=done, progress=False)
    records = read_records(out, fmt)
    assert [r["doc_id"] for r in records] == [d.doc_id for d in docs]
    assert records[150]["text"] == docs[150].text


def test_real_sigint_in_a_pool_run_leaves_valid_output(tmp_path):
    out = tmp_path / "out.jsonl"

    def press_ctrl_c(record: dict) -> None:
        if record["doc_id"] == "d040":
            os.kill(os.getpid(), signal.SIGINT)

    with pytest.raises(KeyboardInterrupt):
        with open_writer("jsonl", str(out)) as writer:
            run_local(LengthStep(), corpus(500), writer=writer, jobs=2, progress=False, on_record=press_ctrl_c)
    ids = [r["doc_id"] for r in read_jsonl(out)]
    assert ids[:41] == [f"d{i:03d}" for i in range(41)] and len(ids) < 500


def test_completed_ids_of_missing_or_empty_output(tmp_path):
    assert completed_ids(str(tmp_path / "none.jsonl"), "jsonl") == set()
    (tmp_path / "empty.csv").write_text("")
    assert completed_ids(str(tmp_path / "empty.csv"), "csv") == set()
    with pytest.raises(ValueError):
        (tmp_path / "x.xml").write_text("<x/>")
        completed_ids(str(tmp_path / "x.xml"), "xml")


def test_unpicklable_step_with_jobs_is_a_clear_error(tmp_path):
    with pytest.raises(TypeError, match="picklable step"):
        with open_writer("jsonl", str(tmp_path / "out.jsonl")) as writer:
            run_local(lambda doc: {}, corpus(3), writer=writer, jobs=2, progress=False)


class RestoreStep:
    """The documented pattern: settings only; the engine is built once per worker process."""

    def __init__(self) -> None:
        self._restorer = None

    def __getstate__(self) -> dict:
        return {"_restorer": None}

    def __call__(self, doc: Document) -> dict:
        if self._restorer is None:
            from fakes import FakeRestorer

            self._restorer = FakeRestorer()
        return {"doc_id": doc.doc_id, **self._restorer.restore(doc.text).to_dict()}


def test_reading_a_directory_and_restoring_it_with_a_pool(tmp_path):
    from pathlib import Path

    from unspin.io import iter_documents

    corpus_dir = Path(__file__).parent / "data" / "io"
    step = RestoreStep()
    step(Document("warm", "corporate"))  # a built engine must not travel to the workers
    with open_writer("jsonl", str(tmp_path / "out.jsonl")) as writer:
        stats = run_local(step, iter_documents([str(corpus_dir)]), writer=writer, jobs=2, progress=False)
    records = {r["doc_id"]: r for r in read_jsonl(tmp_path / "out.jsonl")}
    assert stats.documents == len(records) == 13 and stats.errors == 4
    article = records[str(corpus_dir / "corpus" / "sub" / "article.html")]
    assert "The company said sales fell 4 percent" in article["restored"]
    assert records["a1"]["restored"] == "The company said sales fell."


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_failing_input_iterator_stops_the_run_with_valid_output(tmp_path, jobs):
    def documents():
        yield from corpus(10)
        raise OSError("disk went away")

    out = tmp_path / "out.jsonl"
    with pytest.raises(OSError, match="disk went away"):
        with open_writer("jsonl", str(out)) as writer:
            run_local(LengthStep(), documents(), writer=writer, jobs=jobs, progress=False)
    assert [r["doc_id"] for r in read_jsonl(out)] == [f"d{i:03d}" for i in range(10)]


def test_a_pool_whose_terminate_hangs_is_left_behind_after_the_wait():
    import threading
    import time

    from unspin.pipeline.local import _terminate

    release = threading.Event()

    class HangingPool:  # CPython's terminate, stuck on a lock a killed worker held
        asked = False

        def terminate(self):
            HangingPool.asked = True
            release.wait()

    started = time.monotonic()
    _terminate(HangingPool(), wait=0.2)
    assert HangingPool.asked and time.monotonic() - started < 5
    release.set()
