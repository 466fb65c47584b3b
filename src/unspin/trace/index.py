"""The reference index: one SQLite file holding documents, paragraphs, LSH band keys and metadata.

Tables
    meta(key, value)                      format version, vocabulary, counts, build settings
    documents(doc_num, doc_id, source, meta, paragraphs)
    paragraphs(para_id, doc_num, number, text, words)      index on (doc_num, number)
    bands(key, para_id)                   LSH band keys; primary key (key, para_id)
    vocabulary(word)                      the swappable words the fingerprints were cut with

A long document is stored as its paragraphs, so a single spun paragraph finds its source.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from ..errors import ArtifactError, EmptyInput, error_from_message
from .fingerprint import FAMILIES, Features, Vocabulary, chunks, features, text_keys

FORMAT = "unspin-trace-index/1"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents(
    doc_num INTEGER PRIMARY KEY, doc_id TEXT NOT NULL UNIQUE, source TEXT NOT NULL DEFAULT '',
    meta TEXT NOT NULL DEFAULT '{}', paragraphs INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS paragraphs(
    para_id INTEGER PRIMARY KEY, doc_num INTEGER NOT NULL REFERENCES documents(doc_num),
    number INTEGER NOT NULL, text TEXT NOT NULL, words INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS paragraphs_doc ON paragraphs(doc_num, number);
CREATE TABLE IF NOT EXISTS bands(key INTEGER NOT NULL, para_id INTEGER NOT NULL,
    PRIMARY KEY(key, para_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS vocabulary(word TEXT PRIMARY KEY) WITHOUT ROWID;
"""


@dataclass(frozen=True)
class SourceDoc:
    """A reference document to index."""

    doc_id: str
    text: str
    source: str = ""
    meta: dict[str, Any] | None = None


@dataclass(frozen=True)
class Paragraph:
    para_id: int
    doc_num: int
    number: int
    text: str


@dataclass(frozen=True)
class AddStats:
    documents: int
    paragraphs: int
    skipped: int  # doc_ids already in the index
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        rate = (lambda n: round(n / self.seconds, 1) if self.seconds else None)
        return {**self.__dict__, "paragraphs_per_s": rate(self.paragraphs), "documents_per_s": rate(self.documents)}


