"""`unspin scan`: formats, exit codes, --fail-over, --resume, --jobs (fingerprints + FakeRestorer)."""

from __future__ import annotations

import json

import pytest

from unspin.cli import main

FINGERPRINTS = (
    "tortured_phrase,expected_phrase,num_papers\n"
    '"""counterfeit consciousness""",artificial intelligence,99\n'
    '"""profound learning"" AND ""deep learning""",deep learning,10\n'
)
SPUN = "Counterfeit consciousness and profound learning are hot; deep learning too."
CLEAN = "The weather was calm and the harbour was quiet all day long."


@pytest.fixture(autouse=True)
def _private_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("UNSPIN_HOME", str(tmp_path / "unspin-home"))
    monkeypatch.delenv("UNSPIN_FINGERPRINTS", raising=False)


@pytest.fixture
def fingerprints(tmp_path):
    path = tmp_path / "fp.csv"
    path.write_text(FINGERPRINTS, encoding="utf-8")
    return str(path)


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a_spun.txt").write_text(SPUN, encoding="utf-8")
    (folder / "b_clean.txt").write_text(CLEAN, encoding="utf-8")
    return folder


def _jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_fingerprint_scan_to_stdout(corpus, fingerprints, capsys):
    assert main(["scan", str(corpus), "--no-model", "--fingerprints", fingerprints, "-q"]) == 0
    records = _jsonl(capsys.readouterr().out)
    assert [r["doc_id"].rsplit("/", 1)[-1] for r in records] == ["a_spun.txt", "b_clean.txt"]
    spun, clean = records
    assert [f["suggestion"] for f in spun["findings"]] == ["Artificial intelligence", "deep learning"]
    assert spun["spun"] and not clean["spun"] and clean["findings"] == []
    assert spun["findings"][0]["span"] == {"start": 0, "end": 25}


def test_model_scan_uses_the_engine(corpus, monkeypatch, capsys, fake_screener):
    monkeypatch.setattr("unspin.scanner.screen.load_screener", lambda: fake_screener)
    (corpus / "c_news.txt").write_text("The corporate said gross sales fell.", encoding="utf-8")
    assert main(["scan", str(corpus / "c_news.txt"), "--no-fingerprints", "-q"]) == 0
    (record,) = _jsonl(capsys.readouterr().out)
    assert [(f["observed"], f["suggestion"], f["kind"]) for f in record["findings"]] == [
        ("corporate", "company", "model"), ("gross sales", "sales", "model")]


def test_thorough_scan_takes_findings_from_the_restorer(corpus, monkeypatch, capsys, fake_screener):
    from fakes import FakeRestorer

    monkeypatch.setattr("unspin.scanner.screen.load_screener", lambda: fake_screener)
    monkeypatch.setattr("unspin.restorer.decode.load_restorer", lambda lm, **kw: FakeRestorer({"corporate": "firm"}))
    (corpus / "c_news.txt").write_text("The corporate said gross sales fell.", encoding="utf-8")
    assert main(["scan", str(corpus / "c_news.txt"), "--no-fingerprints", "--thorough", "-q"]) == 0
    (record,) = _jsonl(capsys.readouterr().out)
    assert [(f["observed"], f["suggestion"]) for f in record["findings"]] == [("corporate", "firm")]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "json", "parquet"])
def test_output_formats(corpus, fingerprints, tmp_path, fmt):
    out = tmp_path / f"out.{fmt}"
    assert main(["scan", str(corpus), "--no-model", "--fingerprints", fingerprints, "-q", "-o", str(out)]) == 0
    from unspin.pipeline import completed_ids

    assert len(completed_ids(str(out), fmt)) == 2


