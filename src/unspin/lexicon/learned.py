"""Swaps learned from traced pairs (copy aligned against its source) or deciphered from spun
text alone (`unspin.learn`), with counts and confidences.

File format (TSV, UTF-8), one row per pair, most confident first:

    # unspin learned lexicon v2 pairs=N documents=D
    observed <TAB> original <TAB> count [<TAB> confidence [<TAB> seen]]

count: occurrences of the swap (traced, or EM's estimate); confidence: probability that the
spinner has this rule (1 for traced swaps, which were seen); seen: occurrences of the observed
form in the corpus it was learned from (0: unknown). v1 files (three columns) still load, with
confidence 1 and seen unknown.

`lookup(observed)` gives the originals this spinner was seen to replace with `observed`;
`channel(observed, original)` is the learned q(observed | original) for the decoder;
`prior_logodds(observed, original)` the log-odds that an occurrence of `observed` was the
original, where the corpus said how often it occurs (deciphered pairs), else None.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable, Iterator

from ..errors import ArtifactError
from ..types import Source

HEADER = "# unspin learned lexicon v2"
SOURCE = Source.LEARNED
_SPACE = re.compile(r"\s+")


def normalize(phrase: str) -> str:
    return _SPACE.sub(" ", phrase.replace("’", "'")).strip().lower()


class LearnedLexicon:
    def __init__(self) -> None:
        self._counts: dict[tuple[str, str], int] = defaultdict(int)
        self._by_observed: dict[str, dict[str, int]] = defaultdict(dict)
        self._by_original: dict[str, int] = defaultdict(int)
        self._variants: dict[str, int] = defaultdict(int)  # distinct observed forms per original
        self._confidence: dict[tuple[str, str], float] = {}
        self._seen: dict[str, int] = {}  # occurrences of an observed form in the learning corpus
        self.documents = 0  # aligned pairs (or spun documents) learned from

    # --- building ------------------------------------------------------------------------

    def add(self, observed: str, original: str, count: int = 1, confidence: float = 1.0, seen: int = 0) -> None:
        """Add a swap; counts add up, the confidence kept is the higher one (a traced swap is
        certain; a deciphered one keeps the confidence of the corpus that showed it best)."""
        observed, original = normalize(observed), normalize(original)
        if not observed or not original or observed == original or count <= 0:
            return
        key = (observed, original)
        if key not in self._counts:
            self._variants[original] += 1
        self._confidence[key] = max(self._confidence.get(key, 0.0), min(max(confidence, 0.0), 1.0))
        if seen > 0:
            self._seen[observed] = max(self._seen.get(observed, 0), seen)
        self._counts[(observed, original)] += count
        self._by_observed[observed][original] = self._counts[(observed, original)]
        self._by_original[original] += count

    def add_pairs(self, pairs: Iterable[tuple[str, str] | tuple[str, str, int]]) -> int:
        """Add (observed, original) or (observed, original, count) rows; returns rows added."""
        n = 0
        for pair in pairs:
            if len(pair) not in (2, 3):
                raise ValueError(f"want (observed, original[, count]), got {pair!r}")
            self.add(pair[0], pair[1], int(pair[2]) if len(pair) == 3 else 1)
            n += 1
        return n

    def add_alignment(self, alignment: Any) -> int:
        """Learn every swap of an `unspin.trace.Alignment` (copy against its source)."""
        self.documents += 1
        return self.add_pairs((s.observed, s.original) for s in alignment.swaps)

    def merge(self, other: "LearnedLexicon") -> None:
        for (observed, original), count in other._counts.items():
            self.add(observed, original, count, other._confidence[(observed, original)], other._seen.get(observed, 0))
        self.documents += other.documents

    # --- reading -------------------------------------------------------------------------

    def lookup(self, observed: str) -> list[tuple[str, int]]:
        """Originals seen replaced by `observed`, most frequent first."""
        found = self._by_observed.get(normalize(observed), {})
        return sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))

    def count(self, observed: str, original: str) -> int:
        return self._counts.get((normalize(observed), normalize(original)), 0)

    def confidence(self, observed: str, original: str) -> float:
        return self._confidence.get((normalize(observed), normalize(original)), 0.0)

    def seen(self, observed: str) -> int:
        return self._seen.get(normalize(observed), 0)

    def prior_logodds(self, observed: str, original: str) -> float | None:
        """log-odds that one occurrence of `observed` stands for `original`: the rule's
        confidence times the share of the observed form's occurrences it accounts for. None
        where the corpus count of the observed form is unknown (traced or v1 rows)."""
        seen = self.seen(observed)
        count = self.count(observed, original)
        if not seen or not count:
            return None
        p = min(max(self.confidence(observed, original) * min(count / seen, 1.0), 1e-4), 1 - 1e-3)
        return math.log(p / (1 - p))

    def channel(self, observed: str, original: str, smoothing: float = 1.0) -> float:
        """Learned q(observed | original): share of the original's observed swaps (add-k smoothed)."""
        original = normalize(original)
        total = self._by_original.get(original, 0)
        if total == 0:
            return 0.0
        return (self.count(observed, original) + smoothing) / (total + smoothing * (self._variants[original] + 1))

    def pairs(self) -> Iterator[tuple[str, str, int]]:
        """(observed, original, count), most frequent first."""
        for (observed, original), count in sorted(self._counts.items(), key=lambda kv: (-kv[1], kv[0])):
            yield observed, original, count

    def rows(self) -> Iterator[tuple[str, str, int, float, int]]:
        """(observed, original, count, confidence, seen), most confident (then frequent) first."""
        conf = self._confidence
        for (observed, original), count in sorted(self._counts.items(), key=lambda kv: (-conf[kv[0]], -kv[1], kv[0])):
            yield observed, original, count, round(conf[(observed, original)], 4), self._seen.get(observed, 0)

    def __len__(self) -> int:
        return len(self._counts)

    def __contains__(self, observed: str) -> bool:
        return normalize(observed) in self._by_observed

    # --- files ---------------------------------------------------------------------------

    def save(self, path: str | Path) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "w", encoding="utf-8", newline="") as out:
            out.write(f"{HEADER} pairs={len(self)} documents={self.documents}\n")
            writer = csv.writer(out, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\", lineterminator="\n")
            writer.writerows(self.rows())
        tmp.replace(path)

    @classmethod
    def load(cls, path: str | Path) -> "LearnedLexicon":
        path = Path(path)
        if not path.is_file():
            raise ArtifactError("learned lexicon not found: build one with `unspin learn`", source=str(path))
        lexicon = cls()
        with open(path, encoding="utf-8") as rows:
            for lineno, line in enumerate(rows, 1):
                if lineno == 1 and line.startswith("#"):
                    lexicon.documents = _header_documents(line)
                    continue
                if not line.strip():
                    continue
                lexicon.add(*_parse_row(line.rstrip("\n"), f"{path}:{lineno}"))
        return lexicon

    def to_rows(self) -> list[dict[str, Any]]:
        return [{"observed": o, "original": r, "count": c, "confidence": p, "seen": n} for o, r, c, p, n in self.rows()]

    def export(self, fmt: str) -> str:
        """The lexicon as "tsv", "csv" or "json" text."""
        if fmt == "json":
            return json.dumps({"documents": self.documents, "pairs": self.to_rows()}, ensure_ascii=False, indent=1)
        if fmt not in ("tsv", "csv"):
            raise ValueError(f"unknown export format {fmt!r} (tsv, csv, json)")
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter="\t" if fmt == "tsv" else ",", lineterminator="\n")
        writer.writerow(["observed", "original", "count", "confidence", "seen"])
        writer.writerows(self.rows())
        return buf.getvalue()


def _header_documents(line: str) -> int:
    m = re.search(r"documents=(\d+)", line)
    return int(m.group(1)) if m else 0


def _parse_row(line: str, where: str) -> tuple[str, str, int, float, int]:
    fields = line.split("\t")
    if not 3 <= len(fields) <= 5 or not fields[0] or not fields[1]:
        raise ArtifactError(f"malformed learned-lexicon row (want observed, original, count[, confidence[, seen]]): {line!r}", source=where)
    try:
        count = int(fields[2])
    except ValueError:
        raise ArtifactError(f"count is not an integer: {fields[2]!r}", source=where) from None
    if count <= 0:
        raise ArtifactError(f"count must be positive: {count}", source=where)
    confidence, seen = 1.0, 0
    try:
        if len(fields) >= 4:
            confidence = float(fields[3])
        if len(fields) == 5:
            seen = int(fields[4])
    except ValueError:
        raise ArtifactError(f"confidence or seen is not a number: {line!r}", source=where) from None
    if not 0.0 <= confidence <= 1.0 or seen < 0:
        raise ArtifactError(f"confidence must be in [0, 1] and seen >= 0: {line!r}", source=where)
    return fields[0], fields[1], count, confidence, seen