class TraceIndex:
    """Open with TraceIndex.create(path, vocabulary) or TraceIndex.open(path)."""

    def __init__(self, conn: sqlite3.Connection, path: Path, vocabulary: Vocabulary) -> None:
        self.conn = conn
        self.path = path
        self.vocabulary = vocabulary
        self._features: dict[int, Features] = {}

    @classmethod
    def create(cls, path: str | Path, vocabulary: Vocabulary, *, name: str = "thesaurus") -> "TraceIndex":
        path = Path(path)
        if path.exists():
            path.unlink()
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = _connect(path)
        conn.executescript(_SCHEMA)
        conn.executemany("INSERT INTO vocabulary(word) VALUES (?)", ((w,) for w in sorted(vocabulary.swappable)))
        families = {f.name: {"shingle": f.shingle, "bands": f.bands, "rows": f.rows} for f in FAMILIES}
        meta = {"format": FORMAT, "vocabulary": name, "families": json.dumps(families), "created": time.strftime("%Y-%m-%dT%H:%M:%S")}
        conn.executemany("INSERT INTO meta(key, value) VALUES (?, ?)", meta.items())
        conn.commit()
        return cls(conn, path, vocabulary)

    @classmethod
    def open(cls, path: str | Path) -> "TraceIndex":
        path = Path(path)
        if not path.is_file():
            raise ArtifactError("trace index not found: build one with `unspin index build`", source=str(path))
        try:
            conn = _connect(path)
            fmt = conn.execute("SELECT value FROM meta WHERE key='format'").fetchone()
        except sqlite3.DatabaseError as exc:
            raise ArtifactError(f"not a trace index: {exc}", source=str(path)) from None
        if not fmt or fmt[0] != FORMAT:
            raise ArtifactError(f"not a trace index (format {fmt[0] if fmt else None!r}, want {FORMAT})", source=str(path))
        words = [w for (w,) in conn.execute("SELECT word FROM vocabulary")]
        return cls(conn, path, Vocabulary(words))

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "TraceIndex":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- writing ---------------------------------------------------------------------------

    def add(self, docs: Iterable[SourceDoc], progress: Callable[[int], None] | None = None, batch: int = 20000) -> AddStats:
        """Append documents (paragraph by paragraph); doc_ids already present are skipped.

        Band keys are written in sorted batches of `batch` paragraphs (B-tree inserts in key
        order are several times faster than random ones).
        """
        return self.add_fingerprinted(((doc, None) for doc in docs), progress=progress, batch=batch)

    def add_fingerprinted(self, docs: Iterable[tuple[SourceDoc, "list[tuple[str, list[int]]] | None"]],
                          progress: Callable[[int], None] | None = None, batch: int = 20000) -> AddStats:
        """`add`, for documents whose paragraphs and band keys (`fingerprint_document`) were
        computed elsewhere (on Spark executors); None computes them here."""
        start = time.perf_counter()
        n_docs = n_paras = skipped = 0
        para_id = self.conn.execute("SELECT COALESCE(MAX(para_id), 0) FROM paragraphs").fetchone()[0]
        doc_num = self.conn.execute("SELECT COALESCE(MAX(doc_num), 0) FROM documents").fetchone()[0]
        known = {d for (d,) in self.conn.execute("SELECT doc_id FROM documents")}
        docs_rows, para_rows, band_rows = [], [], []
        for doc, printed in docs:
            if doc.doc_id in known:
                skipped += 1
                continue
            known.add(doc.doc_id)
            pieces = fingerprint_document(doc.text, self.vocabulary) if printed is None else printed
            if not pieces:
                skipped += 1
                continue
            doc_num += 1
            docs_rows.append((doc_num, doc.doc_id, doc.source, json.dumps(doc.meta or {}), len(pieces)))
            for number, (piece, keys) in enumerate(pieces):
                para_id += 1
                para_rows.append((para_id, doc_num, number, piece, len(piece.split())))
                band_rows.extend((key, para_id) for key in keys)
            n_docs += 1
            n_paras += len(pieces)
            if progress:
                progress(len(pieces))
            if len(para_rows) >= batch:
                self._write(docs_rows, para_rows, band_rows)
                docs_rows, para_rows, band_rows = [], [], []
        self._write(docs_rows, para_rows, band_rows)
        self._update_counts()
        self.conn.commit()
        return AddStats(n_docs, n_paras, skipped, time.perf_counter() - start)

    def _write(self, docs_rows: list, para_rows: list, band_rows: list) -> None:
        self.conn.executemany("INSERT INTO documents VALUES (?, ?, ?, ?, ?)", docs_rows)
        self.conn.executemany("INSERT INTO paragraphs VALUES (?, ?, ?, ?, ?)", para_rows)
        self.conn.executemany("INSERT OR IGNORE INTO bands VALUES (?, ?)", sorted(band_rows))

    def _update_counts(self) -> None:
        for key, sql in (("documents", "SELECT COUNT(*) FROM documents"), ("paragraphs", "SELECT COUNT(*) FROM paragraphs")):
            value = self.conn.execute(sql).fetchone()[0]
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, str(value)))
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('updated', ?)", (time.strftime("%Y-%m-%dT%H:%M:%S"),))

    # --- reading ---------------------------------------------------------------------------

    def info(self) -> dict[str, Any]:
        meta = dict(self.conn.execute("SELECT key, value FROM meta"))
        meta["families"] = json.loads(meta.get("families", "{}"))
        meta["band_rows"] = self.conn.execute("SELECT COUNT(*) FROM bands").fetchone()[0]
        meta["vocabulary_words"] = len(self.vocabulary)
        meta["bytes"] = self.path.stat().st_size
        return meta

    def band_hits(self, keys: list[int]) -> dict[int, int]:
        """para_id -> how many of the keys it shares."""
        hits: dict[int, int] = {}
        for start in range(0, len(keys), 900):
            part = keys[start : start + 900]
            sql = f"SELECT para_id FROM bands WHERE key IN ({','.join('?' * len(part))})"
            for (pid,) in self.conn.execute(sql, part):
                hits[pid] = hits.get(pid, 0) + 1
        return hits

    def paragraphs(self, para_ids: Iterable[int]) -> dict[int, Paragraph]:
        ids = list(para_ids)
        out: dict[int, Paragraph] = {}
        for start in range(0, len(ids), 900):
            part = ids[start : start + 900]
            sql = f"SELECT para_id, doc_num, number, text FROM paragraphs WHERE para_id IN ({','.join('?' * len(part))})"
            for row in self.conn.execute(sql, part):
                out[row[0]] = Paragraph(*row)
        return out

    def paragraph_features(self, para: Paragraph) -> Features:
        feats = self._features.get(para.para_id)
        if feats is None:
            feats = features(para.text, self.vocabulary)
            if len(self._features) > 20000:
                self._features.clear()
            self._features[para.para_id] = feats
        return feats

    def document(self, doc_num: int) -> tuple[str, str, dict[str, Any]]:
        row = self.conn.execute("SELECT doc_id, source, meta FROM documents WHERE doc_num=?", (doc_num,)).fetchone()
        if row is None:
            raise ArtifactError(f"document #{doc_num} missing", source=str(self.path))
        return row[0], row[1], json.loads(row[2])

    def document_text(self, doc_num: int, first: int = 0, last: int | None = None) -> tuple[str, list[tuple[int, int]]]:
        """Paragraphs first..last joined by blank lines, and each paragraph's (number, offset)."""
        rows = self.conn.execute(
            "SELECT number, text FROM paragraphs WHERE doc_num=? AND number>=? AND number<=? ORDER BY number",
            (doc_num, first, last if last is not None else 1 << 30),
        ).fetchall()
        parts, offsets, cursor = [], [], 0
        for number, text in rows:
            offsets.append((number, cursor))
            parts.append(text)
            cursor += len(text) + 2
        return "\n\n".join(parts), offsets


