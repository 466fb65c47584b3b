"""One row of a row format (a JSONL line, a CSV row, a JSON object, a parquet row) as a `Document`.

The row's `text_field` is the text, its `id_field` the id (else `where`: "path:line" or "path#row"),
every other field goes to `meta`. A bad row becomes an error `Document`; it never stops the file.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Iterator

from unspin.errors import InputError
from unspin.io.input_errors import BadEncoding, EmptyInput, MalformedRow, MissingField, TooLarge
from unspin.types import Document


class _Fields:
    def __init__(self, text_field: str, id_field: str, max_bytes: int) -> None:
        self.text = text_field
        self.id = id_field
        self.max_bytes = max_bytes


def _jsonl_documents(lines: Iterable[bytes], path: str, fields: _Fields) -> Iterator[Document]:
    seen_any = False
    for lineno, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        seen_any = True
        where = f"{path}:{lineno}"
        try:
            row = _parse_jsonl_line(raw, where, fields.max_bytes)
            yield _row_document(row, where, fields)
        except InputError as err:
            yield _error_document(where, err)
    if not seen_any:
        raise EmptyInput("empty file (no JSON lines)", source=path)


def _parse_jsonl_line(raw: bytes, where: str, max_bytes: int) -> dict[str, Any]:
    if len(raw) > max_bytes:
        raise TooLarge(f"line of {len(raw)} bytes is over the limit of {max_bytes}", source=where)
    try:
        line = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise BadEncoding(f"not valid UTF-8 at byte {err.start} of the line", source=where) from None
    try:
        row = json.loads(line)
    except json.JSONDecodeError as err:
        raise MalformedRow(f"malformed JSON line: {err.msg} (column {err.colno})", source=where) from None
    if not isinstance(row, dict):
        raise MalformedRow(f"expected a JSON object, got {type(row).__name__}", source=where)
    return row


def _row_document(row: dict[str, Any], where: str, fields: _Fields) -> Document:
    """A Document from one parsed row; `where` is its fallback id ("path:line" or "path#row")."""
    doc_id = _row_id(row.get(fields.id), where)
    if fields.text not in row:
        raise MissingField(f"no {fields.text!r} field (use --text-field)", source=where)
    text = row[fields.text]
    if text is None:
        raise MissingField(f"{fields.text!r} is null", source=where)
    if not isinstance(text, str):
        raise MalformedRow(f"{fields.text!r} is a {type(text).__name__}, not a string", source=where)
    if len(text.encode("utf-8", "surrogatepass")) > fields.max_bytes:
        raise TooLarge(f"text is over the limit of {fields.max_bytes} bytes", source=where)
    meta = {k: v for k, v in row.items() if k not in (fields.text, fields.id)}
    return Document(doc_id=doc_id, text=text, source=where, meta=meta)


def _row_id(value: Any, where: str) -> str:
    if value is None or value == "":
        return where
    return str(value)


def _error_document(doc_id: str, err: InputError) -> Document:
    return Document(doc_id=doc_id, text="", source=doc_id, error=str(err))
