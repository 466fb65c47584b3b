"""Read documents from files, directories and stdin into `unspin.types.Document`s: the one
reader behind every command (scan, restore, trace, index build, learn).

A bad document never stops a run: it becomes a `Document` whose `error` says why
("U101 notes/a.bin: binary file (NUL bytes)"). Only a missing input path raises `InputError`.

Formats by extension:

- ``.txt`` ``.md`` (``.rst`` ``.text`` too with ``ids="relative"``; and any explicitly named file):
  UTF-8 text (a UTF-8 or UTF-16 byte-order mark is honoured); one document per file.
- ``.html`` ``.htm``: main text extracted with trafilatura, falling back to lxml's text and then
  to a parser with no nesting limit.
- ``.pdf``: the text layer, read with pypdf.
- ``.docx``: paragraphs and table cells (read from the archive with lxml).
- ``.jsonl`` ``.ndjson`` ``.jsonl.gz``: one document per line (`text_field`, `id_field`; other fields -> meta).
- ``.csv`` ``.csv.gz``: one document per row, same fields.
- ``.json``: an array of objects (or one object), same fields.
- ``.parquet``: one document per row, read in record batches with pyarrow.

Document ids: the row's `id_field` when present, else ``path`` for a one-document file,
``path:line`` for a JSONL/CSV row (1-based line where the row starts), ``path#row`` for a
JSON or parquet row (0-based row index). stdin is called ``<stdin>``. With ``ids="relative"``
(a reference corpus) ``path`` is the file's path relative to the directory given (its name for
a file given), without the extension. `text_field` and `id_field` may each be a list of
names: the first present, non-empty one is used.

Sizes follow one policy (`unspin.io.limits.Limits`): `max_bytes` limits one document: a whole
file, all of stdin, one line/row/text of the row formats (a large JSONL corpus is fine, one
huge line is not), and it is never read past. Directory walks skip non-regular files (FIFOs,
sockets, devices) with a U111 error document, so a FIFO never hangs a run.
"""

from __future__ import annotations

import codecs
import csv
import fnmatch
import gzip
import json
import os
import re
import stat
import sys
import zlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Iterator, Sequence

from unspin.errors import (  # noqa: F401 - re-exported: every code is importable from here
    BadEncoding,
    BinaryInput,
    CorruptFile,
    EmptyInput,
    InputError,
    MalformedRow,
    MissingField,
    NotRegularFile,
    NoTextLayer,
    TooLarge,
    UnsupportedFormat,
)
from unspin.io.extract import SNIFF_BYTES as _SNIFF_BYTES
from unspin.io.extract import decode_text, extract_text
from unspin.io.limits import BYTES_HINT, Limits
from unspin.io.rows import _error_document, _Fields, _jsonl_documents, _parse_jsonl_line, _row_document, bounded_lines
from unspin.types import Document

STDIN = "<stdin>"
DOCUMENT_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf", ".docx")
CORPUS_TEXT_SUFFIXES = (".rst", ".text")  # also picked from reference-corpus directories
ROW_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".csv", ".csv.gz", ".json", ".parquet")
KNOWN_SUFFIXES = DOCUMENT_SUFFIXES + ROW_SUFFIXES
UPLOAD_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf", ".docx")
PARQUET_BATCH_ROWS = 1024


# --- public API ------------------------------------------------------------------------------