def fingerprint_document(text: str, vocabulary: Vocabulary) -> list[tuple[str, list[int]]]:
    """The paragraphs a document is indexed as, each with its LSH band keys."""
    return [(piece, text_keys(features(piece, vocabulary))) for piece in chunks(text)]


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path))
    conn.execute("PRAGMA journal_mode=DELETE")  # one file on disk, no -wal beside it
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA cache_size=-65536")
    return conn


# --- reading a reference corpus --------------------------------------------------------------

CORPUS_ID_FIELDS = ("id", "doc_id", "_id", "url")
CORPUS_TEXT_FIELDS = ("text", "content", "body")


def read_corpus(
    path: str | Path, on_error: Callable[[str], None] | None = None, max_bytes: int | None = None
) -> Iterator[SourceDoc]:
    """A directory of documents, a .jsonl/.csv/.parquet file of rows, or one document, read by
    `unspin.io.readers` with the reference-corpus options: ids relative to the directory (or the
    file's name) without the extension, or the row's id/doc_id/_id/url; text from text/content/body.

    A document or row that cannot be read raises its coded `InputError`, or, with `on_error`,
    is handed to it (the message) and skipped. Empty documents are skipped (nothing to index).
    """
    from ..io.readers import iter_documents

    documents = iter_documents([str(path)], text_field=CORPUS_TEXT_FIELDS, id_field=CORPUS_ID_FIELDS, ids="relative",
                               max_bytes=max_bytes)
    for doc in documents:
        if doc.error is not None:
            if doc.error.startswith(EmptyInput.code):
                continue
            if on_error is None:
                raise error_from_message(doc.error)
            on_error(doc.error)
            continue
        meta = {k: v for k, v in doc.meta.items() if _jsonable(v)}
        yield SourceDoc(doc.doc_id, doc.text, doc.source, meta)


def _jsonable(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool)) or value is None
