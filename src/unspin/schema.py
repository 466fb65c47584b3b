"""One versioned JSON schema for every JSON output: restore, scan, trace and the HTTP API.

Every record gets `schema_version`, and every suggested change is described by the same field
names wherever it appears: `start`/`end` (code points into the text), `observed`, `suggestion`,
`confidence`, `kind`, `message`, `short_message`. Older names stay for one version as
deprecated aliases: a finding's `span` object, an edit's `original`, a swap's
`copy_start`/`copy_end`/`original`. The JSON Schema files are shipped in the package
(`unspin/data/schema/{restore,scan,trace}.json`) and `schema_path(kind)` finds them.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from .messages import finding_message, score_reason

SCHEMA_VERSION = "1.0"
SCHEMA_DIR = Path(__file__).parent / "data" / "schema"
KINDS = ("restore", "scan", "trace")


def schema_path(kind: str) -> Path:
    if kind not in KINDS:
        raise ValueError(f"no schema {kind!r}: one of {', '.join(KINDS)}")
    return SCHEMA_DIR / f"{kind}.json"


@lru_cache(maxsize=None)
def load_schema(kind: str) -> dict[str, Any]:
    return json.loads(schema_path(kind).read_text(encoding="utf-8"))


def versioned(record: dict[str, Any]) -> dict[str, Any]:
    """`record` (a restore, scan or trace record) with `schema_version` and the shared names."""
    out = {"schema_version": SCHEMA_VERSION, **record}
    if isinstance(out.get("findings"), list):
        out["findings"] = [_finding(f) for f in out["findings"]]
        if "spin_probability" in out and not out.get("reason"):
            out["reason"] = score_reason(float(out["spin_probability"] or 0.0), bool(out.get("spun")),
                                         int(out.get("words") or 0), out["findings"])
    if isinstance(out.get("edits"), list):
        out["edits"] = [_edit(e) for e in out["edits"]]
    alignment = out.get("alignment")
    if isinstance(alignment, dict) and isinstance(alignment.get("swaps"), list):
        out["alignment"] = {**alignment, "swaps": [_swap(s) for s in alignment["swaps"]]}
    return out


def _with_message(d: dict[str, Any], kind: str) -> dict[str, Any]:
    if not d.get("message") or not d.get("short_message"):
        words = finding_message(str(d.get("observed", "")), str(d.get("suggestion", "")), kind, str(d.get("rule", "")))
        d.setdefault("message", words.message)
        d.setdefault("short_message", words.short)
        d["message"] = d["message"] or words.message
        d["short_message"] = d["short_message"] or words.short
    return d


def _finding(f: Any) -> Any:
    if not isinstance(f, dict):
        return f
    span = f.get("span") or {}
    d = {"start": span.get("start"), "end": span.get("end"), **f}
    return _with_message(d, str(d.get("kind", "model")))


def _edit(e: Any) -> Any:
    if not isinstance(e, dict):
        return e
    d = {**e}
    d.setdefault("suggestion", d.get("original", ""))
    d.setdefault("original", d["suggestion"])
    sources = (d.get("evidence") or {}).get("sources") or () if isinstance(d.get("evidence"), dict) else ()
    kind = "fingerprint" if "fingerprint" in sources else "model"
    d.setdefault("kind", kind)
    return _with_message(d, kind)


def _swap(s: Any) -> Any:
    if not isinstance(s, dict):
        return s
    d = {"start": s.get("copy_start"), "end": s.get("copy_end"), **s}
    d.setdefault("suggestion", d.get("original", ""))
    return d


__all__ = ["KINDS", "SCHEMA_DIR", "SCHEMA_VERSION", "load_schema", "schema_path", "versioned"]
