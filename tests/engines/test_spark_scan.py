"""`scan --engine spark` with --fail-over and --rows findings (real local[2] jobs, fingerprints only)."""

import json

import pytest

from unspin.cli import main

from tests.cli.test_scan import CLEAN, FINGERPRINTS, SPUN  # the local scan tests' list and texts


@pytest.fixture
def inputs(tmp_path):
    fingerprints = tmp_path / "fp.csv"
    fingerprints.write_text(FINGERPRINTS, encoding="utf-8")
    rows = [{"id": f"d{i:02d}", "text": SPUN if i % 4 == 1 else CLEAN, "doi": f"10.1/{i}"} for i in range(12)]
    rows[6] = {"id": "d06", "text": None}  # unreadable: an error row, never a failed job
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows) + "{not json\n", encoding="utf-8")
    return path, str(fingerprints)


def _scan(path, fingerprints, out, *extra):
    return main(["scan", str(path), "--no-model", "--fingerprints", fingerprints, "-q", "-o", str(out), *extra])


def _spark(*extra):
    return ["--engine", "spark", "--master", "local[2]", *extra]


def _rows(records):
    key = lambda r: (r["doc_id"], r.get("start") if r.get("start") is not None else -1)
    return sorted(records, key=key)


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_rows_findings_on_spark_equal_the_local_rows(spark_session, inputs, tmp_path, fmt):
    from unspin.engines.spark_output import read_records

    path, fingerprints = inputs
    assert _scan(path, fingerprints, tmp_path / f"local.{fmt}", "--rows", "findings") == 1  # the unreadable rows
    assert _scan(path, fingerprints, tmp_path / f"spark.{fmt}", "--rows", "findings", *_spark()) == 1
    if fmt == "jsonl":
        local = [json.loads(line) for line in (tmp_path / "local.jsonl").read_text(encoding="utf-8").splitlines()]
    else:
        import pyarrow.parquet as pq

        local = pq.read_table(tmp_path / "local.parquet").to_pylist()
    spark = read_records(str(tmp_path / f"spark.{fmt}"), fmt)
    assert _rows(spark) == _rows(local)
    hits = [r for r in spark if r["doc_id"] == "d01"]
    assert [r["observed"] for r in hits] == ["Counterfeit consciousness", "profound learning"]
    assert hits[0]["doi"] == "10.1/1" and len([r for r in spark if r["doc_id"] == "d00"]) == 1
    assert any(r.get("error") for r in spark)


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_fail_over_on_spark_exits_3_with_the_local_message(spark_session, inputs, tmp_path, capsys, fmt):
    path, fingerprints = inputs
    assert _scan(path, fingerprints, tmp_path / f"local.{fmt}", "--fail-over", "0.5") == 3
    local = capsys.readouterr().err.strip().splitlines()[-1]
    assert _scan(path, fingerprints, tmp_path / f"spark.{fmt}", "--fail-over", "0.5", *_spark()) == 3
    spark = capsys.readouterr().err.strip().splitlines()[-1]
    assert spark == local and local.startswith("unspin scan: d01 scored ") and local.endswith("> --fail-over 0.5")
    # at 1.0 nothing trips: the exit code is the unreadable rows' (1), as locally
    assert _scan(path, fingerprints, tmp_path / f"spark1.{fmt}", "--fail-over", "1.0", *_spark()) == 1


def test_fail_over_on_spark_counts_records_of_an_earlier_run(spark_session, inputs, tmp_path, capsys):
    path, fingerprints = inputs
    out = tmp_path / "scan.jsonl"
    assert _scan(path, fingerprints, out, *_spark()) == 1
    # the resumed run scans nothing new; the spun records already in OUT still trip the gate
    assert _scan(path, fingerprints, out, "--resume", "--fail-over", "0.5", *_spark()) == 3
    assert "--fail-over 0.5" in capsys.readouterr().err
