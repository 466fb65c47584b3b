"""The Step contract and the local runner: lazy set-up once per process, never pickled built;
declared requirements; step-shaped error records; duplicate-aware resume from any cut; U113 when
the output cannot be written; a step that cannot run stops the run once."""

from __future__ import annotations

import errno
import json
import pickle
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unspin.errors import ArtifactError, OutputError
from unspin.io import open_writer
from unspin.pipeline import Step, resume_state, run_local
from unspin.pipeline.steps import RestoreStep
from unspin.types import Document


class CountingStep(Step):
    lazy = ("engine",)
    setups = 0

    def setup(self) -> None:
        CountingStep.setups += 1
        self.engine = str.upper

    def run(self, doc: Document) -> dict:
        return {"doc_id": doc.doc_id, "upper": self.engine(doc.text)}


def test_setup_runs_once_lazily_and_the_engine_is_not_pickled():
    step = CountingStep()
    CountingStep.setups = 0
    assert step.engine is None
    assert [step(Document(str(i), "ab"))["upper"] for i in range(3)] == ["AB"] * 3
    assert CountingStep.setups == 1
    clone = pickle.loads(pickle.dumps(step))
    assert clone.engine is None and clone(Document("x", "c"))["upper"] == "C" and CountingStep.setups == 2


def test_declared_requirements_are_checked_up_front(tmp_path, monkeypatch):
    monkeypatch.setenv("UNSPIN_HOME", str(tmp_path))

    class NeedsLexicon(Step):
        requires = ("lexicon",)

    with pytest.raises(ArtifactError, match="U200 .*lexicon"):
        NeedsLexicon().check()
    (tmp_path / "lexicon.tsv.gz").write_bytes(b"")
    NeedsLexicon().check()


def test_restore_step_error_record_keeps_line_and_raw(tmp_path):
    from unspin.io import iter_documents

    path = tmp_path / "r.jsonl"
    path.write_text("not json\n")
    (doc,) = iter_documents([str(path)], jsonl=True, keep_fields=True)
    out = tmp_path / "out.jsonl"
    with open_writer("jsonl", str(out)) as writer:
        run_local(RestoreStep("ngram"), [doc], writer=writer, progress=False)
    (record,) = [json.loads(line) for line in out.read_text().splitlines()]
    assert record["line"] == 1 and record["raw"] == "not json" and record["error"].startswith("U105")


def test_resume_counts_skip_each_duplicate_once_per_record_written(tmp_path):
    docs = [Document(f"d{i % 3}", f"t{i}") for i in range(9)]
    out = tmp_path / "out.jsonl"
    with open_writer("jsonl", str(out)) as writer:
        run_local(CountingStep(), docs[:4], writer=writer, progress=False)
    state = resume_state(str(out), "jsonl")
    assert state.done == Counter({"d0": 2, "d1": 1, "d2": 1}) and state.errors == 0
    with open_writer("jsonl", str(out), append=True) as writer:
        stats = run_local(CountingStep(), docs, writer=writer, resume_ids=state.done, progress=False)
    assert (stats.documents, stats.skipped) == (5, 4)
    assert [json.loads(line)["upper"] for line in out.read_text().splitlines()] == [f"T{i}" for i in range(9)]


class _FullDisk:
    path = "/full/out.jsonl"
    count = 0
    closed = False

    def write(self, record):
        raise OSError(errno.ENOSPC, "No space left on device")

    def close(self):
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_write_that_fails_is_a_clear_u113_naming_the_output():
    with pytest.raises(OutputError, match="^U113 /full/out.jsonl: cannot write a record: No space left"):
        run_local(CountingStep(), [Document("a", "x")], writer=_FullDisk(), progress=False)


class MissingArtifact(Step):
    def setup(self) -> None:
        raise ArtifactError("the lexicon is not built: run `unspin setup`", source="/cache/lexicon.tsv.gz")


def test_a_step_that_cannot_run_stops_the_run_once_instead_of_an_error_per_document(tmp_path):
    out = tmp_path / "out.jsonl"
    with pytest.raises(ArtifactError, match="^U200 /cache/lexicon.tsv.gz: the lexicon is not built"):
        with open_writer("jsonl", str(out)) as writer:
            run_local(MissingArtifact(), [Document(str(i), "x") for i in range(50)], writer=writer, progress=False)
    assert out.read_text() == ""


class Flaky(Step):
    def run(self, doc: Document) -> dict:
        if doc.text == "boom":
            raise RuntimeError("exploded")
        return {"doc_id": doc.doc_id, "n": len(doc.text)}


KINDS = st.sampled_from(["ok", "boom", "unreadable"])


@settings(max_examples=60, deadline=None)
@given(kinds=st.lists(st.tuples(st.integers(0, 5), KINDS), max_size=30), cut=st.integers(0, 10_000))
def test_one_record_per_document_in_order_and_any_cut_resumes_to_the_same_output(tmp_path_factory, kinds, cut):
    docs = [Document(f"d{i}", "boom" if k == "boom" else "text" * i,
                     error="U105 x: bad row" if k == "unreadable" else None) for i, k in kinds]
    folder = tmp_path_factory.mktemp("run")
    full, cut_out = folder / "full.jsonl", folder / "cut.jsonl"
    with open_writer("jsonl", str(full)) as writer:
        run_local(Flaky(), docs, writer=writer, progress=False)
    written = full.read_bytes()
    records = [json.loads(line) for line in written.splitlines()]
    assert [r["doc_id"] for r in records] == [d.doc_id for d in docs]
    assert [bool(r.get("error")) for r in records] == [d.error is not None or d.text == "boom" for d in docs]
    cut_out.write_bytes(written[: cut % (len(written) + 1)])  # killed anywhere, even mid-record
    state = resume_state(str(cut_out), "jsonl")
    with open_writer("jsonl", str(cut_out), append=True) as writer:
        run_local(Flaky(), docs, writer=writer, resume_ids=state.done, progress=False)
    assert cut_out.read_bytes() == written
