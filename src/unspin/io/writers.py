"""Write result records (plain dicts) as JSONL, CSV, parquet or one JSON array.

    with open_writer("jsonl", "out.jsonl") as writer:
        writer.write(report.to_dict())

What survives an interrupted run:

- ``jsonl`` and ``csv`` write and flush one record at a time, so a killed run leaves every
  finished record; a half-written last line is ignored by `completed_ids` and cut off when
  the file is opened again with ``append=True``. These two are the formats for ``--resume``.
- ``json`` and ``parquet`` hold the records in memory and write the file on `close()`
  (atomically, through a temporary file). `close()` runs on Ctrl-C (KeyboardInterrupt), so
  the output is valid, but a killed process (SIGKILL, power loss) leaves no file.
  ``append=True`` reads the existing file back and rewrites it with the new records.

CSV and parquet flatten each record: nested lists and dicts become JSON strings, None an
empty cell (CSV) or null (parquet). The CSV header is the keys of the first record that has
more than ``doc_id``/``error`` (error-only records are held back until one arrives), or the
header of the file being appended to; keys outside it are dropped with a warning.
"""

from __future__ import annotations

import csv
import dataclasses
import enum
import io
import json
import os
import sys
import tempfile
import warnings
from pathlib import PurePath
from typing import IO, Any, Iterator, Sequence

from .readers import raise_csv_field_limit

FORMATS = ("jsonl", "csv", "parquet", "json")
_SUFFIX_FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet", ".json": "json"}
_ERROR_KEYS = frozenset({"doc_id", "error"})


class Writer:
    """Writes records; use as a context manager. `close()` is idempotent."""

    def __init__(self) -> None:
        self.count = 0  # records written so far
        self.closed = False

    def write(self, record: dict[str, Any]) -> None:
        if self.closed:
            raise ValueError("write to a closed writer")
        self._write(record)
        self.count += 1

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._close()

    def __enter__(self) -> "Writer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _write(self, record: dict[str, Any]) -> None:
        raise NotImplementedError

    def _close(self) -> None:
        raise NotImplementedError


def open_writer(fmt: str, path: str | None, *, append: bool = False, fields: Sequence[str] | None = None) -> Writer:
    """A writer of `fmt` (jsonl|csv|parquet|json) to `path`, or to stdout when path is None/"-".

    `append=True` continues an existing file (see the module docstring); `fields` fixes the
    CSV columns up front instead of taking them from the first record.
    """
    if path == "-":
        path = None
    try:
        if fmt == "jsonl":
            return JsonlWriter(path, append=append)
        if fmt == "csv":
            return CsvWriter(path, append=append, fields=fields)
        if fmt == "json":
            return JsonWriter(path, append=append)
        if fmt == "parquet":
            return ParquetWriter(path, append=append)
    except OSError as err:  # read-only or full filesystem, missing folder, permissions
        from unspin.errors import OutputError

        raise OutputError(f"cannot open the output: {err.strerror or err}", source=path) from err
    raise ValueError(f"unknown output format {fmt!r}; choose one of {', '.join(FORMATS)}")


def refuse_overwriting_inputs(output: str | None, inputs: Sequence[str]) -> None:
    """Raise U112 when `output` is one of the `inputs` (the same file by device and inode, so a
    link or another spelling of the path is caught too). Nothing to check for stdout."""
    if not output or output == "-" or not os.path.exists(output):
        return
    target = os.stat(output)
    for name in inputs:
        if name == "-" or not os.path.exists(name):
            continue
        info = os.stat(name)
        if (info.st_dev, info.st_ino) == (target.st_dev, target.st_ino):
            from unspin.errors import OutputIsInput

            raise OutputIsInput(f"the output is the input {name}: write somewhere else", source=output)


def format_from_path(path: str | None, default: str = "jsonl") -> str:
    """The output format a file name implies ("out.csv" -> "csv"), else `default`."""
    if not path or path == "-":
        return default
    return _SUFFIX_FORMATS.get(os.path.splitext(path)[1].lower(), default)


# --- JSONL -----------------------------------------------------------------------------------


