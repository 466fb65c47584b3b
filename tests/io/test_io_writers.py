"""unspin.io.writers: round trips, flattening, append/resume safety, interrupted output."""

from __future__ import annotations

import csv
import json

import pytest

from unspin.io import format_from_path, open_writer
from unspin.io.writers import scan_csv, scan_jsonl
from unspin.types import Alternative, DocReport, Finding, FindingKind, Span


def report(doc_id: str = "d1", error: str | None = None) -> dict:
    finding = Finding(
        span=Span(4, 13),
        observed="corporate",
        suggestion="company",
        kind=FindingKind.MODEL,
        confidence=0.91,
        alternatives=(Alternative("firm", 0.06),),
        evidence={"lm_gain": 3.2},
        rule="moby",
    )
    findings = () if error else (finding,)
    return DocReport(doc_id, 0.97, True, 9, findings, 111.1, error=error).to_dict()


RECORDS = [report("d1"), report("d2"), {"doc_id": "d3", "error": "U101 d3: binary file"}, report("d4", "U102 d4: empty")]
PLAIN = json.loads(json.dumps(RECORDS))  # what comes back: tuples read back as lists


def write_all(fmt: str, path, records=RECORDS, **kwargs) -> None:
    with open_writer(fmt, str(path), **kwargs) as writer:
        for record in records:
            writer.write(record)


def test_jsonl_round_trip(tmp_path):
    path = tmp_path / "out.jsonl"
    write_all("jsonl", path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == PLAIN


def test_jsonl_keeps_unicode_and_serialises_enums_and_dataclasses(tmp_path):
    path = tmp_path / "out.jsonl"
    write_all("jsonl", path, [{"doc_id": "é", "kind": FindingKind.MODEL, "span": Span(1, 2), "ids": {"b"}}])
    text = path.read_text(encoding="utf-8")
    assert '"é"' in text
    assert json.loads(text) == {"doc_id": "é", "kind": "model", "span": {"start": 1, "end": 2}, "ids": ["b"]}


def test_jsonl_flushes_every_line(tmp_path):
    path = tmp_path / "out.jsonl"
    writer = open_writer("jsonl", str(path))
    writer.write(RECORDS[0])
    assert json.loads(path.read_text()) == PLAIN[0]  # on disk before close
    writer.close()
    writer.close()  # idempotent


def test_json_is_one_array_written_on_close(tmp_path):
    path = tmp_path / "out.json"
    writer = open_writer("json", str(path))
    writer.write(RECORDS[0])
    assert not path.exists()
    writer.close()
    assert json.loads(path.read_text()) == [PLAIN[0]]


def test_json_is_valid_after_keyboard_interrupt(tmp_path):
    path = tmp_path / "out.json"
    with pytest.raises(KeyboardInterrupt):
        with open_writer("json", str(path)) as writer:
            writer.write(RECORDS[0])
            raise KeyboardInterrupt
    assert json.loads(path.read_text()) == [PLAIN[0]]


def test_json_empty_run_is_an_empty_array(tmp_path):
    path = tmp_path / "out.json"
    write_all("json", path, [])
    assert json.loads(path.read_text()) == []


def test_csv_flattens_nested_values(tmp_path):
    path = tmp_path / "out.csv"
    write_all("csv", path)
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["doc_id"] for r in rows] == ["d1", "d2", "d3", "d4"]
    assert list(rows[0]) == list(RECORDS[0])
    assert json.loads(rows[0]["findings"]) == PLAIN[0]["findings"]
    assert rows[0]["spun"] == "true" and float(rows[0]["spin_probability"]) == 0.97
    assert rows[2]["error"] == "U101 d3: binary file" and rows[2]["findings"] == ""
    assert rows[0]["error"] == ""


def test_csv_error_records_first_do_not_fix_a_short_header(tmp_path):
    path = tmp_path / "out.csv"
    write_all("csv", path, [RECORDS[2], RECORDS[0]])
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == list(RECORDS[0])
    assert [r["doc_id"] for r in rows] == ["d3", "d1"]


def test_csv_only_error_records(tmp_path):
    path = tmp_path / "out.csv"
    write_all("csv", path, [RECORDS[2]])
    assert path.read_text() == "doc_id,error\nd3,U101 d3: binary file\n"


def test_csv_extra_keys_warn(tmp_path):
    path = tmp_path / "out.csv"
    with pytest.warns(UserWarning, match="no column"):
        write_all("csv", path, [{"doc_id": "a", "x": 1}, {"doc_id": "b", "x": 2, "y": 3}])
    assert path.read_text() == "doc_id,x\na,1\nb,2\n"


