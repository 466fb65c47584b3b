"""Read documents from files, directories and stdin into `unspin.types.Document`s.

A bad document never stops a run: it becomes a `Document` whose `error` says why
("U101 notes/a.bin: binary file (NUL bytes)"). Only a missing input path raises `InputError`.

Formats by extension:

- ``.txt`` ``.md`` (and any explicitly named file with another extension): UTF-8 text
  (a UTF-8 or UTF-16 byte-order mark is honoured); one document per file.
- ``.html`` ``.htm``: main text extracted with trafilatura, falling back to lxml's text.
- ``.pdf``: the text layer, read with pypdf.
- ``.docx``: paragraphs and table cells, read with python-docx.
- ``.jsonl`` ``.jsonl.gz``: one document per line (`text_field`, `id_field`; other fields -> meta).
- ``.csv`` ``.csv.gz``: one document per row, same fields.
- ``.json``: an array of objects (or one object), same fields.
- ``.parquet``: one document per row, read in record batches with pyarrow.

Document ids: the row's `id_field` when present, else ``path`` for a one-document file,
``path:line`` for a JSONL/CSV row (1-based line where the row starts), ``path#row`` for a
JSON or parquet row (0-based row index). stdin is called ``<stdin>``.

`max_bytes` limits one document: a whole file for one-document formats, one line/row/text
for the row formats (a large JSONL corpus is fine, one huge line is not).
"""

from __future__ import annotations

import codecs
import csv
import fnmatch
import gzip
import json
import os
import re
import sys
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Iterator, Sequence

from unspin.errors import InputError
from unspin.io.extract import SNIFF_BYTES as _SNIFF_BYTES
from unspin.io.extract import _decode_text, _extract
from unspin.io.input_errors import (  # noqa: F401 - re-exported: every code is importable from here
    BadEncoding,
    BinaryInput,
    CorruptFile,
    EmptyInput,
    MalformedRow,
    MissingField,
    NoTextLayer,
    TooLarge,
    UnsupportedFormat,
)
from unspin.io.rows import _error_document, _Fields, _jsonl_documents, _row_document
from unspin.types import Document

STDIN = "<stdin>"
DOCUMENT_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf", ".docx")
ROW_SUFFIXES = (".jsonl", ".jsonl.gz", ".csv", ".csv.gz", ".json", ".parquet")
KNOWN_SUFFIXES = DOCUMENT_SUFFIXES + ROW_SUFFIXES
UPLOAD_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf", ".docx")
PARQUET_BATCH_ROWS = 1024


# --- public API ------------------------------------------------------------------------------


def iter_documents(
    inputs: Sequence[str],
    *,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    text_field: str = "text",
    id_field: str = "id",
    max_bytes: int = 50_000_000,
    stdin: IO[bytes] | None = None,
) -> Iterator[Document]:
    """Yield one `Document` per input document, in a stable order (directories sorted).

    `include`/`exclude` are glob patterns matched against the path relative to a directory
    input (``*`` also matches ``/``; a leading ``**/`` also matches at the top level). They
    only filter directory walks: a file named explicitly is always read. Without `include`,
    a directory walk picks files with a known extension and skips hidden files and folders.
    `stdin` (a binary stream) replaces ``sys.stdin.buffer`` for the input ``-``.

    Raises `InputError` at once (when called, not when iterated) if an input path does not exist.
    """
    paths = [os.fspath(p) for p in inputs]
    missing = [p for p in paths if p != "-" and not os.path.exists(p)]
    if missing:
        raise InputError("no such file or directory", source=", ".join(missing))
    return _iter_inputs(paths, include, exclude, _Fields(text_field, id_field, max_bytes), stdin)


def _iter_inputs(
    inputs: list[str], include: Sequence[str], exclude: Sequence[str], fields: "_Fields", stdin: IO[bytes] | None
) -> Iterator[Document]:
    for path in inputs:
        if path == "-":
            yield from _read_stdin(stdin if stdin is not None else sys.stdin.buffer, fields)
        elif os.path.isdir(path):
            for file_path in walk_directory(path, include=include, exclude=exclude):
                yield from _read_file(file_path, fields)
        else:
            yield from _read_file(path, fields)


def read_text_input(path_or_bytes: str | os.PathLike[str] | bytes, filename: str, *, max_bytes: int = 50_000_000) -> str:
    """The text of one uploaded file (.txt/.md/.html/.htm/.pdf/.docx), chosen by `filename`.

    Raises `InputError` (a coded subclass, e.g. "U103 paper.pdf: no text layer ...") when the
    file cannot be read; the message names `filename`.
    """
    suffix = _suffix(filename)
    if suffix not in UPLOAD_SUFFIXES:
        raise UnsupportedFormat(
            f"unsupported file type {suffix or '(none)'!r}; upload one of {', '.join(UPLOAD_SUFFIXES)}",
            source=filename,
        )
    if isinstance(path_or_bytes, bytes):
        data = path_or_bytes
        if len(data) > max_bytes:
            raise TooLarge(f"{len(data)} bytes is over the limit of {max_bytes}", source=filename)
    else:
        try:
            data = _read_bytes(os.fspath(path_or_bytes), max_bytes, label=filename)
        except OSError as err:
            raise InputError(f"cannot read the upload: {err.strerror or err}", source=filename) from None
    return _extract(data, suffix, filename)


