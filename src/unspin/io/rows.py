"""One row of a row format (a JSONL line, a CSV row, a JSON object, a parquet row) as a `Document`.

The row's text field is the text, its id field the id (else `where`: "path:line" or "path#row"),
every other field goes to `meta`. A bad row becomes an error `Document`; it never stops the file.
A string with a lone surrogate (JSON allows "\\ud800", UTF-8 cannot hold it) is a U104 row error.
"""

from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass, field
from typing import IO, Any, Iterable, Iterator

from unspin.errors import BadEncoding, EmptyInput, InputError, MalformedRow, MissingField, TooLarge
from unspin.io.limits import BYTES_HINT, Limits
from unspin.types import Document

_CHUNK = 1 << 16
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class _Fields:
    text: tuple[str, ...]
    id: tuple[str, ...]
    max_bytes: int
    limits: Limits = field(default_factory=Limits)
    keep_fields: bool = False  # meta holds every field but the text (restore --jsonl writes the row back)
    doc_name: str | None = None  # the name ids are made from, instead of the path (reference corpora)

    def name_of(self, path: str) -> str:
        return self.doc_name if self.doc_name is not None else path

    def row_name(self, path: str, sep: str, number: int) -> str:
        return f"{self.name_of(path)}{sep}{number}"


def bounded_lines(head: bytes, stream: IO[bytes], max_bytes: int, label: str) -> Iterator[bytes | None]:
    """The lines of `head` + `stream` as UTF-8 bytes (UTF-16 with a BOM is converted). A line longer
    than `max_bytes` is None, yielded as soon as it passes the limit (a caller may stop reading
    there); the rest of it is skipped without being held in memory."""
    chunks = _chunks(head, stream)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        chunks = _utf16_to_utf8(chunks, label)
    pending = bytearray()
    skipping = False
    for chunk in chunks:
        start = 0
        while True:
            end = chunk.find(b"\n", start)
            piece = chunk[start:] if end < 0 else chunk[start : end + 1]
            if not skipping:
                pending += piece
                if len(pending) > max_bytes:
                    skipping, pending = True, bytearray()
                    yield None
            if end < 0:
                break
            if not skipping:
                yield bytes(pending)
            pending, skipping = bytearray(), False
            start = end + 1
    if pending and not skipping:
        yield bytes(pending)


def _chunks(head: bytes, stream: IO[bytes]) -> Iterator[bytes]:
    if head:
        yield head
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            return
        yield chunk


def _utf16_to_utf8(chunks: Iterable[bytes], label: str) -> Iterator[bytes]:
    decoder = codecs.getincrementaldecoder("utf-16")()
    offset = 0
    for chunk in chunks:
        try:
            yield decoder.decode(chunk).encode("utf-8", "surrogatepass")
        except UnicodeDecodeError as err:
            raise BadEncoding(f"not valid UTF-16 at byte {offset + err.start}", source=label) from None
        offset += len(chunk)
    try:
        tail = decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise BadEncoding(f"not valid UTF-16: the last {offset % 2 or 2} bytes are a partial character", source=label) from None
    if tail:
        yield tail.encode("utf-8", "surrogatepass")


def _jsonl_documents(lines: Iterable[bytes | None], path: str, fields: _Fields) -> Iterator[Document]:
    seen_any = False
    for lineno, raw in enumerate(lines, start=1):
        if raw is not None and not raw.strip():
            continue
        seen_any = True
        where = f"{path}:{lineno}"
        fallback = fields.row_name(path, ":", lineno)
        try:
            row = _parse_jsonl_line(raw, where, fields.max_bytes)
            yield _row_document(row, where, fields, fallback_id=fallback)
        except InputError as err:
            yield _error_document(_safe_id(fallback), err, _line_meta(raw, lineno) if fields.keep_fields else None)
    if not seen_any:
        raise EmptyInput("empty file (no JSON lines)", source=path)


def _line_meta(raw: bytes | None, lineno: int) -> dict[str, Any]:
    meta: dict[str, Any] = {"line": lineno}
    if raw is not None:
        meta["raw"] = raw.decode("utf-8", "replace").rstrip("\r\n")
    return meta


def _parse_jsonl_line(raw: bytes | None, where: str, max_bytes: int) -> dict[str, Any]:
    if raw is None or len(raw) > max_bytes:
        raise TooLarge(f"line over the limit of {max_bytes} bytes ({BYTES_HINT})", source=where)
    try:
        line = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise BadEncoding(f"not valid UTF-8 at byte {err.start} of the line", source=where) from None
    try:
        row = json.loads(line)
    except json.JSONDecodeError as err:
        raise MalformedRow(f"malformed JSON line: {err.msg} (column {err.colno})", source=where) from None
    except RecursionError:
        raise MalformedRow("malformed JSON line: nested too deep", source=where) from None
    if not isinstance(row, dict):
        raise MalformedRow(f"expected a JSON object, got {type(row).__name__}", source=where)
    return row


def _row_document(row: dict[str, Any], where: str, fields: _Fields, fallback_id: str | None = None) -> Document:
    """A Document from one parsed row; `where` is its fallback id ("path:line" or "path#row")."""
    id_name = _first_present(row, fields.id)
    doc_id = _row_id(row.get(id_name) if id_name else None, fallback_id or where)
    if _LONE_SURROGATE.search(doc_id):
        raise BadEncoding("the id has a lone surrogate (not valid Unicode)", source=where)
    text_name = _first_present(row, fields.text)
    if text_name is None:
        if any(name in row for name in fields.text):
            raise MissingField(f"{fields.text[0]!r} is null", source=where)
        raise MissingField(f"no {fields.text[0]!r} field (use --text-field)", source=where)
    text = row[text_name]
    if not isinstance(text, str):
        raise MalformedRow(f"{text_name!r} is a {type(text).__name__}, not a string", source=where)
    if len(text.encode("utf-8", "surrogatepass")) > fields.max_bytes:
        raise TooLarge(f"text is over the limit of {fields.max_bytes} bytes ({BYTES_HINT})", source=where)
    if _LONE_SURROGATE.search(text):
        raise BadEncoding(f"{text_name!r} has a lone surrogate (not valid Unicode)", source=where)
    dropped = {text_name} if fields.keep_fields else {text_name, *fields.id, *fields.text}
    meta = {k: v for k, v in row.items() if k not in dropped}
    return Document(doc_id=doc_id, text=text, source=where, meta=meta)


def _first_present(row: dict[str, Any], names: tuple[str, ...]) -> str | None:
    if len(names) == 1:  # one named field: present even when empty (an empty text is a document)
        return names[0] if row.get(names[0]) is not None else None
    return next((n for n in names if row.get(n) not in (None, "")), None)


def _row_id(value: Any, where: str) -> str:
    if value is None or value == "":
        return where
    return str(value)


def _safe_id(doc_id: str) -> str:
    return _LONE_SURROGATE.sub("\ufffd", doc_id)


def _error_document(doc_id: str, err: InputError, meta: dict[str, Any] | None = None) -> Document:
    return Document(doc_id=_safe_id(doc_id), text="", source=doc_id, meta=meta or {}, error=str(err))
