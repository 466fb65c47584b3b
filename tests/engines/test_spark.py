"""Real local[2] Spark jobs: the same records as the local runner, errors kept, reruns idempotent."""

import json
import sys

import pytest

from unspin.io.writers import open_writer
from unspin.pipeline import run_local
from unspin.types import Document


class WordsStep:
    """A cheap step with a nested value, a float and a flag; it fails on the word "poison"."""

    def __init__(self) -> None:
        self.loads = 0
        self._engine = None

    def __getstate__(self):
        return {"loads": 0, "_engine": None}

    def __call__(self, doc: Document) -> dict:
        if self._engine is None:
            self._engine = str.split
            self.loads += 1
        if "poison" in doc.text:
            raise ValueError("poisoned row")
        words = self._engine(doc.text)
        return {"doc_id": doc.doc_id, "words": len(words), "ratio": len(words) / 7, "long": len(words) > 3,
                "first": {"word": words[0] if words else None}, "meta": doc.meta, "loads": self.loads}


@pytest.fixture(autouse=True)
def _steps_travel_by_value(spark_session):
    from pyspark import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def crawl(tmp_path, n=40):
    rows = [{"id": f"d{i}", "text": f"document {i} says " + "word " * (i % 5), "lang": "en"} for i in range(n)]
    rows[7]["text"] = "a poison pill"
    rows[11] = {"id": "d11", "text": None}  # unreadable row: an input error record
    rows[13] = {"text": "no id here"}  # falls back to path:line
    return write_jsonl(tmp_path / "crawl.jsonl", rows)


def local_records(step, inputs, fmt="jsonl", tmp=None):
    from unspin.io.readers import iter_documents

    out = tmp / f"local.{fmt}"
    with open_writer(fmt, str(out)) as writer:
        run_local(step, iter_documents([str(p) for p in inputs]), writer=writer, progress=False)
    if fmt == "jsonl":
        return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    import pyarrow.parquet as pq

    return pq.read_table(out).to_pylist()


def spark_records(spark, step, inputs, out, fmt, **kw):
    from unspin.engines.spark import run_on_spark
    from unspin.engines.spark_output import read_records

    stats = run_on_spark(spark, step, [str(p) for p in inputs], str(out), fmt=fmt, **kw)
    return stats, read_records(str(out), fmt)


def by_id(records):
    return {r["doc_id"]: r for r in records}


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_records_equal_the_local_runner(spark_session, tmp_path, fmt):
    path = crawl(tmp_path)
    local = local_records(WordsStep(), [path], fmt, tmp_path)
    stats, spark = spark_records(spark_session, WordsStep(), [path], tmp_path / f"out.{fmt}", fmt)
    assert len(spark) == len(local) == 40
    assert by_id(_without_loads(spark)) == by_id(_without_loads(local))
    assert stats.documents == 40 and stats.errors == 2
    if fmt == "parquet":
        import pyarrow.parquet as pq

        local_schema = pq.read_schema(tmp_path / "local.parquet")
        spark_schema = pq.read_table(str(tmp_path / "out.parquet")).schema
        assert spark_schema.names == local_schema.names
        assert [str(t) for t in spark_schema.types] == [str(t) for t in local_schema.types]


def _without_loads(records):
    return [{k: v for k, v in r.items() if k != "loads"} for r in records]


def test_poisoned_row_becomes_an_error_record(spark_session, tmp_path):
    _, records = spark_records(spark_session, WordsStep(), [crawl(tmp_path)], tmp_path / "out", "jsonl")
    poisoned = by_id(records)["d7"]
    assert {k: v for k, v in poisoned.items() if k != "schema_version"} == {
        "doc_id": "d7", "error": "U000 d7: step failed: ValueError: poisoned row"}
    unreadable = by_id(records)[f"{tmp_path / 'crawl.jsonl'}:12"]  # a null text: an input error
    assert unreadable["error"].startswith("U1") and "null" in unreadable["error"]
    assert f"{tmp_path / 'crawl.jsonl'}:14" in by_id(records)  # a row without an id


def test_engine_loads_once_per_worker_not_per_row(spark_session, tmp_path):
    stats, records = spark_records(spark_session, WordsStep(), [crawl(tmp_path)], tmp_path / "out", "jsonl")
    assert max(r.get("loads", 0) for r in records) == 1
    loaded = [p for p in stats.partitions if p.load_seconds is not None]
    assert 1 <= len(loaded) <= len({p.pid for p in stats.partitions})
    assert all(p.peak_rss_mb > 0 for p in stats.partitions)


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_rerun_over_the_same_output_is_idempotent(spark_session, tmp_path, fmt):
    path, out = crawl(tmp_path), tmp_path / f"out.{fmt}"
    _, first = spark_records(spark_session, WordsStep(), [path], out, fmt)
    stats, again = spark_records(spark_session, WordsStep(), [path], out, fmt, resume=True)
    assert stats.documents == 0 and stats.skipped == 40
    _, overwritten = spark_records(spark_session, WordsStep(), [path], out, fmt)
    assert sorted(map(json.dumps, again)) == sorted(map(json.dumps, first)) == sorted(map(json.dumps, overwritten))


def test_resume_adds_only_the_missing_documents(spark_session, tmp_path):
    half = write_jsonl(tmp_path / "half.jsonl", [{"id": f"d{i}", "text": "a b"} for i in range(5)])
    full = write_jsonl(tmp_path / "full.jsonl", [{"id": f"d{i}", "text": "a b"} for i in range(8)])
    out = tmp_path / "out"
    spark_records(spark_session, WordsStep(), [half], out, "jsonl")
    stats, records = spark_records(spark_session, WordsStep(), [full], out, "jsonl", resume=True)
    assert (stats.documents, stats.skipped) == (3, 5)
    assert sorted(r["doc_id"] for r in records) == [f"d{i}" for i in range(8)]