def iter_documents(
    inputs: Sequence[str],
    *,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    text_field: str | Sequence[str] = "text",
    id_field: str | Sequence[str] = "id",
    max_bytes: int | None = None,
    limits: Limits | None = None,
    stdin: IO[bytes] | None = None,
    jsonl: bool = False,
    keep_fields: bool = False,
    ids: str = "path",
) -> Iterator[Document]:
    """Yield one `Document` per input document, in a stable order (directories sorted).

    `include`/`exclude` are glob patterns matched against the path relative to a directory
    input (``*`` also matches ``/``; a leading ``**/`` also matches at the top level). They
    only filter directory walks: a file named explicitly is always read. Without `include`,
    a directory walk picks files with a known extension and skips hidden files and folders.
    `stdin` (a binary stream) replaces ``sys.stdin.buffer`` for the input ``-``.
    `jsonl`: read every named file and stdin as JSON lines, whatever its extension.
    `keep_fields`: `meta` keeps every field of a row but the text (the id too, as it was).
    `ids`: "path" (default) or "relative" (reference corpora: see the module docstring).
    `limits` is the size policy (default `Limits.from_env()`); `max_bytes` overrides its cap.

    Raises `InputError` at once (when called, not when iterated) if an input path does not exist.
    """
    paths = [os.fspath(p) for p in inputs]
    missing = [p for p in paths if p != "-" and not os.path.lexists(p)]
    if missing:
        raise InputError("no such file or directory", source=", ".join(missing))
    limits = Limits.from_env(max_bytes=max_bytes) if limits is None else replace(limits, **_given(max_bytes))
    fields = _Fields(_names(text_field), _names(id_field), limits.max_bytes, limits, keep_fields)
    return _iter_inputs(paths, include, exclude, fields, stdin, _Options(jsonl, ids))


@dataclass(frozen=True)
class _Options:
    jsonl: bool
    ids: str


def _given(max_bytes: int | None) -> dict[str, int]:
    return {} if max_bytes is None else {"max_bytes": max_bytes}


def _names(field: str | Sequence[str]) -> tuple[str, ...]:
    return (field,) if isinstance(field, str) else tuple(field)


def _iter_inputs(
    inputs: list[str], include: Sequence[str], exclude: Sequence[str], fields: _Fields,
    stdin: IO[bytes] | None, options: _Options,
) -> Iterator[Document]:
    for path in inputs:
        if path == "-":
            yield from _read_stdin(stdin if stdin is not None else _stdin_buffer(), fields, options.jsonl)
        elif os.path.isdir(path):
            suffixes = KNOWN_SUFFIXES + (CORPUS_TEXT_SUFFIXES if options.ids == "relative" else ())
            for file_path in walk_directory(path, include=include, exclude=exclude, suffixes=suffixes):
                named = _relative_fields(fields, file_path, path, options)
                if not _is_regular(file_path):
                    yield _error_document(named.name_of(file_path), NotRegularFile(
                        "not a regular file (a FIFO, socket or device): skipped", source=file_path))
                    continue
                yield from _read_file(file_path, named, options.jsonl)
        else:
            yield from _read_file(path, _relative_fields(fields, path, None, options), options.jsonl)


def _relative_fields(fields: _Fields, path: str, root: str | None, options: _Options) -> _Fields:
    if options.ids != "relative":
        return fields
    name = os.path.relpath(path, root) if root is not None else os.path.basename(path)
    name = Path(name).as_posix()
    suffix = _suffix(name)
    return replace(fields, doc_name=name[: len(name) - len(suffix)] if suffix else name)


def _is_regular(path: str) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return True  # let the read report the error


def read_text_input(
    path_or_bytes: str | os.PathLike[str] | bytes, filename: str, *, max_bytes: int | None = None,
    limits: Limits | None = None,
) -> str:
    """The text of one uploaded file (.txt/.md/.html/.htm/.pdf/.docx), chosen by `filename`.

    Raises `InputError` (a coded subclass, e.g. "U103 paper.pdf: no text layer ...") when the
    file cannot be read; the message names `filename`. `limits` (default `Limits.from_env()`)
    bounds the bytes and what they expand to; `max_bytes` overrides its byte cap.
    """
    limits = Limits.from_env(max_bytes=max_bytes) if limits is None else replace(limits, **_given(max_bytes))
    suffix = _suffix(filename)
    if suffix not in UPLOAD_SUFFIXES:
        raise UnsupportedFormat(
            f"unsupported file type {suffix or '(none)'!r}; upload one of {', '.join(UPLOAD_SUFFIXES)}",
            source=filename,
        )
    if isinstance(path_or_bytes, bytes):
        data = path_or_bytes
        if len(data) > limits.max_bytes:
            raise TooLarge(f"{len(data)} bytes is over the limit of {limits.max_bytes} ({BYTES_HINT})", source=filename)
    else:
        try:
            data = _read_bytes(os.fspath(path_or_bytes), limits.max_bytes, label=filename)
        except OSError as err:
            raise InputError(f"cannot read the upload: {err.strerror or err}", source=filename) from None
    return extract_text(data, suffix, filename, limits)


