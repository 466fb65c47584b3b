"""Which fingerprint list a scan or a restore uses: the user's, the bundled one, or both merged.

The bundled list (`default_fingerprints`: TorturePhrases_Estimator's queries, measured on clean
text in BENCHMARKS.md) is on by default when its package is installed. A user's list (a path, or
$UNSPIN_FINGERPRINTS) is merged with it: the user's rows come first and keep their expected
phrases; bundled rows for the same phrase are dropped. $UNSPIN_DEFAULT_FINGERPRINTS=0 (the CLI's
--no-default-fingerprints) leaves the bundled list out. The merged list is one CSV in the cache.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
from pathlib import Path

BUNDLED_ENV = "UNSPIN_DEFAULT_FINGERPRINTS"


def bundled_enabled() -> bool:
    return os.environ.get(BUNDLED_ENV, "1").strip().lower() not in ("0", "false", "no", "off")


def bundled_list(enabled: bool | None = None) -> Path | None:
    """The bundled list as a PPS CSV, or None when it is turned off (`enabled`, by default
    $UNSPIN_DEFAULT_FINGERPRINTS) or its package is missing."""
    if not (bundled_enabled() if enabled is None else enabled):
        return None
    from ..errors import MissingExtraError
    from .default_fingerprints import default_list_csv

    try:
        return default_list_csv()
    except MissingExtraError:
        return None


def effective_list(user: str | os.PathLike | None, bundled_on: bool | None = None) -> str | None:
    """The path of the list to load: the user's merged with the bundled one, either alone, or None.
    `bundled_on`: whether the bundled list joins (default: $UNSPIN_DEFAULT_FINGERPRINTS)."""
    bundled = bundled_list(bundled_on)
    if user is None or str(user) == "":
        return str(bundled) if bundled is not None else None
    if bundled is None:
        return os.fspath(user)
    return str(_merged(Path(user), bundled))


def _rows(path: Path) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))
    if rows and rows[0] and rows[0][0].strip().lower() in ("tortured_phrase", "query", "phrase"):
        rows = rows[1:]
    return [r for r in rows if r and r[0].strip()]


def _anchor(query: str) -> str:
    parts = query.split('"')
    return (parts[1] if len(parts) > 2 else query).strip().lower()


def _merged(user: Path, bundled: Path) -> Path:
    from ..config import cache_dir
    from ..errors import InputError

    try:
        raw = user.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read fingerprint list: {exc}", source=str(user)) from exc
    digest = hashlib.sha1(raw + b"\0" + bundled.name.encode()).hexdigest()[:16]
    target = cache_dir() / "fingerprints" / f"merged-{digest}.csv"
    if target.exists():
        return target
    mine = _rows(user)
    taken = {_anchor(r[0]) for r in mine}
    theirs = [r for r in _rows(bundled) if _anchor(r[0]) not in taken]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["tortured_phrase", "expected_phrase", "num_papers"])
    writer.writerows(mine + theirs)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(buffer.getvalue(), encoding="utf-8")
    tmp.replace(target)
    return target


__all__ = ["BUNDLED_ENV", "bundled_enabled", "bundled_list", "effective_list"]
