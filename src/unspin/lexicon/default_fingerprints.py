"""The fingerprint list unspin can use out of the box: TorturePhrases_Estimator's queries.

PyPI `TorturePhrases_Estimator` (MIT licence) ships about 7,400 distinct tortured phrases as
Problematic-Paper-Screener-style queries, unquoted ("profound learning AND deep learning",
"grouping relapse~5") and without expected phrases. `default_list_csv()` rewrites them once
into the PPS CSV format `FingerprintMatcher.from_csv` reads (each phrase quoted, operators and
proximity kept; expected phrase empty), under the cache directory; nothing is downloaded.
Whether this list is used by default is decided by its measured hits on clean text
(BENCHMARKS.md, `python -m unspin.bench.default_fingerprints`).
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import io
import re
from pathlib import Path

from ..errors import MissingExtraError
from .fingerprint_query import parse_query

PACKAGE = "TorturePhrases_Estimator"
LIST_FILE = "tortured_phrases_list.txt"
LISTED_BY = "TorturePhrases_Estimator"
_OPERATOR = re.compile(r"\s*\b(AND|OR|NOT)\b\s*")


def package_list() -> Path:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise MissingExtraError("fingerprints", f"the default fingerprint list (pip install {PACKAGE})")
    return Path(next(iter(spec.submodule_search_locations))) / LIST_FILE


def pps_query(line: str) -> str:
    """An unquoted query as a PPS one: every phrase between operators quoted, grouping and ~N kept."""
    line = " ".join(line.split())
    if not _OPERATOR.search(line) and not re.search(r"~\d+$", line):
        return f'"{line}"'
    out = []
    for piece in _OPERATOR.split(line):
        if piece in ("AND", "OR", "NOT"):
            out.append(piece)
        elif piece.strip():
            out.append(_quoted(piece.strip()))
    return " ".join(out)


def _quoted(piece: str) -> str:
    lead = len(piece) - len(piece.lstrip("("))
    body = piece.lstrip("(").strip()
    trail = 0
    while body.endswith(")") and body.count(")") > body.count("("):
        body, trail = body[:-1].rstrip(), trail + 1
    slop = re.search(r"~(\d+)$", body)
    if slop:
        body = body[: slop.start()].rstrip()
    return "(" * lead + f'"{body}"' + (f"~{slop.group(1)}" if slop else "") + ")" * trail


COMMON_WORD_ZIPF = 3.0  # wordfreq: about once per 1,000,000 words or more often


def everyday_word(line: str) -> bool:
    """A single common English word ("surface") on its own is no tortured phrase: the list's
    one-word entries are meant to be compounds nobody writes ("neuro-fluffy")."""
    if not line.isalpha():  # phrases, operators, compounds ("neuro-fluffy"), acronyms with digits
        return False
    from wordfreq import zipf_frequency

    return zipf_frequency(line, "en") >= COMMON_WORD_ZIPF


def list_rows(text: str) -> list[tuple[str, str, str]]:
    """(query, expected, num_papers) rows of the package's list: distinct, parseable, in order,
    without one-word entries that are everyday English words."""
    rows, seen = [], set()
    for line in text.splitlines()[1:]:  # the first line is a title ("Tortured Phrases")
        line = line.strip()
        if not line or line.lower() in seen or everyday_word(line):
            continue
        seen.add(line.lower())
        query = pps_query(line)
        try:
            parse_query(query)
        except ValueError:
            continue
        rows.append((query, "", ""))
    return rows


_RULES_VERSION = "1"  # bump when list_rows changes what it keeps


def default_list_csv() -> Path:
    """The package's list as a PPS CSV in the cache (written once per list version)."""
    from ..config import cache_dir

    raw = package_list().read_bytes()
    digest = hashlib.sha1(raw + _RULES_VERSION.encode()).hexdigest()[:12]
    target = cache_dir() / "fingerprints" / f"torturephrases-{digest}.csv"
    if not target.exists():
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["tortured_phrase", "expected_phrase", "num_papers"])
        writer.writerows(list_rows(raw.decode("utf-8", errors="replace")))
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        tmp.write_text(buffer.getvalue(), encoding="utf-8")
        tmp.replace(target)
    return target


__all__ = ["LISTED_BY", "default_list_csv", "list_rows", "package_list", "pps_query"]