def read_document(
    name: str, *, limits: Limits | None = None, max_bytes: int | None = None, stdin: IO[bytes] | None = None
) -> str:
    """The text of one document: a file (by extension, like a file `iter_documents` is given)
    or all of stdin (``-``, as text: UTF-8, or UTF-16 with a BOM), within the size policy.

    Raises the coded `InputError` naming the input; a row format (.jsonl, .csv, ...) is U107.
    """
    limits = Limits.from_env(max_bytes=max_bytes) if limits is None else replace(limits, **_given(max_bytes))
    if name == "-":
        stream = stdin if stdin is not None else _stdin_buffer()
        data = stream.read(limits.max_bytes + 1)
        if len(data) > limits.max_bytes:
            raise TooLarge(f"over the limit of {limits.max_bytes} bytes ({BYTES_HINT})", source=STDIN)
        return extract_text(data, ".txt", STDIN, limits)
    if not os.path.exists(name):
        raise InputError("no such file", source=name)
    if os.path.isdir(name):
        raise InputError("a directory, not a document (scan reads directories)", source=name)
    suffix = _suffix(name)
    if suffix in ROW_SUFFIXES:
        raise UnsupportedFormat(f"{suffix} holds rows, not one document (use --jsonl, or scan)", source=name)
    try:
        data = _read_bytes(name, limits.max_bytes)
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror or err}", source=name) from None
    return extract_text(data, suffix, name, limits)