def test_csv_text_with_newlines_and_quotes_round_trips(tmp_path):
    path = tmp_path / "out.csv"
    record = {"doc_id": "r", "text": 'line one\nline "two", with comma', "restored": "x\r\ny"}
    write_all("csv", path, [record])
    header, rows, end = scan_csv(str(path))
    assert header == ["doc_id", "text", "restored"] and rows == [record] and end == path.stat().st_size


def test_parquet_round_trip(tmp_path):
    import pyarrow.parquet as pq

    path = tmp_path / "out.parquet"
    write_all("parquet", path)
    rows = pq.read_table(str(path)).to_pylist()
    assert [r["doc_id"] for r in rows] == ["d1", "d2", "d3", "d4"]
    (finding,) = rows[0]["findings"]  # a nested list<struct> column, not a JSON string
    assert (finding["start"], finding["end"], finding["observed"], finding["suggestion"]) == (4, 13, "corporate", "company")
    assert finding["alternatives"] == [{"text": "firm", "score": 0.06}] and json.loads(finding["evidence"]) == {"lm_gain": 3.2}
    assert rows[3]["findings"] == []
    assert rows[2]["spin_probability"] is None and rows[2]["error"].startswith("U101")
    schema = pq.read_schema(str(path))
    assert str(schema.field("findings").type).startswith("list<element: struct<start: int64")


def test_parquet_mixed_types_fall_back_to_strings(tmp_path):
    import pyarrow.parquet as pq

    path = tmp_path / "out.parquet"
    write_all("parquet", path, [{"doc_id": "a", "v": 1}, {"doc_id": "b", "v": "two"}])
    assert pq.read_table(str(path)).to_pylist() == [{"doc_id": "a", "v": "1"}, {"doc_id": "b", "v": "two"}]


@pytest.mark.parametrize("fmt", ["json", "parquet"])
def test_buffered_formats_append_by_rewriting(tmp_path, fmt):
    from unspin.pipeline import completed_ids

    path = tmp_path / f"out.{fmt}"
    write_all(fmt, path, RECORDS[:2])
    write_all(fmt, path, RECORDS[2:], append=True)
    assert completed_ids(str(path), fmt) == {"d1", "d2", "d3", "d4"}


def test_jsonl_append_cuts_a_half_written_last_line(tmp_path):
    path = tmp_path / "out.jsonl"
    write_all("jsonl", path, RECORDS[:2])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 10])  # a kill in the middle of the second line
    assert [r["doc_id"] for r in scan_jsonl(str(path))[0]] == ["d1"]
    write_all("jsonl", path, RECORDS[1:], append=True)
    assert [json.loads(line)["doc_id"] for line in path.read_text().splitlines()] == ["d1", "d2", "d3", "d4"]


def test_csv_append_keeps_header_and_cuts_a_half_written_row(tmp_path):
    path = tmp_path / "out.csv"
    write_all("csv", path, RECORDS[:2])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 30])
    header, rows, _ = scan_csv(str(path))
    assert [r["doc_id"] for r in rows] == ["d1"]
    write_all("csv", path, RECORDS[1:], append=True)
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["doc_id"] for r in rows] == ["d1", "d2", "d3", "d4"] and list(rows[0]) == header


def test_csv_cut_inside_a_quoted_multiline_field(tmp_path):
    path = tmp_path / "out.csv"
    write_all("csv", path, [{"doc_id": "a", "text": "one"}, {"doc_id": "b", "text": "two\nlines"}])
    data = path.read_bytes()
    path.write_bytes(data[: data.index(b"two\n") + 4])  # ends with a newline, but inside quotes
    assert [r["doc_id"] for r in scan_csv(str(path))[1]] == ["a"]


def test_stdout_writer(capsys):
    with open_writer("jsonl", None) as writer:
        writer.write({"doc_id": "a"})
    with open_writer("json", "-") as writer:
        writer.write({"doc_id": "b"})
    out = capsys.readouterr().out
    assert out.startswith('{"doc_id": "a"}\n') and json.loads(out.split("\n", 1)[1]) == [{"doc_id": "b"}]


def test_unknown_format_and_closed_writer(tmp_path):
    with pytest.raises(ValueError, match="jsonl, csv, parquet, json"):
        open_writer("xml", None)
    writer = open_writer("jsonl", str(tmp_path / "o.jsonl"))
    writer.close()
    with pytest.raises(ValueError):
        writer.write({})


@pytest.mark.parametrize(
    ("path", "fmt"),
    [("a.csv", "csv"), ("a.JSONL", "jsonl"), ("a.parquet", "parquet"), ("a.json", "json"), ("-", "jsonl"), (None, "jsonl"), ("a.txt", "jsonl")],
)
def test_format_from_path(path, fmt):
    assert format_from_path(path) == fmt
