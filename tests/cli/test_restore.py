"""`unspin restore` through main(), with the engine replaced by the fake restorer."""

import json

import pytest
from fakes import FakeRestorer

from unspin.cli import main


@pytest.fixture(autouse=True)
def fake_engine(monkeypatch):
    monkeypatch.setattr("unspin.restorer.decode.load_restorer", lambda lm="ngram", **kw: FakeRestorer())


def test_text_and_diff_formats(tmp_path, capsys):
    path = tmp_path / "a.txt"
    path.write_text("The corporate fell 4 p.c. today.")
    assert main(["restore", str(path)]) == 0
    assert capsys.readouterr().out.strip() == "The company fell 4 percent today."
    assert main(["restore", str(path), "--format", "diff"]) == 0
    assert capsys.readouterr().out.strip() == "The [corporate→company] fell 4 [p.c.→percent] today."


def test_json_format_has_offsets_and_evidence(tmp_path, capsys):
    path = tmp_path / "a.txt"
    path.write_text("Gross sales rose.")
    main(["restore", str(path), "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    edit = data["edits"][0]
    assert (edit["start"], edit["end"], edit["original"]) == (0, 11, "Sales")
    assert {"confidence", "alternatives", "evidence"} <= edit.keys()


def test_html_format_is_a_standalone_page(tmp_path, capsys):
    path = tmp_path / "a.txt"
    path.write_text("The corporate <b> fell.")
    main(["restore", str(path), "--format", "html"])
    page = capsys.readouterr().out
    assert page.startswith("<!doctype html>") and "<mark" in page and "&lt;b&gt;" in page
    assert "http" not in page  # nothing external


def test_stdin(monkeypatch, capsys):
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"The corporate fell.")))
    assert main(["restore", "-"]) == 0
    assert "company" in capsys.readouterr().out


def test_jsonl_keeps_fields_and_loses_no_line(tmp_path, capsys):
    path = tmp_path / "docs.jsonl"
    path.write_text('{"id": 1, "text": "The corporate fell."}\nnot json\n{"id": 3}\n')
    out = tmp_path / "out.jsonl"
    assert main(["restore", "--jsonl", str(path), "-o", str(out)]) == 1  # like scan: rows in error
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 3
    assert rows[0]["id"] == 1 and rows[0]["restored"] == "The company fell." and rows[0]["edits"]
    assert rows[1]["error"].startswith("U105") and "docs.jsonl:2" in rows[1]["error"]
    assert rows[2]["error"].startswith("U109")


def test_a_jsonl_batch_predicts_with_lightgbm_from_its_first_row_and_one_document_does_not(tmp_path, monkeypatch):
    from unspin.model import trees

    asked = []
    monkeypatch.setattr(trees, "prefer_lightgbm", lambda: asked.append(True))
    single = tmp_path / "a.txt"
    single.write_text("The corporate fell.")
    assert main(["restore", str(single)]) == 0 and asked == []
    batch = tmp_path / "docs.jsonl"
    batch.write_text('{"id": 1, "text": "The corporate fell."}\n')
    assert main(["restore", "--jsonl", str(batch), "-o", str(tmp_path / "out.jsonl")]) == 0 and asked == [True]


@pytest.mark.parametrize(
    "content,code",
    [(b"", "U102"), (b"\x00\x01\x02binary", "U101"), (b"caf\xe9 au lait \xff\xfa more", "U104")],
    ids=["empty", "binary", "bad-encoding"],
)
def test_bad_input_exits_1_naming_it(tmp_path, capsys, content, code):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    assert main(["restore", str(path)]) == 1
    err = capsys.readouterr().err
    assert code in err and "bad.txt" in err


def test_missing_file_and_bad_usage(capsys):
    assert main(["restore", "/nonexistent/file.txt"]) == 1
    assert "file.txt" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["restore", "x.txt", "--format", "pdf"])
    assert exit_.value.code == 2


def test_quiet_and_progress(tmp_path, capsys):
    path = tmp_path / "a.txt"
    path.write_text("The corporate fell.")
    assert main(["restore", str(path), "-q"]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == "The company fell." and captured.err == ""
    assert main(["restore", str(path), "--progress"]) == 0
    err = capsys.readouterr().err
    assert "restoring 3 words" in err and "1 edit in" in err


def test_fingerprint_list_feeds_restore(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("unspin.restorer.decode.load_restorer", lambda lm="ngram", **kw: FakeRestorer({"corporate": "company"}))
    listed = tmp_path / "pps.csv"
    listed.write_text('tortured_phrase,expected_phrase,num_papers\n"counterfeit consciousness",artificial intelligence,12\n')
    path = tmp_path / "a.txt"
    path.write_text("The corporate built a counterfeit consciousness unit.")
    assert main(["restore", str(path), "--no-fingerprints", "-q"]) == 0
    assert "counterfeit consciousness" in capsys.readouterr().out
    assert main(["restore", str(path), "--fingerprints", str(listed), "-q", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["restored"] == "The company built an artificial intelligence unit."
    assert [e["evidence"]["sources"] for e in data["edits"]] == [["fake"], ["fingerprint"]]
    assert main(["restore", str(path), "--fingerprints", str(tmp_path / "none.csv")]) == 1
    assert "none.csv" in capsys.readouterr().err


def test_readme_help_and_docstring_give_one_speed_figure(capsys):
    import re
    from pathlib import Path

    import unspin

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    with pytest.raises(SystemExit):
        main(["restore", "--help"])
    helptext = " ".join(capsys.readouterr().out.split())
    figures = {re.search(r"about (\d+)x (?:faster|slower)", text).group(1) for text in (readme, helptext, unspin.restore.__doc__)}
    assert len(figures) == 1


@pytest.mark.parametrize("argv", [
    ["restore", "a.txt"], ["scan", "a.txt"], ["trace", "a.txt", "--index", "i.db"], ["index", "build", "c", "-o", "i.db"],
    ["index", "add", "i.db", "c"], ["learn", "x.jsonl", "-o", "l.tsv"], ["setup"],
])
def test_every_working_subcommand_takes_quiet_and_progress(argv):
    from unspin.cli import build_parser

    parser = build_parser()
    assert parser.parse_args(argv + ["-q"]).quiet is True
    assert parser.parse_args(argv + ["--progress"]).progress is True


@pytest.mark.parametrize("args, message", [
    (["--spun-threshold", "0"], "probability in (0, 1]"),
    (["--spun-threshold", "0.5", "--lm", "smollm2"], "site model only"),
    (["--spun-threshold", "0.5", "--no-document-prior"], "leave out --no-document-prior"),
])
def test_spun_threshold_usage_errors(tmp_path, capsys, args, message):
    path = tmp_path / "a.txt"
    path.write_text("The corporate stated sales fell.")
    assert main(["restore", str(path), *args]) == 2
    assert message in capsys.readouterr().err
