"""Issue 14 through the commands: outputs that would overwrite inputs, surrogates, resume with
duplicate ids, exit codes after resume, restore --jsonl --resume, encodings, full paths.
Each test failed before the fix it guards (scan uses fingerprints only; restore the fake engine)."""

from __future__ import annotations

import io
import json
import os
import sys

import pytest
from fakes import FakeRestorer

from unspin.cli import main

FINGERPRINTS = 'tortured_phrase,expected_phrase,num_papers\n"""counterfeit consciousness""",artificial intelligence,9\n'


@pytest.fixture(autouse=True)
def _offline_engines(monkeypatch, tmp_path):
    monkeypatch.setenv("UNSPIN_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("UNSPIN_FINGERPRINTS", raising=False)
    monkeypatch.setattr("unspin.restorer.decode.load_restorer", lambda lm="ngram", **kw: FakeRestorer())


@pytest.fixture
def fingerprints(tmp_path):
    path = tmp_path / "fp.csv"
    path.write_text(FINGERPRINTS)
    return str(path)


def scan(*args, fingerprints):
    return main(["scan", *map(str, args), "--no-model", "--fingerprints", fingerprints, "-q"])


def rows_of(path) -> list[dict]:
    return [json.loads(line) for line in open(path, encoding="utf-8")]


def write_rows(path, rows) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


# --- defect 4: output equal to input ----------------------------------------------------------


def test_scan_refuses_to_write_over_its_input_even_through_a_link(tmp_path, fingerprints, capsys):
    data = tmp_path / "s.jsonl"
    write_rows(data, [{"id": "a", "text": "counterfeit consciousness"}])
    before = data.read_bytes()
    assert scan(data, "-o", data, fingerprints=fingerprints) == 2
    link = tmp_path / "other-name.jsonl"
    os.link(data, link)
    assert scan(data, "-o", link, fingerprints=fingerprints) == 2
    assert data.read_bytes() == before
    assert "U112" in capsys.readouterr().err


def test_restore_index_learn_and_trace_refuse_to_overwrite_an_input(tmp_path, capsys):
    data = tmp_path / "same.jsonl"
    write_rows(data, [{"id": "a", "text": "The corporate fell."}])
    before = data.read_bytes()
    assert main(["restore", "--jsonl", str(data), "-o", str(data)]) == 2
    assert main(["restore", str(data.with_suffix(".jsonl")), "-o", str(data)]) == 2
    assert main(["index", "build", str(data), "-o", str(data)]) == 2
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("stated\tsaid\n")
    assert main(["learn", str(pairs), "-o", str(pairs)]) == 2
    assert pairs.read_text() == "stated\tsaid\n" and data.read_bytes() == before
    copy = tmp_path / "copy.txt"
    copy.write_text("text")
    assert main(["trace", str(copy), "--index", str(tmp_path / "none.db"), "-o", str(copy)]) == 2
    assert copy.read_text() == "text"


# --- defect 5: lone surrogates ----------------------------------------------------------------


SURROGATE_ROWS = ('{"id": "sur\\ud800", "text": "counterfeit consciousness"}\n'
                  '{"id": "b", "text": "counterfeit consciousness", "note": "x\\udc00y"}\n'
                  '{"id": "c", "text": "later line"}\n')


def test_scan_with_lone_surrogates_writes_error_records_and_resumes(tmp_path, fingerprints):
    data = tmp_path / "s.jsonl"
    data.write_text(SURROGATE_ROWS)
    out = tmp_path / "out.jsonl"
    assert scan(data, "-o", out, fingerprints=fingerprints) == 1
    records = rows_of(out)
    assert [r["doc_id"] for r in records] == [f"{data}:1", "b", "c"] and records[0]["error"].startswith("U104")
    assert scan(data, "-o", out, "--resume", fingerprints=fingerprints) == 1
    assert len(rows_of(out)) == 3


def test_restore_jsonl_with_lone_surrogates_escapes_other_fields(tmp_path):
    data = tmp_path / "s.jsonl"
    data.write_text(SURROGATE_ROWS)
    out = tmp_path / "out.jsonl"
    assert main(["restore", "--jsonl", str(data), "-o", str(out), "-q"]) == 1
    first, second, third = rows_of(out)
    assert first["error"].startswith("U104") and first["line"] == 1
    assert second["note"] == "x\udc00y" and second["restored"]  # escaped in the JSON, read back the same
    assert third["restored"] == "later line"
    out.read_bytes().decode("utf-8")  # the output is valid UTF-8


# --- defect 6: resume with duplicate ids ------------------------------------------------------


def test_resume_with_duplicate_ids_gives_exactly_the_fresh_count(tmp_path, fingerprints):
    data = tmp_path / "dup.jsonl"
    write_rows(data, [{"id": f"d{i % 7}", "text": f"text {i}"} for i in range(40)])
    fresh = tmp_path / "fresh.jsonl"
    assert scan(data, "-o", fresh, fingerprints=fingerprints) == 0
    killed = tmp_path / "killed.jsonl"
    lines = fresh.read_text().splitlines(keepends=True)
    killed.write_text("".join(lines[:23]) + lines[23][:10])  # killed mid-record
    assert scan(data, "-o", killed, "--resume", fingerprints=fingerprints) == 0
    assert len(rows_of(killed)) == len(rows_of(fresh)) == 40
    assert [r["doc_id"] for r in rows_of(killed)] == [r["doc_id"] for r in rows_of(fresh)]


# --- defect 9: exit codes and consistency -----------------------------------------------------


def test_a_resumed_scan_exits_as_the_first_run_did(tmp_path, fingerprints):
    data = tmp_path / "e.jsonl"
    data.write_text('{"id": "a", "text": "fine"}\nnot json\n{"id": "c", "text": "also fine"}\n')
    out = tmp_path / "out.jsonl"
    assert scan(data, "-o", out, fingerprints=fingerprints) == 1
    lines = out.read_text().splitlines(keepends=True)
    out.write_text("".join(lines[:2]))
    assert scan(data, "-o", out, "--resume", fingerprints=fingerprints) == 1
    assert len(rows_of(out)) == 3


def test_restore_jsonl_resume_finishes_without_duplicates(tmp_path):
    data = tmp_path / "r.jsonl"
    write_rows(data, [{"id": i, "text": f"The corporate fell {i}."} for i in range(6)])
    out = tmp_path / "out.jsonl"
    assert main(["restore", "--jsonl", str(data), "-o", str(out), "-q"]) == 0
    fresh = out.read_text()
    out.write_text("".join(fresh.splitlines(keepends=True)[:2]) + '{"doc_id": "2", "re')
    assert main(["restore", "--jsonl", str(data), "-o", str(out), "--resume", "-q"]) == 0
    assert out.read_text() == fresh
    assert rows_of(out)[0]["id"] == 0 and rows_of(out)[0]["restored"] == "The company fell 0."
    assert main(["restore", str(tmp_path / "x.txt"), "--resume"]) != 0


def test_invalid_utf8_is_u104_in_restore_and_scan_alike(tmp_path, fingerprints, capsys):
    data = tmp_path / "b.jsonl"
    data.write_bytes(b'{"id": "a", "text": "caf\xe9"}\n{"id": "b", "text": "ok"}\n')
    scanned, restored = tmp_path / "s.jsonl", tmp_path / "r.jsonl"
    assert scan(data, "-o", scanned, fingerprints=fingerprints) == 1
    assert main(["restore", "--jsonl", str(data), "-o", str(restored), "-q"]) == 1
    assert rows_of(scanned)[0]["error"][:4] == rows_of(restored)[0]["error"][:4] == "U104"


def test_utf16_with_bom_on_stdin_and_in_files_for_restore_and_trace(tmp_path, monkeypatch, capsys):
    text = "The corporate fell.".encode("utf-16")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text)))
    assert main(["restore", "-"]) == 0
    assert capsys.readouterr().out.strip() == "The company fell."
    path = tmp_path / "u16.txt"
    path.write_bytes(text)
    assert main(["restore", str(path)]) == 0
    assert capsys.readouterr().out.strip() == "The company fell."
    from unspin.cli.trace import read_input

    assert read_input(str(path)) == "The corporate fell."