class JsonlWriter(Writer):
    def __init__(self, path: str | None, *, append: bool = False) -> None:
        super().__init__()
        self.path = path
        if path is None:
            self._fh: IO[str] = sys.stdout
        else:
            if append:
                _cut_partial_line(path)
            self._fh = open(path, "a" if append else "w", encoding="utf-8")

    def _write(self, record: dict[str, Any]) -> None:
        try:
            self._fh.write(dumps(record) + "\n")
        except UnicodeEncodeError:  # a lone surrogate: JSON can escape it, UTF-8 cannot hold it
            self._fh.write(json.dumps(record, ensure_ascii=True, default=_json_default) + "\n")
        self._fh.flush()

    def _close(self) -> None:
        if self.path is None:
            self._fh.flush()
        else:
            self._fh.close()


# --- CSV -------------------------------------------------------------------------------------


class CsvWriter(Writer):
    def __init__(self, path: str | None, *, append: bool = False, fields: Sequence[str] | None = None) -> None:
        super().__init__()
        self.path = path
        self.fields: list[str] | None = list(fields) if fields else None
        self._pending: list[dict[str, Any]] = []
        self._warned: set[str] = set()
        header_written = False
        if path is not None and append and os.path.exists(path):
            header, _, end = scan_csv(path)
            _truncate(path, end)
            if header:
                self.fields = self.fields or header
                header_written = True
        if path is None:
            self._fh: IO[str] = sys.stdout
        else:
            self._fh = open(path, "a" if append else "w", encoding="utf-8", newline="")
        self._csv = csv.writer(self._fh, lineterminator="\n")
        self._header_written = header_written

    def _write(self, record: dict[str, Any]) -> None:
        if self.fields is None and set(record) <= _ERROR_KEYS:
            self._pending.append(record)
            return
        if self.fields is None:
            self.fields = list(record)
        self._flush_pending()
        self._write_row(record)
        self._fh.flush()

    def _flush_pending(self) -> None:
        if self.fields is None:
            self.fields = ["doc_id", "error"]
        if not self._header_written:
            self._csv.writerow(self.fields)
            self._header_written = True
        pending, self._pending = self._pending, []
        for record in pending:
            self._write_row(record)

    def _write_row(self, record: dict[str, Any]) -> None:
        assert self.fields is not None
        extra = [k for k in record if k not in self.fields and k not in self._warned]
        if extra:
            self._warned.update(extra)
            warnings.warn(f"CSV output has no column for {extra}; those values are dropped", stacklevel=4)
        self._csv.writerow([_csv_cell(record.get(k)) for k in self.fields])

    def _close(self) -> None:
        if self._pending or (self.count and not self._header_written):
            self._flush_pending()
        if self.path is None:
            self._fh.flush()
        else:
            self._fh.close()


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return dumps(value)


# --- JSON and parquet: buffered, written on close --------------------------------------------


class JsonWriter(Writer):
    def __init__(self, path: str | None, *, append: bool = False) -> None:
        super().__init__()
        self.path = path
        self.records: list[dict[str, Any]] = []
        if path is not None and append and os.path.exists(path) and os.path.getsize(path):
            with open(path, encoding="utf-8") as fh:
                self.records = list(json.load(fh))

    def _write(self, record: dict[str, Any]) -> None:
        self.records.append(_plain(record))

    def _close(self) -> None:
        text = json.dumps(self.records, ensure_ascii=False, indent=1, default=_json_default) + "\n"
        if self.path is None:
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            _atomic_write(self.path, text.encode("utf-8"))


