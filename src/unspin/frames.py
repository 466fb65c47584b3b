"""Scan or restore a column of a pandas DataFrame or an Arrow table.

    >>> import pandas as pd, unspin
    >>> df = pd.DataFrame({"id": [1, 2], "text": ["The corporate said ...", "Clean text."]})
    >>> unspin.scan_frame(df, text="text", fingerprints="pps.csv")   # df's columns + the report's
    >>> unspin.restore_frame(df, text="text", lm="ngram")            # df's columns + restored, edits

The result is the same kind of table as the input (pandas in, pandas out; Arrow in, Arrow out),
with every input column kept and one row per input row. Findings and edits stay nested: a list of
records per row (list<struct> in Arrow and parquet, lists of dicts in pandas), never a JSON
string. A row whose text is missing or not a string gets an `error` and empty results.
pandas and pyarrow are imported only when these functions run.
"""

from __future__ import annotations

from typing import Any, Callable

from .io.nested import arrow_types, nested_rows

SCAN_COLUMNS = ("spin_probability", "spun", "words", "findings_per_1k", "findings", "error")
RESTORE_COLUMNS = ("restored", "words", "edits", "error")


def scan_frame(table: Any, *, text: str = "text", fingerprints: Any = None, prefix: str = "", **options: Any) -> Any:
    """`unspin.scan` over each row's `text`: the input columns plus the report's columns.

    fingerprints: a list path, a FingerprintMatcher, None ($UNSPIN_FINGERPRINTS) or False;
    options: those of `unspin.scan` (use_model, thorough, lm, threshold, screener,
    restorer); prefix: put before each new column's name (if the table already has such names).
    """
    from . import fingerprint_list
    from . import scan

    matcher = fingerprint_list(fingerprints)

    def one(value: str) -> dict[str, Any]:
        report = scan(value, fingerprints=matcher, **options).to_dict()
        report["findings"] = nested_rows("findings", report["findings"])
        return report

    return _apply(table, text, one, SCAN_COLUMNS, prefix)


def restore_frame(table: Any, *, text: str = "text", lm: str = "ngram", restorer: Any = None,
                  threshold: float | None = None, prefix: str = "", **options: Any) -> Any:
    """Restore each row's `text`: the input columns plus restored, words, edits, error."""
    if restorer is None:
        from . import load_restorer

        restorer = load_restorer(lm, **options)

    def one(value: str) -> dict[str, Any]:
        result = restorer.restore(value, threshold=threshold)
        return {"restored": result.restored, "words": result.words,
                "edits": nested_rows("edits", [e.to_dict() for e in result.edits]), "error": None}

    return _apply(table, text, one, RESTORE_COLUMNS, prefix)


# --- tables ----------------------------------------------------------------------------------


def _apply(table: Any, column: str, one: Callable[[str], dict[str, Any]], columns: tuple[str, ...], prefix: str) -> Any:
    texts, kind = _column(table, column)
    results = [_row(one, value, i, column) for i, value in enumerate(texts)]
    names = {c: prefix + c for c in columns}
    clash = [names[c] for c in columns if names[c] in _names(table, kind) and names[c] != column]
    if clash:
        raise ValueError(f"the table already has columns {clash}: pass prefix= to name the result columns apart")
    values = {names[c]: [r.get(c) for r in results] for c in columns}
    return _with_columns(table, kind, values, {names[c]: c for c in columns})


def _row(one: Callable[[str], dict[str, Any]], value: Any, i: int, column: str) -> dict[str, Any]:
    if not isinstance(value, str):
        return {"error": f"U109 row {i}: {column!r} is {'missing' if value is None else type(value).__name__}, not text"}
    return one(value)


def _column(table: Any, column: str) -> tuple[list[Any], str]:
    if hasattr(table, "to_pylist") and hasattr(table, "column_names"):  # pyarrow.Table
        if column not in table.column_names:
            raise KeyError(f"no column {column!r}; the table has {table.column_names}")
        return table.column(column).to_pylist(), "arrow"
    if hasattr(table, "columns") and hasattr(table, "assign"):  # pandas.DataFrame
        if column not in table.columns:
            raise KeyError(f"no column {column!r}; the frame has {list(table.columns)}")
        return [None if _is_missing(v) else v for v in table[column].tolist()], "pandas"
    raise TypeError(f"scan_frame/restore_frame take a pandas DataFrame or a pyarrow Table, not {type(table).__name__}")


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _names(table: Any, kind: str) -> list[str]:
    return list(table.column_names) if kind == "arrow" else [str(c) for c in table.columns]


def _with_columns(table: Any, kind: str, values: dict[str, list[Any]], base: dict[str, str]) -> Any:
    if kind == "pandas":
        return table.assign(**values)
    import pyarrow as pa

    nested = arrow_types()
    for name, column in values.items():
        table = table.append_column(name, pa.array(column, type=nested.get(base[name])))
    return table


__all__ = ["RESTORE_COLUMNS", "SCAN_COLUMNS", "arrow_types", "nested_rows", "restore_frame", "scan_frame"]