def test_too_large_names_an_option_that_exists_and_errors_name_the_full_path(tmp_path, capsys):
    path = tmp_path / "deep" / "big.txt"
    path.parent.mkdir()
    path.write_text("The corporate fell. " * 20)
    assert main(["restore", str(path), "--max-bytes", "50"]) == 1
    err = capsys.readouterr().err
    assert "U106" in err and str(path) in err and "--max-bytes" in err
    bad = tmp_path / "deep" / "bin.txt"
    bad.write_bytes(b"\x00\x01")
    assert main(["restore", str(bad)]) == 1
    assert str(bad) in capsys.readouterr().err


def test_stdin_is_bounded_for_restore(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"x" * 200_000)))
    assert main(["restore", "-", "--max-bytes", "1000"]) == 1
    assert "U106" in capsys.readouterr().err


def test_index_build_skips_unreadable_rows_and_exits_1(tmp_path, capsys):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"id": "a", "text": "A reference text about markets."}\nnot json\n')
    lexicon = tmp_path / "lex.tsv.gz"
    import gzip

    with gzip.open(lexicon, "wt") as fh:
        fh.write("marketplace\tmarket\tmoby\t0.5\n")
    out = tmp_path / "i.db"
    assert main(["index", "build", str(corpus), "-o", str(out), "--lexicon", str(lexicon), "--format", "json", "-q"]) == 1
    stats = json.loads(capsys.readouterr().out)
    assert (stats["documents"], stats["errors"]) == (1, 1) and out.exists()
    assert not (tmp_path / ".i.db.partial").exists()


def test_an_output_that_cannot_be_opened_is_u113_not_a_traceback(tmp_path, fingerprints, capsys):
    data = tmp_path / "s.jsonl"
    write_rows(data, [{"id": "a", "text": "fine"}])
    target = tmp_path / "no-such-folder" / "out.jsonl"
    assert scan(data, "-o", target, fingerprints=fingerprints) == 1
    err = capsys.readouterr().err
    assert "U113" in err and str(target) in err and "Traceback" not in err