def test_parquet_row_groups_and_text_directories(spark_session, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({"id": [f"p{i}" for i in range(30)], "text": [f"row {i} text" for i in range(30)]})
    pq.write_table(table, tmp_path / "rows.parquet", row_group_size=7)
    pages = tmp_path / "pages"
    pages.mkdir()
    for i in range(3):
        (pages / f"{i}.txt").write_text(f"page {i} words here", encoding="utf-8")
    (pages / "bad.txt").write_bytes(b"\x00\x01binary")
    inputs = [tmp_path / "rows.parquet", pages]
    local = local_records(WordsStep(), inputs, "jsonl", tmp_path)
    _, spark = spark_records(spark_session, WordsStep(), inputs, tmp_path / "out", "jsonl")
    assert by_id(_without_loads(spark)) == by_id(_without_loads(local))
    assert len(spark) == 34


def test_missing_artifacts_are_named(spark_session, tmp_path):
    from unspin.engines.spark import SparkError, check_artifacts

    with pytest.raises(SparkError, match="nowhere.csv"):
        check_artifacts(spark_session, [str(tmp_path / "nowhere.csv")])
    check_artifacts(spark_session, [str(crawl(tmp_path))])


def test_output_never_overwrites_an_input(spark_session, tmp_path):
    from unspin.engines.spark import SparkError, run_on_spark

    path = crawl(tmp_path)
    with pytest.raises(SparkError, match="overwrite an input"):
        run_on_spark(spark_session, WordsStep(), [str(path)], str(path), fmt="jsonl")


def test_real_ngram_screener_gives_the_local_records(spark_session, tmp_path):
    from unspin.config import lexicon_path, ngram_path
    from unspin.steps import Scanner

    if not (lexicon_path().exists() and ngram_path().exists()):
        pytest.skip("needs the built artifacts (`make artifacts`)")
    spun = "The corporate's chief government officer stated that gross sales fell 4 p.c. in the third quarter."
    rows = [{"id": f"r{i}", "text": spun if i % 2 else "The company said its sales fell by four percent this year."}
            for i in range(6)]
    path = write_jsonl(tmp_path / "docs.jsonl", rows)
    local = local_records(Scanner(), [path], "jsonl", tmp_path)
    _, spark = spark_records(spark_session, Scanner(), [path], tmp_path / "out", "jsonl")
    assert by_id(spark) == by_id(local)
    assert any(r["findings"] for r in spark)


def test_cli_scan_with_engine_spark(spark_session, tmp_path):
    from unspin.cli import main

    path = crawl(tmp_path)
    code = main(["scan", str(path), "--no-model", "--engine", "spark", "--master", "local[2]", "-q", "-o", str(tmp_path / "scan.parquet")])
    from unspin.engines.spark_output import read_records

    records = read_records(str(tmp_path / "scan.parquet"), "parquet")
    assert code == 1  # the unreadable row is reported as an input error
    assert len(records) == 40 and {"spin_probability", "findings", "source"} <= set(records[0])


def test_restore_jsonl_step_on_spark_equals_local(spark_session, tmp_path):
    from fakes import FakeRestorer
    from unspin.io.readers import iter_documents
    from unspin.pipeline.steps import RestoreStep

    class InjectedRestoreStep(RestoreStep):
        requires = ()

        def setup(self):
            self.restorer = FakeRestorer()

    rows = [{"id": "a", "text": "The corporate fell.", "lang": "en"}, {"id": "b", "text": 3}, {"id": "c", "text": "Gross sales rose."}]
    path = write_jsonl(tmp_path / "in.jsonl", rows)
    reading = {"jsonl": True, "keep_fields": True}
    out = tmp_path / "local.jsonl"
    with open_writer("jsonl", str(out)) as writer:
        run_local(InjectedRestoreStep(), iter_documents([str(path)], **reading), writer=writer, progress=False)
    local = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    _, spark = spark_records(spark_session, InjectedRestoreStep(), [path], tmp_path / "out.jsonl", "jsonl", reading=reading)
    assert by_id(spark) == by_id(local)
    assert by_id(spark)["a"]["restored"] == "The company fell." and by_id(spark)["a"]["lang"] == "en"
    assert any(r.get("error", "").startswith("U1") for r in spark)


def test_cli_restore_with_engine_spark_needs_jsonl_and_output(tmp_path, capsys):
    from unspin.cli import main

    assert main(["restore", str(tmp_path / "x.jsonl"), "--engine", "spark"]) == 2
    assert "--jsonl and -o OUT" in capsys.readouterr().err


def test_documents_spread_over_the_cores_keep_their_input_order(spark_session, tmp_path):
    """Few inputs are spread over the cores; the partitions, read in turn, give the documents in
    input order (a plain repartition shuffles them, and the parquet columns follow first-seen order)."""
    from unspin.engines.spark_input import read_documents
    from unspin.io.readers import iter_documents

    path = crawl(tmp_path)
    documents = read_documents(spark_session, [str(path)])
    assert documents.rdd.getNumPartitions() > 1
    local = [doc.doc_id for doc in iter_documents([str(path)])]
    assert len(local) == 40 and [row["doc_id"] for row in documents.collect()] == local
