"""One versioned JSON schema: real outputs of restore, scan, trace and the API validate against
the JSON Schema files shipped in the package, and use the same field names."""

from __future__ import annotations

import json

import pytest

from fakes import FakeRestorer
from unspin.cli import main
from unspin.schema import SCHEMA_VERSION, load_schema, schema_path

jsonschema = pytest.importorskip("jsonschema")

SPUN = "The corporate said counterfeit consciousness would lift gross sales."
LIST = 'tortured_phrase,expected_phrase,num_papers\n"""counterfeit consciousness""",artificial intelligence,12\n'
SHARED = {"start", "end", "observed", "suggestion", "confidence", "kind", "alternatives", "message", "short_message"}


def validate(kind: str, record: dict) -> None:
    jsonschema.Draft202012Validator.check_schema(load_schema(kind))
    jsonschema.validate(record, load_schema(kind), cls=jsonschema.Draft202012Validator)
    assert record["schema_version"] == SCHEMA_VERSION


@pytest.fixture(autouse=True)
def fakes(monkeypatch, tmp_path):
    monkeypatch.setenv("UNSPIN_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("UNSPIN_FINGERPRINTS", raising=False)
    monkeypatch.setattr("unspin.restorer.decode.load_restorer", lambda lm="ngram", **kw: FakeRestorer())


def test_schema_files_ship_in_the_package():
    for kind in ("restore", "scan", "trace"):
        assert schema_path(kind).is_file()
    import tomllib
    from pathlib import Path

    data = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
    assert "data/schema/*.json" in data["tool"]["setuptools"]["package-data"]["unspin"]


def test_restore_json_and_jsonl(tmp_path, capsys):
    doc = tmp_path / "a.txt"
    doc.write_text(SPUN)
    assert main(["restore", str(doc), "--format", "json", "-q"]) == 0
    record = json.loads(capsys.readouterr().out)
    validate("restore", record)
    assert SHARED <= set(record["edits"][0]) and record["edits"][0]["original"] == record["edits"][0]["suggestion"]
    lines = tmp_path / "docs.jsonl"
    lines.write_text(json.dumps({"id": 1, "text": SPUN}) + "\nnot json\n")
    assert main(["restore", "--jsonl", str(lines), "-q"]) == 1  # a bad row: exit 1, as scan does
    for line in capsys.readouterr().out.splitlines():
        validate("restore", json.loads(line))


def test_scan_jsonl_including_an_error_record(tmp_path, capsys, fake_screener, monkeypatch):
    monkeypatch.setattr("unspin.scanner.screen.load_screener", lambda: fake_screener)
    fp = tmp_path / "fp.csv"
    fp.write_text(LIST)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.txt").write_text(SPUN)
    (tmp_path / "docs" / "b.txt").write_bytes(b"\x00\x01binary")
    assert main(["scan", str(tmp_path / "docs"), "--fingerprints", str(fp), "-q"]) == 1
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(records) == 2
    for record in records:
        validate("scan", record)
    findings = records[0]["findings"]
    assert all(SHARED <= set(f) for f in findings)
    assert {f["kind"] for f in findings} == {"fingerprint", "model"}


def test_trace_json(tmp_path, capsys):
    from unspin.corpora import news_articles
    import itertools

    docs = list(itertools.islice(news_articles(), 5))
    corpus = tmp_path / "refs.jsonl"
    corpus.write_text("".join(json.dumps({"id": d.doc_id, "text": d.text}) + "\n" for d in docs))
    index = tmp_path / "refs.db"
    assert main(["index", "build", str(corpus), "-o", str(index), "-q", "--format", "json"]) == 0
    copy = tmp_path / "copy.txt"
    copy.write_text(docs[2].text.replace(" said ", " stated ", 3))
    capsys.readouterr()
    assert main(["trace", str(copy), "--index", str(index), "--format", "json", "--no-restore"]) == 0
    record = json.loads(capsys.readouterr().out)
    validate("trace", record)
    swaps = record["alignment"]["swaps"]
    assert swaps and {"start", "end", "observed", "suggestion"} <= set(swaps[0])


def test_api_restore_and_scan(fake_restorer):
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from unspin.serve.app import create_app
    from unspin.serve.settings import ServeSettings
    from unspin.types import DocReport, Finding, FindingKind

    def scan(text: str) -> DocReport:
        edits = fake_restorer.restore(text).edits
        return DocReport("", 0.9, True, 9, tuple(Finding(e.span, e.observed, e.original, FindingKind.MODEL, 0.9,
                                                         e.alternatives, {}, "screen:moby") for e in edits), 300.0)

    with TestClient(create_app(fake_restorer, scan, ServeSettings()), base_url="http://127.0.0.1:8000") as client:
        restored = client.post("/api/restore", json={"text": SPUN}).json()
        scanned = client.post("/api/scan", json={"text": SPUN}).json()
    validate("restore", restored)
    validate("scan", {**scanned, "doc_id": scanned.get("doc_id") or ""})
    assert set(restored["edits"][0]) & SHARED == set(scanned["findings"][0]) & SHARED == SHARED
