"""The PPS tortured-phrase list as real spinner pairs, split in two halves by phrase.

Single-phrase rows only (`"tortured phrase"` queries with a plain expected phrase). A row goes to
the *test* half when a stable hash of its expected phrase is odd, so every spelling of one
original lands on the same side. The learn half may feed anything; the test half is only ever
restored, phrase by phrase, with the list off, and scored top-1 exact.
"""

from __future__ import annotations

import csv
import re
import zlib
from pathlib import Path

from ..errors import InputError

DEFAULT_PPS = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "pps_tortured_phrases.csv"
Row = tuple[str, list[str]]  # (tortured phrase, expected options, lower-case)


def pps_rows(path: Path) -> list[Row]:
    """Single-phrase rows with a plain expected phrase: (tortured, [expected options])."""
    try:
        handle = open(path, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read the PPS list ({exc.strerror})") from exc
    rows = []
    with handle as f:
        for row in csv.DictReader(f):
            query, expected = row["tortured_phrase"].strip(), row["expected_phrase"].strip()
            m = re.fullmatch(r'"([^"]+)"', query)
            if not m or not expected or re.search(r"[?()\[\]:]|http", expected):
                continue
            rows.append((m.group(1), [e.strip().lower() for e in expected.split("/") if e.strip()]))
    return rows


def in_test_half(expected: list[str]) -> bool:
    return zlib.crc32(expected[0].encode()) % 2 == 1


def pps_split(path: Path) -> tuple[list[Row], list[Row]]:
    """(learn rows, test rows), in file order."""
    rows = pps_rows(path)
    return [r for r in rows if not in_test_half(r[1])], [r for r in rows if in_test_half(r[1])]
