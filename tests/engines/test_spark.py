"""The partition runner is plain Python; Spark itself is only needed for map_documents."""

from fakes import FakeRestorer

from unspin.engines.spark import partition_runner


def _step(doc):
    result = FakeRestorer().restore(doc.text)
    return {"doc_id": doc.doc_id, "restored": result.restored, **doc.meta}


def test_one_record_per_row_errors_included():
    rows = [{"id": "a", "text": "The corporate fell.", "lang": "en"}, {"id": "b", "text": None}, {"id": "c", "text": "Fine."}]
    records = list(partition_runner(_step)(rows))
    assert [r["doc_id"] for r in records] == ["a", "b", "c"]
    assert records[0] == {"doc_id": "a", "restored": "The company fell.", "lang": "en"}
    assert records[1]["error"].startswith("U109")


def test_a_failing_step_yields_an_error_record():
    def broken(doc):
        raise RuntimeError("boom")

    (record,) = partition_runner(broken)([{"id": "x", "text": "t"}])
    assert "boom" in record["error"] and record["doc_id"] == "x"
