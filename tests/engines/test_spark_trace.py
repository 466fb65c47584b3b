"""Trace at crawl scale on Spark: the same records as `trace` on the local runner."""

import itertools
import re
import sqlite3

import pytest

from unspin.pipeline import run_local
from unspin.trace import SourceDoc, TraceIndex, Vocabulary
from unspin.trace.step import TraceStep
from unspin.types import Document

SWAPS = {"company": "corporate", "said": "stated", "big": "large", "market": "marketplace", "people": "folks",
         "government": "administration", "new": "novel", "week": "period", "year": "twelvemonth", "report": "account"}
VOCABULARY = Vocabulary(list(SWAPS) + list(SWAPS.values()) + ["the", "a", "of", "and", "to", "in"])


def spin(text: str) -> str:
    counter = itertools.count()

    def swap(m):
        new = SWAPS.get(m.group().lower())
        return m.group() if new is None or next(counter) % 2 else new

    return re.sub(r"[A-Za-z]+", swap, text)


class Collect:
    def __init__(self):
        self.records = []

    def write(self, record):
        self.records.append(record)

    def close(self):
        pass


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    from unspin.corpora import news_articles

    docs = [SourceDoc(d.doc_id, d.text, d.source, {"n": i}) for i, d in enumerate(itertools.islice(news_articles(), 90))]
    folder = tmp_path_factory.mktemp("refs")
    with TraceIndex.create(folder / "refs.db", VOCABULARY, name="test") as index:
        index.add(docs[:80])
    queries = [Document(f"spun-doc-{i}", spin(docs[i].text)) for i in range(0, 80, 10)]
    queries += [Document(f"spun-para-{i}", spin(docs[i].text.split("\n\n")[0])) for i in range(3, 80, 20)]
    queries += [Document(f"clean-{i}", docs[i].text) for i in (80, 85)]  # not indexed: no source
    queries += [Document("short", "Too short."), Document("bad", "", error="U101 bad: binary file")]
    return folder, queries


def local(db, queries, **kw):
    sink = Collect()
    run_local(TraceStep(str(db), **kw), queries, writer=sink, progress=False)
    return {r["doc_id"]: r for r in sink.records}


def on_spark(spark, folder, queries, **kw):
    import json

    from unspin.engines.spark import DOCUMENT_SCHEMA
    from unspin.engines.spark_trace import export_index, trace_records

    export = folder / "export"
    if not export.exists():
        export_index(str(folder / "refs.db"), str(export))
    rows = [(q.doc_id, q.text, q.source, None, q.error) for q in queries]
    documents = spark.createDataFrame(rows, DOCUMENT_SCHEMA).repartition(2)
    records = [json.loads(r.record) for r in trace_records(spark, str(export), documents, **kw).collect()]
    return {r["doc_id"]: r for r in records}


def test_spark_trace_equals_local_trace(spark_session, reference):
    folder, queries = reference
    expected = local(folder / "refs.db", queries)
    assert on_spark(spark_session, folder, queries) == expected
    assert sum(r.get("matched", False) for r in expected.values()) >= 10  # the spun copies are found
    assert not expected["clean-80"]["matched"] and expected["bad"]["error"].startswith("U101")


def test_spark_trace_with_a_restorer_for_unsure_copies(spark_session, reference):
    from fakes import FakeRestorer

    folder, queries = reference
    kw = {"top": 3, "restore_when": "unsure"}
    expected = local(folder / "refs.db", queries, restorer=FakeRestorer(), **kw)
    assert on_spark(spark_session, folder, queries, restore=FakeRestorer(), **kw) == expected


def test_index_build_on_spark_writes_the_local_index(spark_session, reference, tmp_path):
    import json

    from unspin.corpora import news_articles
    from unspin.engines.spark_index import build_index_on_spark

    rows = [{"id": d.doc_id, "text": d.text, "kind": "news"} for d in itertools.islice(news_articles(), 30)]
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    from unspin.trace import read_corpus

    with TraceIndex.create(tmp_path / "local.db", VOCABULARY, name="test") as index:
        index.add(read_corpus(corpus))
    build_index_on_spark(spark_session, [str(corpus)], str(tmp_path / "spark.db"), VOCABULARY, "test")
    for table, order in (("documents", "doc_num"), ("paragraphs", "para_id"), ("bands", "key, para_id"), ("vocabulary", "word")):
        query = f"SELECT * FROM {table} ORDER BY {order}"
        with sqlite3.connect(tmp_path / "local.db") as a, sqlite3.connect(tmp_path / "spark.db") as b:
            assert a.execute(query).fetchall() == b.execute(query).fetchall(), table


def test_cli_index_export_and_trace_with_engine_spark(spark_session, reference, tmp_path):
    import json

    from unspin.cli import main
    from unspin.engines.spark_output import read_records

    folder, queries = reference
    export = tmp_path / "refs.parquet"
    assert main(["index", "export", str(folder / "refs.db"), "-o", str(export), "--format", "json"]) == 0
    assert {p.name for p in export.iterdir()} >= {"documents", "paragraphs", "bands", "vocabulary", "meta.json"}
    path = tmp_path / "queries.jsonl"
    path.write_text("".join(json.dumps({"id": q.doc_id, "text": q.text}) + "\n" for q in queries[:4]), encoding="utf-8")
    out = tmp_path / "traced.jsonl"
    assert main(["trace", str(path), "--index", str(export), "--no-restore", "--engine", "spark", "--master", "local[2]", "-o", str(out)]) == 0
    records = {r["doc_id"]: r for r in read_records(str(out), "jsonl")}
    assert records == local(folder / "refs.db", queries[:4])
