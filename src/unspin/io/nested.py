"""Findings and edits as nested records of one fixed shape, so Arrow (and parquet) stores them
as list<struct> columns rather than JSON strings. Evidence keys differ by kind: it stays one
JSON object per change."""

from __future__ import annotations

import json
from typing import Any, Iterable


def _alternatives(items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"text": str(a.get("text", "")), "score": float(a.get("score") or 0.0)} for a in items or ()]


def _finding_row(f: dict[str, Any]) -> dict[str, Any]:
    span = f.get("span") or {}
    return {"start": int(span.get("start", f.get("start", 0))), "end": int(span.get("end", f.get("end", 0))),
            "observed": f.get("observed", ""), "suggestion": f.get("suggestion", ""), "kind": str(f.get("kind", "")),
            "rule": f.get("rule", ""), "confidence": float(f.get("confidence") or 0.0),
            "alternatives": _alternatives(f.get("alternatives")),
            "evidence": _evidence(f.get("evidence")), "message": str(f.get("message") or "")}


def _evidence(value: Any) -> str:
    """Evidence keys differ by finding kind: kept as one JSON object per finding."""
    return value if isinstance(value, str) else json.dumps(value or {}, ensure_ascii=False, default=str)


def nested_rows(column: str, items: Iterable[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """A record's findings or edits in the fixed shape of `arrow_types()`."""
    row = _finding_row if column == "findings" else _edit_row
    return [row(item) for item in items or ()]


def _edit_row(e: dict[str, Any]) -> dict[str, Any]:
    return {"start": int(e["start"]), "end": int(e["end"]), "observed": e.get("observed", ""),
            "suggestion": e.get("suggestion", e.get("original", "")), "confidence": float(e.get("confidence") or 0.0),
            "alternatives": _alternatives(e.get("alternatives")),
            "evidence": _evidence(e.get("evidence"))}


def arrow_types() -> dict[str, Any]:
    """The Arrow types of the nested columns (also used for parquet output)."""
    import pyarrow as pa

    alternative = pa.struct([("text", pa.string()), ("score", pa.float64())])
    common = [("start", pa.int64()), ("end", pa.int64()), ("observed", pa.string()), ("suggestion", pa.string())]
    finding = pa.struct(common + [("kind", pa.string()), ("rule", pa.string()), ("confidence", pa.float64()),
                                  ("alternatives", pa.list_(alternative)), ("evidence", pa.string()),
                                  ("message", pa.string())])
    edit = pa.struct(common + [("confidence", pa.float64()), ("alternatives", pa.list_(alternative)),
                               ("evidence", pa.string())])
    return {"findings": pa.list_(finding), "edits": pa.list_(edit)}



__all__ = ["arrow_types", "nested_rows"]