def walk_directory(root: str, *, include: Sequence[str] = (), exclude: Sequence[str] = ()) -> Iterator[str]:
    """Files under `root` (recursive, sorted) that pass the include/exclude patterns."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        if not include:
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in sorted(filenames):
            full = os.path.join(dirpath, name)
            rel = Path(os.path.relpath(full, root)).as_posix()
            if _selected(rel, include, exclude):
                yield full


# --- dispatch --------------------------------------------------------------------------------


def _read_file(path: str, fields: _Fields) -> Iterator[Document]:
    suffix = _suffix(path)
    row_readers: dict[str, Callable[[str, _Fields], Iterator[Document]]] = {
        ".jsonl": _read_jsonl_file,
        ".jsonl.gz": _read_jsonl_file,
        ".csv": _read_csv_file,
        ".csv.gz": _read_csv_file,
        ".json": _read_json_file,
        ".parquet": _read_parquet_file,
    }
    reader = row_readers.get(suffix)
    if reader is None:
        yield _single_document(path, suffix, fields)
        return
    try:
        yield from reader(path, fields)
    except InputError as err:  # the whole file is unreadable (empty, no text column, corrupt)
        yield _error_document(path, err)
    except OSError as err:
        yield _error_document(path, CorruptFile(f"cannot read: {err}", source=path))


def _single_document(path: str, suffix: str, fields: _Fields) -> Document:
    try:
        text = _extract(_read_bytes(path, fields.max_bytes), suffix, path)
    except InputError as err:
        return _error_document(path, err)
    except OSError as err:
        return _error_document(path, CorruptFile(f"cannot read: {err}", source=path))
    return Document(doc_id=path, text=text, source=path)


def _read_bytes(path: str, max_bytes: int, label: str | None = None) -> bytes:
    label = label or path
    size = os.path.getsize(path)
    if size > max_bytes:
        raise TooLarge(f"{size} bytes is over the limit of {max_bytes} (--max-bytes)", source=label)
    with open(path, "rb") as fh:
        return fh.read(max_bytes + 1)


# --- row formats -----------------------------------------------------------------------------


def _check_not_binary(path: str) -> None:
    with _open_binary(path) as fh:
        head = fh.read(_SNIFF_BYTES)
    if b"\x00" in head:
        raise BinaryInput("binary file (NUL bytes), not text", source=path)


def _open_binary(path: str) -> IO[bytes]:
    return gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")


def _read_jsonl_file(path: str, fields: _Fields) -> Iterator[Document]:
    _check_not_binary(path)
    with _open_binary(path) as fh:
        yield from _jsonl_documents(fh, path, fields)


def _read_csv_file(path: str, fields: _Fields) -> Iterator[Document]:
    raise_csv_field_limit()
    if os.path.getsize(path) == 0:
        raise EmptyInput("empty file", source=path)
    _check_not_binary(path)
    with _open_binary(path) as fh:
        reader = csv.reader(_decoded_lines(fh))
        try:
            header = next(reader, None)
        except csv.Error as err:
            raise MalformedRow(f"cannot read the CSV header: {err}", source=f"{path}:1") from None
        if not header:
            raise EmptyInput("empty file (no CSV header)", source=path)
        if _BAD_BYTES.search("".join(header)):
            raise BadEncoding("the CSV header is not valid UTF-8", source=f"{path}:1")
        if fields.text not in header:
            raise MissingField(f"no {fields.text!r} column in the header {header} (use --text-field)", source=path)
        yield from _csv_documents(reader, header, path, fields)


def _decoded_lines(lines: Iterable[bytes]) -> Iterator[str]:
    """UTF-8 lines for the csv module; undecodable bytes become lone surrogates (checked per row)."""
    for index, raw in enumerate(lines):
        if index == 0 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        yield raw.decode("utf-8", "surrogateescape")


_BAD_BYTES = re.compile("[\udc80-\udcff]")


def _csv_documents(reader: Any, header: list[str], path: str, fields: _Fields) -> Iterator[Document]:
    while True:
        start_line = reader.line_num + 1
        where = f"{path}:{start_line}"
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            yield _error_document(where, MalformedRow(f"malformed CSV row: {err}", source=where))
            continue
        if not values:
            continue
        if len(values) != len(header):
            err = MalformedRow(f"expected {len(header)} fields, got {len(values)}", source=where)
            yield _error_document(where, err)
            continue
        if any(_BAD_BYTES.search(v) for v in values):
            yield _error_document(where, BadEncoding("row is not valid UTF-8", source=where))
            continue
        try:
            yield _row_document(dict(zip(header, values)), where, fields)
        except InputError as err:
            yield _error_document(where, err)


def raise_csv_field_limit() -> None:
    limit = sys.maxsize
    while True:
        try:
            csv.field_size_limit(limit)
            return
        except OverflowError:
            limit //= 2


def _read_json_file(path: str, fields: _Fields) -> Iterator[Document]:
    data = _read_bytes(path, fields.max_bytes)
    if not data.strip():
        raise EmptyInput("empty file", source=path)
    try:
        parsed = json.loads(_decode_text(data, path))
    except json.JSONDecodeError as err:
        raise MalformedRow(f"malformed JSON: {err.msg} (line {err.lineno})", source=path) from None
    rows = parsed if isinstance(parsed, list) else [parsed]
    for index, row in enumerate(rows):
        where = f"{path}#{index}"
        if not isinstance(row, dict):
            yield _error_document(where, MalformedRow(f"expected a JSON object, got {type(row).__name__}", source=where))
            continue
        try:
            yield _row_document(row, where, fields)
        except InputError as err:
            yield _error_document(where, err)


def _read_parquet_file(path: str, fields: _Fields) -> Iterator[Document]:
    try:
        import pyarrow.parquet as pq
    except ImportError as err:
        raise UnsupportedFormat("reading parquet needs pyarrow (pip install unspin[io])", source=path) from err
    try:
        parquet = pq.ParquetFile(path)
    except Exception as err:  # noqa: BLE001 - ArrowInvalid and friends
        raise CorruptFile(f"cannot read parquet: {err}", source=path) from None
    if fields.text not in parquet.schema_arrow.names:
        raise MissingField(f"no {fields.text!r} column in {parquet.schema_arrow.names} (use --text-field)", source=path)
    index = 0
    batches = parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS)
    while True:
        try:
            batch = next(batches)
        except StopIteration:
            return
        except Exception as err:  # noqa: BLE001 - a corrupt row group ends the file
            where = f"{path}#{index}"
            yield _error_document(where, CorruptFile(f"cannot read parquet rows from here on: {err}", source=where))
            return
        for row in batch.to_pylist():
            where = f"{path}#{index}"
            index += 1
            try:
                yield _row_document(row, where, fields)
            except InputError as err:
                yield _error_document(where, err)


# --- stdin -----------------------------------------------------------------------------------


def _read_stdin(stream: IO[bytes], fields: _Fields) -> Iterator[Document]:
    """stdin is JSONL when its first non-blank line is a JSON object with the text field."""
    head: list[bytes] = []
    for line in stream:
        head.append(line)
        if line.strip():
            break
    first = head[-1] if head else b""
    if _looks_like_jsonl(first, fields.text):
        lines = _chain(head, stream)
        try:
            yield from _jsonl_documents(lines, STDIN, fields)
        except InputError as err:
            yield _error_document(STDIN, err)
        return
    data = b"".join(head) + stream.read(max(fields.max_bytes + 1 - sum(map(len, head)), 0))
    try:
        if len(data) > fields.max_bytes:
            raise TooLarge(f"over the limit of {fields.max_bytes} bytes (--max-bytes)", source=STDIN)
        text = _extract(data, ".txt", STDIN)
    except InputError as err:
        yield _error_document(STDIN, err)
        return
    yield Document(doc_id=STDIN, text=text, source=STDIN)


def _looks_like_jsonl(line: bytes, text_field: str) -> bool:
    if not line.lstrip().startswith(b"{"):
        return False
    try:
        row = json.loads(line.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return False
    return isinstance(row, dict) and text_field in row


def _chain(head: list[bytes], rest: Iterable[bytes]) -> Iterator[bytes]:
    yield from head
    yield from rest


# --- helpers ---------------------------------------------------------------------------------


def _suffix(path: str) -> str:
    name = os.path.basename(path).lower()
    for suffix in (".jsonl.gz", ".csv.gz"):
        if name.endswith(suffix):
            return suffix
    return os.path.splitext(name)[1]


def _selected(rel: str, include: Sequence[str], exclude: Sequence[str]) -> bool:
    if any(_glob_match(rel, pattern) for pattern in exclude):
        return False
    if include:
        return any(_glob_match(rel, pattern) for pattern in include)
    hidden = any(part.startswith(".") for part in rel.split("/"))
    return not hidden and _suffix(rel) in KNOWN_SUFFIXES


def _glob_match(rel: str, pattern: str) -> bool:
    if fnmatch.fnmatchcase(rel, pattern):
        return True
    if pattern.startswith("**/") and fnmatch.fnmatchcase(rel, pattern[3:]):
        return True
    # a pattern naming a folder ("drafts" or "drafts/") selects everything below it
    folder = pattern.rstrip("/")
    return bool(folder) and not any(c in folder for c in "*?[") and rel.startswith(folder + "/")