def test_html_report(corpus, fingerprints, tmp_path):
    out = tmp_path / "report.html"
    assert main(["scan", str(corpus), "--no-model", "--fingerprints", fingerprints, "-q", "-o", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<mark" in html and "Counterfeit consciousness" in html


@pytest.mark.parametrize("limit, code", [(0.5, 3), (1.0, 0)])
def test_fail_over(corpus, fingerprints, limit, code):
    argv = ["scan", str(corpus), "--no-model", "--fingerprints", fingerprints, "-q", "-o", "-", "--fail-over", str(limit)]
    assert main(argv) == code


def test_resume_finishes_without_duplicates(tmp_path, fingerprints):
    rows = tmp_path / "rows.jsonl"
    rows.write_text("".join(json.dumps({"id": f"d{i}", "text": SPUN if i % 2 else CLEAN}) + "\n" for i in range(20)))
    out = tmp_path / "scan.jsonl"
    assert main(["scan", str(rows), "--no-model", "--fingerprints", fingerprints, "-q", "-o", str(out)]) == 0
    lines = out.read_text().splitlines()
    out.write_text("\n".join(lines[:7]) + "\n" + lines[7][:30])  # a run killed mid-record
    assert main(["scan", str(rows), "--no-model", "--fingerprints", fingerprints, "-q", "-o", str(out), "--resume"]) == 0
    ids = [r["doc_id"] for r in _jsonl(out.read_text())]
    assert sorted(ids) == sorted(f"d{i}" for i in range(20)) and len(ids) == 20


def test_resume_keeps_fail_over_from_earlier_records(tmp_path, fingerprints):
    rows = tmp_path / "rows.jsonl"
    rows.write_text(json.dumps({"id": "s", "text": SPUN}) + "\n" + json.dumps({"id": "c", "text": CLEAN}) + "\n")
    out = tmp_path / "scan.jsonl"
    main(["scan", str(rows), "--no-model", "--fingerprints", fingerprints, "-q", "-o", str(out)])
    out.write_text(out.read_text().splitlines()[0] + "\n")
    argv = ["scan", str(rows), "--no-model", "--fingerprints", fingerprints, "-q", "-o", str(out), "--resume", "--fail-over", "0.5"]
    assert main(argv) == 3


def test_jobs_two(tmp_path, fingerprints):
    rows = tmp_path / "rows.csv"
    rows.write_text("key,body\n" + "".join(f"k{i},{SPUN if i % 3 == 0 else CLEAN}\n" for i in range(12)))
    out = tmp_path / "scan.jsonl"
    argv = ["scan", str(rows), "--no-model", "--fingerprints", fingerprints, "-q", "-o", str(out),
            "--jobs", "2", "--text-field", "body", "--id-field", "key"]
    assert main(argv) == 0
    records = _jsonl(out.read_text())
    assert [r["doc_id"] for r in records] == [f"k{i}" for i in range(12)]
    assert [r["spun"] for r in records] == [i % 3 == 0 for i in range(12)]


def test_unreadable_document_gets_an_error_record(corpus, fingerprints, capsys):
    (corpus / "c_binary.txt").write_bytes(b"\x00\x01\x02binary")
    assert main(["scan", str(corpus), "--no-model", "--fingerprints", fingerprints, "-q"]) == 1
    records = _jsonl(capsys.readouterr().out)
    assert len(records) == 3 and records[2]["error"].startswith("U1")


def test_output_inside_the_scanned_folder_is_not_scanned(corpus, fingerprints):
    out = corpus / "scan.jsonl"
    argv = ["scan", str(corpus), "--no-model", "--fingerprints", fingerprints, "-q", "-o", str(out)]
    assert main(argv) == 0
    assert main(argv + ["--resume"]) == 0
    assert len(_jsonl(out.read_text())) == 2


@pytest.mark.parametrize(
    "extra, code",
    [
        (["--resume"], 2),  # no -o
        (["--no-fingerprints"], 2),  # with --no-model: nothing to scan with
        (["--fail-over", "1.5"], 2),
        (["--jobs", "0"], 2),
        (["--fingerprints", "/no/such/list.csv"], 1),
    ],
)
def test_usage_and_input_errors(corpus, extra, code):
    assert main(["scan", str(corpus), "--no-model", "-q"] + extra) == code


def test_missing_input_path(fingerprints, tmp_path):
    assert main(["scan", str(tmp_path / "nope"), "--no-model", "--fingerprints", fingerprints, "-q"]) == 1


@pytest.fixture
def papers(tmp_path):
    path = tmp_path / "papers.jsonl"
    rows = [{"id": "p1", "doi": "10.1/abc", "title": "On minds", "text": SPUN},
            {"id": "p2", "doi": "10.1/def", "title": "Harbours", "text": CLEAN}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv"])
def test_input_fields_are_carried_through_every_format(papers, fingerprints, tmp_path, fmt):
    out = tmp_path / f"out.{fmt}"
    assert main(["scan", str(papers), "--no-model", "--fingerprints", fingerprints, "-q", "-o", str(out)]) == 0
    text = out.read_text()
    assert "10.1/abc" in text and "On minds" in text and "10.1/def" in text


def test_csv_one_row_per_finding_as_pps_exports(papers, fingerprints, tmp_path):
    import csv

    out = tmp_path / "findings.csv"
    assert main(["scan", str(papers), "--no-model", "--fingerprints", fingerprints, "-q",
                 "--format", "csv", "--rows", "findings", "-o", str(out)]) == 0
    rows = list(csv.DictReader(out.open()))
    hits = [r for r in rows if r["doc_id"] == "p1"]
    assert [(r["observed"], r["suggestion"]) for r in hits] == [
        ("Counterfeit consciousness", "Artificial intelligence"), ("profound learning", "deep learning")]
    first = hits[0]
    assert (first["doi"], first["title"], first["num_papers"], first["kind"]) == ("10.1/abc", "On minds", "99", "fingerprint")
    assert SPUN[int(first["start"]):int(first["end"])] == "Counterfeit consciousness"
    assert first["message"].startswith("Known tortured phrase for 'Artificial intelligence'")
    assert float(first["confidence"]) > 0.5 and "counterfeit consciousness" in first["rule"]
    (clean,) = [r for r in rows if r["doc_id"] == "p2"]  # a document without findings keeps its row
    assert clean["observed"] == "" and clean["doi"] == "10.1/def"
