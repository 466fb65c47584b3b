import json
import sqlite3

import pytest

from unspin.errors import ArtifactError, InputError
from unspin.trace import SourceDoc, TraceIndex, read_corpus

from .conftest import VOCABULARY


def test_build_stores_paragraphs_bands_and_metadata(small_index, news_docs):
    with TraceIndex.open(small_index) as index:
        info = index.info()
        assert info["format"] == "unspin-trace-index/1" and info["vocabulary"] == "test"
        assert int(info["documents"]) == 100
        assert int(info["paragraphs"]) >= 100
        assert info["band_rows"] > 0 and info["vocabulary_words"] == len(VOCABULARY)
        text, offsets = index.document_text(1)
        assert offsets[0] == (0, 0) and text.startswith(news_docs[0].text[:40].strip())


def test_tables_have_indexes(small_index):
    conn = sqlite3.connect(small_index)
    names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'index')")}
    assert {"documents", "paragraphs", "bands", "meta", "vocabulary", "paragraphs_doc"} <= names


def test_add_appends_and_skips_known_ids(tmp_path, news_docs):
    path = tmp_path / "i.db"
    with TraceIndex.create(path, VOCABULARY) as index:
        first = index.add(news_docs[:5])
    with TraceIndex.open(path) as index:
        second = index.add(news_docs[3:8])
        assert (first.documents, second.documents, second.skipped) == (5, 3, 2)
        assert int(index.info()["documents"]) == 8


def test_open_rejects_other_files(tmp_path):
    with pytest.raises(ArtifactError, match="U200"):
        TraceIndex.open(tmp_path / "missing.db")
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE x(y)").connection.commit()
    with pytest.raises(ArtifactError):
        TraceIndex.open(other)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(ArtifactError):
        TraceIndex.open(junk)


def test_read_corpus_directory_jsonl_parquet(tmp_path):
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("First document.")
    (folder / "sub" / "b.md").write_text("Second document.")
    (folder / "skip.bin").write_bytes(b"\x00")
    assert [d.doc_id for d in read_corpus(folder)] == ["a", "sub/b"]

    jsonl = tmp_path / "c.jsonl"
    jsonl.write_text(json.dumps({"id": "x1", "text": "Hello there.", "lang": "en"}) + "\n\n" + json.dumps({"text": "No id."}) + "\n")
    docs = list(read_corpus(jsonl))
    assert [d.doc_id for d in docs] == ["x1", "c:3"] and docs[0].meta == {"lang": "en"}

    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"doc_id": ["p1", "p2"], "content": ["One.", "Two."]}), tmp_path / "d.parquet")
    assert [(d.doc_id, d.text) for d in read_corpus(tmp_path / "d.parquet")] == [("p1", "One."), ("p2", "Two.")]


@pytest.mark.parametrize("line", ["{not json", "[1, 2]", json.dumps({"id": "x"})], ids=["malformed", "not-object", "no-text"])
def test_read_corpus_bad_jsonl_names_the_line(tmp_path, line):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"id": "ok", "text": "fine"}) + "\n" + line + "\n")
    with pytest.raises(InputError, match="bad.jsonl:2"):
        list(read_corpus(path))


def test_read_corpus_missing_path(tmp_path):
    with pytest.raises(InputError):
        list(read_corpus(tmp_path / "nope"))


def test_empty_documents_are_skipped(tmp_path):
    with TraceIndex.create(tmp_path / "e.db", VOCABULARY) as index:
        stats = index.add([SourceDoc("empty", "   "), SourceDoc("ok", "A short text.")])
    assert (stats.documents, stats.skipped) == (1, 1)