class ParquetWriter(Writer):
    """Buffers the records and writes one parquet file on close. Findings and edits are nested
    list<struct> columns (`unspin.frames.arrow_types`); other nested values are JSON."""

    def __init__(self, path: str | None, *, append: bool = False) -> None:
        super().__init__()
        try:
            import pyarrow  # noqa: F401
        except ImportError as err:
            from unspin.errors import MissingExtraError

            raise MissingExtraError("io", "parquet output") from err
        self.path = path
        self.records: list[dict[str, Any]] = []
        if path is not None and append and os.path.exists(path) and os.path.getsize(path):
            import pyarrow.parquet as pq

            self.records = pq.read_table(path).to_pylist()

    def _write(self, record: dict[str, Any]) -> None:
        from unspin.io.nested import nested_rows

        self.records.append({k: nested_rows(k, v) if k in _NESTED and isinstance(v, list) else _flat(v)
                             for k, v in record.items()})

    def _close(self) -> None:
        import pyarrow.parquet as pq

        buffer = io.BytesIO()
        pq.write_table(_arrow_table(self.records), buffer)
        if self.path is None:
            sys.stdout.buffer.write(buffer.getvalue())
            sys.stdout.buffer.flush()
        else:
            _atomic_write(self.path, buffer.getvalue())


_NESTED = ("findings", "edits")


def _arrow_table(records: list[dict[str, Any]]) -> Any:
    import pyarrow as pa

    from unspin.io.nested import arrow_types

    nested = arrow_types()
    names: dict[str, None] = {}
    for record in records:
        names.update(dict.fromkeys(record))
    columns = {}
    for name in names:
        values = [r.get(name) for r in records]
        try:
            columns[name] = pa.array(values, type=nested.get(name))
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError):
            columns[name] = pa.array([None if v is None else str(v) for v in values], type=pa.string())
    return pa.table(columns) if columns else pa.table({"doc_id": pa.array([], type=pa.string())})


def _flat(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return dumps(value)


# --- reading back what was written (for --resume) --------------------------------------------


def scan_jsonl(path: str) -> tuple[list[dict[str, Any]], int]:
    """The complete, parseable records of a JSONL file and the byte offset after the last
    complete line (a line cut short by a killed run is not counted)."""
    records: list[dict[str, Any]] = []
    end = 0
    with open(path, "rb") as fh:
        for raw in fh:
            if not raw.endswith(b"\n"):
                break
            end += len(raw)
            try:
                record = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError):
                continue
            if isinstance(record, dict):
                records.append(record)
    return records, end


def scan_csv(path: str) -> tuple[list[str], list[dict[str, str]], int]:
    """Header, complete rows and the byte offset after the last complete row of a CSV file.

    A row is complete when it has as many fields as the header and ends with a newline that
    is not inside a quoted field (a row cut short by a killed run is not counted)."""
    raise_csv_field_limit()
    header: list[str] = []
    rows: list[dict[str, str]] = []
    end = 0
    with open(path, encoding="utf-8", errors="replace", newline="") as fh:
        lines = _CountedLines(fh)
        reader = csv.reader(lines, strict=True)
        while True:
            try:
                values = next(reader)
            except (StopIteration, csv.Error):
                break
            if not lines.last_line_complete:
                break
            if not header:
                header = values
            elif len(values) == len(header):
                rows.append(dict(zip(header, values)))
            elif values:
                break
            end = lines.consumed
    return header, rows, end


class _CountedLines:
    """Lines of a text file, counting the UTF-8 bytes handed out so far."""

    def __init__(self, lines: Iterator[str]) -> None:
        self._lines = iter(lines)
        self.consumed = 0
        self.last_line_complete = True

    def __iter__(self) -> "_CountedLines":
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.consumed += len(line.encode("utf-8", "surrogateescape"))
        self.last_line_complete = line.endswith(("\n", "\r"))
        return line


def _cut_partial_line(path: str) -> None:
    if os.path.exists(path):
        _, end = scan_jsonl(path)
        _truncate(path, end)


def _truncate(path: str, end: int) -> None:
    if os.path.getsize(path) > end:
        with open(path, "r+b") as fh:
            fh.truncate(end)


def _atomic_write(path: str, data: bytes) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".unspin-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# --- JSON encoding ---------------------------------------------------------------------------


def dumps(value: Any) -> str:
    """Compact JSON for one record or value (UTF-8 kept, enums/dataclasses/paths handled)."""
    return json.dumps(value, ensure_ascii=False, default=_json_default)


def _plain(record: dict[str, Any]) -> dict[str, Any]:
    return json.loads(dumps(record))


def _json_default(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    if isinstance(value, PurePath):
        return str(value)
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