def iter_rows(path: str, *, limits: Limits | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
    """The JSON objects of a .jsonl file (one a line) or a .json file (an array, or one object),
    as ("path:line" or "path#row", object): for records that are not documents (trace results,
    pairs). Raises the coded `InputError` of the first line or row that cannot be read."""
    limits = limits or Limits.from_env()
    if not os.path.isfile(path):
        raise InputError("no such file", source=path)
    with open(path, "rb") as fh:
        first = fh.read(64).lstrip()[:1]
    if _suffix(path) == ".json" or first not in (b"{", b""):
        data = _read_bytes(path, limits.max_bytes)
        text = decode_text(data, path)
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            parsed = None
        except RecursionError:
            raise MalformedRow("malformed JSON: nested too deep", source=path) from None
        if parsed is not None:
            for index, row in enumerate(parsed if isinstance(parsed, list) else [parsed]):
                yield f"{path}#{index}", row
            return
    with _open_binary(path) as fh:
        head = fh.read(_SNIFF_BYTES)
        for lineno, raw in enumerate(bounded_lines(head, fh, limits.max_bytes, path), start=1):
            if raw is not None and not raw.strip():
                continue
            yield f"{path}:{lineno}", _parse_jsonl_line(raw, f"{path}:{lineno}", limits.max_bytes)


def walk_directory(
    root: str, *, include: Sequence[str] = (), exclude: Sequence[str] = (), suffixes: Sequence[str] = KNOWN_SUFFIXES
) -> Iterator[str]:
    """Files under `root` (recursive, sorted) that pass the include/exclude patterns (without
    `include`: the files with one of `suffixes`)."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        if not include:
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in sorted(filenames):
            full = os.path.join(dirpath, name)
            rel = Path(os.path.relpath(full, root)).as_posix()
            if _selected(rel, include, exclude, suffixes):
                yield full


# --- dispatch --------------------------------------------------------------------------------


def _read_file(path: str, fields: _Fields, as_jsonl: bool = False) -> Iterator[Document]:
    suffix = _suffix(path)
    row_readers: dict[str, Callable[[str, _Fields], Iterator[Document]]] = {
        ".jsonl": _read_jsonl_file,
        ".ndjson": _read_jsonl_file,
        ".jsonl.gz": _read_jsonl_file,
        ".csv": _read_csv_file,
        ".csv.gz": _read_csv_file,
        ".json": _read_json_file,
        ".parquet": _read_parquet_file,
    }
    reader = _read_jsonl_file if as_jsonl else row_readers.get(suffix)
    if reader is None:
        yield _single_document(path, suffix, fields)
        return
    try:
        yield from reader(path, fields)
    except InputError as err:  # the whole file is unreadable (empty, no text column, corrupt)
        yield _error_document(fields.name_of(path), err)
    except (OSError, EOFError, zlib.error) as err:  # a truncated or damaged .gz ends the file here
        yield _error_document(fields.name_of(path), CorruptFile(f"cannot read from here on: {err}", source=path))


def _single_document(path: str, suffix: str, fields: _Fields) -> Document:
    doc_id = fields.name_of(path)
    try:
        text = extract_text(_read_bytes(path, fields.max_bytes), suffix, path, fields.limits)
    except InputError as err:
        return _error_document(doc_id, err)
    except OSError as err:
        return _error_document(doc_id, CorruptFile(f"cannot read: {err.strerror or err}", source=path))
    return Document(doc_id=doc_id, text=text, source=path)


def _read_bytes(path: str, max_bytes: int, label: str | None = None) -> bytes:
    label = label or path
    size = os.path.getsize(path)
    if size > max_bytes:
        raise TooLarge(f"{size} bytes is over the limit of {max_bytes} ({BYTES_HINT})", source=label)
    with open(path, "rb") as fh:
        data = fh.read(max_bytes + 1)  # a pipe or a file still growing reports no size
    if len(data) > max_bytes:
        raise TooLarge(f"over the limit of {max_bytes} bytes ({BYTES_HINT})", source=label)
    return data


# --- row formats -----------------------------------------------------------------------------


def _check_not_binary(head: bytes, path: str) -> None:
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise BinaryInput("binary file (NUL bytes), not text", source=path)


def _open_binary(path: str) -> IO[bytes]:
    return gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")


def _read_jsonl_file(path: str, fields: _Fields) -> Iterator[Document]:
    with _open_binary(path) as fh:
        head = fh.read(_SNIFF_BYTES)
        _check_not_binary(head, path)
        yield from _jsonl_documents(bounded_lines(head, fh, fields.max_bytes, path), path, fields)


def _read_csv_file(path: str, fields: _Fields) -> Iterator[Document]:
    raise_csv_field_limit()
    with _open_binary(path) as fh:
        head = fh.read(_SNIFF_BYTES)
        if not head:
            raise EmptyInput("empty file", source=path)
        _check_not_binary(head, path)
        lines = _numbered(_decoded_lines(bounded_lines(head, fh, fields.max_bytes, path)))
        header_row = _CsvRows(lines, None, fields.max_bytes)
        header = next(iter(header_row), None)
        if header is not None and header.error:
            raise MalformedRow(f"cannot read the CSV header: {header.error}", source=f"{path}:1")
        if header is None or not header.values:
            raise EmptyInput("empty file (no CSV header)", source=path)
        names = header.values
        if _BAD_BYTES.search("".join(names)):
            raise BadEncoding("the CSV header is not valid UTF-8", source=f"{path}:1")
        if not any(name in names for name in fields.text):
            raise MissingField(f"no {fields.text[0]!r} column in the header {names} (use --text-field)", source=path)
        yield from _csv_documents(_CsvRows(lines, len(names), fields.max_bytes), names, path, fields)


def _numbered(lines: Iterable[str | None]) -> Iterator[tuple[int, str | None]]:
    yield from enumerate(lines, start=1)


def _decoded_lines(lines: Iterable[bytes | None]) -> Iterator[str | None]:
    """UTF-8 lines for the csv module; undecodable bytes become lone surrogates (checked per row).
    None (a line over the size limit) passes through."""
    for index, raw in enumerate(lines):
        if raw is None:
            yield None
            continue
        if index == 0 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        yield raw.decode("utf-8", "surrogateescape")


_BAD_BYTES = re.compile("[\udc80-\udcff]")


@dataclass(frozen=True)
class _CsvRow:
    line: int  # where the row starts
    values: list[str]
    error: str | None = None


class _RowTooLong(Exception):
    pass


class _CsvRows:
    """CSV rows, each parsed on its own: a quote left open, a row that cannot be the header's width,
    or a row over the size limit becomes an error for its first line, and parsing starts again
    on the next line, so an unterminated quote never swallows the rows after it."""

    def __init__(self, lines: Iterator[tuple[int, str | None]], width: int | None, max_bytes: int) -> None:
        self._lines = lines
        self._back: list[tuple[int, str | None]] = []
        self.width = width
        self.max_bytes = max_bytes

    def __iter__(self) -> Iterator[_CsvRow]:
        while True:
            row = self._next_row()
            if row is None:
                return
            yield row

    def _pull(self) -> tuple[int, str | None] | None:
        if self._back:
            return self._back.pop()
        return next(self._lines, None)

    def _next_row(self) -> _CsvRow | None:
        taken: list[tuple[int, str | None]] = []

        def feed() -> Iterator[str]:
            size = 0
            while True:
                item = self._pull()
                if item is None:
                    return
                taken.append(item)
                if item[1] is None:
                    raise _RowTooLong
                size += len(item[1])
                if size > self.max_bytes:
                    raise _RowTooLong
                yield item[1]

        reader = csv.reader(feed(), strict=True)
        try:
            values = next(reader)
        except StopIteration:
            return None
        except _RowTooLong:
            return self._failed(taken, f"row over the limit of {self.max_bytes} bytes ({BYTES_HINT})")
        except csv.Error as err:
            return self._failed(taken, f"malformed CSV row: {err}")
        if len(taken) > 1 and self.width is not None and len(values) != self.width:
            return self._failed(taken, f"malformed CSV row: expected {self.width} fields, got {len(values)}"
                                       " (a quote left open?)")
        return _CsvRow(taken[0][0], values)

    def _failed(self, taken: list[tuple[int, str | None]], message: str) -> _CsvRow:
        self._back.extend(reversed(taken[1:]))  # the lines after the first are read again as rows
        return _CsvRow(taken[0][0] if taken else 0, [], message)


def _csv_documents(rows: _CsvRows, header: list[str], path: str, fields: _Fields) -> Iterator[Document]:
    for row in rows:
        where = f"{path}:{row.line}"
        doc_id = fields.row_name(path, ":", row.line)
        if row.error:
            yield _error_document(doc_id, MalformedRow(row.error, source=where))
            continue
        if not row.values:
            continue
        if len(row.values) != len(header):
            yield _error_document(doc_id, MalformedRow(f"expected {len(header)} fields, got {len(row.values)}", source=where))
            continue
        if any(_BAD_BYTES.search(v) for v in row.values):
            yield _error_document(doc_id, BadEncoding("row is not valid UTF-8", source=where))
            continue
        try:
            yield _row_document(dict(zip(header, row.values)), where, fields, fallback_id=doc_id)
        except InputError as err:
            yield _error_document(doc_id, err)


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
        parsed = json.loads(decode_text(data, path))
    except json.JSONDecodeError as err:
        raise MalformedRow(f"malformed JSON: {err.msg} (line {err.lineno})", source=path) from None
    except RecursionError:
        raise MalformedRow("malformed JSON: nested too deep", source=path) from None
    rows = parsed if isinstance(parsed, list) else [parsed]
    for index, row in enumerate(rows):
        where = f"{path}#{index}"
        doc_id = fields.row_name(path, "#", index)
        if not isinstance(row, dict):
            yield _error_document(doc_id, MalformedRow(f"expected a JSON object, got {type(row).__name__}", source=where))
            continue
        try:
            yield _row_document(row, where, fields, fallback_id=doc_id)
        except InputError as err:
            yield _error_document(doc_id, err)


def _read_parquet_file(path: str, fields: _Fields) -> Iterator[Document]:
    try:
        import pyarrow.parquet as pq
    except ImportError as err:
        raise UnsupportedFormat("reading parquet needs pyarrow (pip install unspin[io])", source=path) from err
    try:
        parquet = pq.ParquetFile(path)
    except Exception as err:  # noqa: BLE001 - ArrowInvalid and friends
        raise CorruptFile(f"cannot read parquet: {err}", source=path) from None
    if not any(name in parquet.schema_arrow.names for name in fields.text):
        raise MissingField(f"no {fields.text[0]!r} column in {parquet.schema_arrow.names} (use --text-field)", source=path)
    index = 0
    batches = parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS)
    while True:
        try:
            batch = next(batches)
        except StopIteration:
            return
        except Exception as err:  # noqa: BLE001 - a corrupt row group ends the file
            where = f"{path}#{index}"
            yield _error_document(fields.row_name(path, "#", index),
                                  CorruptFile(f"cannot read parquet rows from here on: {err}", source=where))
            return
        for row in batch.to_pylist():
            where = f"{path}#{index}"
            doc_id = fields.row_name(path, "#", index)
            index += 1
            try:
                yield _row_document(row, where, fields, fallback_id=doc_id)
            except InputError as err:
                yield _error_document(doc_id, err)


# --- stdin -----------------------------------------------------------------------------------


def _read_stdin(stream: IO[bytes], fields: _Fields, as_jsonl: bool = False) -> Iterator[Document]:
    """stdin is JSONL when its first non-blank line is a JSON object with the text field
    (or always, with `as_jsonl`); else one text document. Never read past `max_bytes` a line."""
    lines = bounded_lines(b"", stream, fields.max_bytes, STDIN)
    head: list[bytes | None] = []
    try:
        for line in lines:
            head.append(line)
            if line is None or line.strip():
                break
        first = head[-1] if head else b""
        if as_jsonl or (first is not None and _looks_like_jsonl(first, fields.text)):
            yield from _jsonl_documents(_chain(head, lines), STDIN, fields)
            return
        data = _join_up_to(head, lines, fields.max_bytes)
        if data is None:
            raise TooLarge(f"over the limit of {fields.max_bytes} bytes ({BYTES_HINT})", source=STDIN)
        text = extract_text(data, ".txt", STDIN, fields.limits)
    except InputError as err:
        yield _error_document(STDIN, err)
        return
    yield Document(doc_id=STDIN, text=text, source=STDIN)


def _stdin_buffer() -> IO[bytes]:
    """sys.stdin's bytes; a text stream without a buffer (an embedding program's) is encoded as UTF-8."""
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is not None:
        return buffer
    import io

    return io.BytesIO(sys.stdin.read().encode("utf-8", "surrogatepass"))


def _join_up_to(head: list[bytes | None], rest: Iterable[bytes | None], max_bytes: int) -> bytes | None:
    """The bytes of the lines, or None when they pass `max_bytes` (reading stops there)."""
    parts: list[bytes] = []
    size = 0
    for line in _chain(head, rest):
        if line is None:
            return None
        size += len(line)
        if size > max_bytes:
            return None
        parts.append(line)
    return b"".join(parts)


def _looks_like_jsonl(line: bytes, text_fields: tuple[str, ...]) -> bool:
    if not line.lstrip().startswith(b"{"):
        return False
    try:
        row = json.loads(line.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return False
    return isinstance(row, dict) and any(name in row for name in text_fields)


def _chain(head: list, rest: Iterable) -> Iterator:
    yield from head
    yield from rest


# --- helpers ---------------------------------------------------------------------------------


def _suffix(path: str) -> str:
    name = os.path.basename(path).lower()
    for suffix in (".jsonl.gz", ".csv.gz"):
        if name.endswith(suffix):
            return suffix
    return os.path.splitext(name)[1]


def _selected(rel: str, include: Sequence[str], exclude: Sequence[str], suffixes: Sequence[str] = KNOWN_SUFFIXES) -> bool:
    if any(_glob_match(rel, pattern) for pattern in exclude):
        return False
    if include:
        return any(_glob_match(rel, pattern) for pattern in include)
    hidden = any(part.startswith(".") for part in rel.split("/"))
    return not hidden and _suffix(rel) in suffixes


def _glob_match(rel: str, pattern: str) -> bool:
    if fnmatch.fnmatchcase(rel, pattern):
        return True
    if pattern.startswith("**/") and fnmatch.fnmatchcase(rel, pattern[3:]):
        return True
    # a pattern naming a folder ("drafts" or "drafts/") selects everything below it
    folder = pattern.rstrip("/")
    return bool(folder) and not any(c in folder for c in "*?[") and rel.startswith(folder + "/")
