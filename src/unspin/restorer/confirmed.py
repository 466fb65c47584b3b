"""Pairs a batch confirms: a deterministic spinner makes the same swap on every page, so a pair
(observed -> original) that the restorer already edits at its own cut several times in a sample
of the batch is edited elsewhere in the batch from a lower probability.

Used where a batch is restored with the dictionary it gives away (`restore --jsonl
--learn-from-input`, `unspin.restore_many`). The sample is the batch's first `CONFIRM_DOCS`
documents; a pair edited there `CONFIRM_MIN` times or more is edited from `CONFIRMED_CUT` up.
Each document is restored once: the site model keeps every choice down to `CONFIRMED_CUT` open
(`PendingRestoration`) until the sample is counted (`restore_confirmed` for `restore_many`; the
CLI hands the sample's open restorations to its restore step).
Chosen on dev crawls of the training families (BENCHMARKS.md, "pairs a batch confirms"): on the
n-gram path 12.8% -> 17.9% of swaps restored at 94.9% -> 95.3% precision; with the neural stage
19.7% -> 22.5% at 95.7% -> 95.4%.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from ..errors import InputError

CONFIRM_DOCS = 40
CONFIRM_MIN = 3
CONFIRMED_CUT = 0.8
_HEADER = "# observed\toriginal\tedits in the batch's sample (unspin: pairs a batch confirms)"


@dataclass(frozen=True)
class ConfirmedPairs:
    """How often each pair (lower case) was edited in the sample, and the rule that reads it."""

    counts: Mapping[tuple[str, str], int] = field(default_factory=dict)
    min_count: int = CONFIRM_MIN
    cut: float = CONFIRMED_CUT

    def confirms(self, observed: str, original: str) -> bool:
        return self.counts.get((observed.lower(), original.lower()), 0) >= self.min_count

    def save(self, path: str | Path) -> None:
        lines = [_HEADER] + [f"{o}\t{c}\t{n}" for (o, c), n in sorted(self.counts.items())]
        Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> "ConfirmedPairs":
        counts: dict[tuple[str, str], int] = {}
        for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 3 or not parts[2].isdigit():
                raise InputError(f"line {number}: want observed<TAB>original<TAB>count", source=str(path))
            counts[(parts[0], parts[1])] = int(parts[2])
        return cls(counts)


def confirmed_in(restorations: Iterable[Any]) -> ConfirmedPairs:
    """How often each pair is edited in `restorations` (the batch's sample, restored)."""
    counts: Counter[tuple[str, str]] = Counter()
    for restoration in restorations:
        counts.update((e.observed.lower(), e.suggestion.lower()) for e in restoration.edits)
    return ConfirmedPairs(dict(counts))


def restore_confirmed(restorer: Any, texts: Sequence[str], docs: int = CONFIRM_DOCS) -> list[Any]:
    """Each text restored once with its decision left open (`restorer.restore_pending`), the pairs
    the first `docs` confirm counted, then every text decided with them: what restoring every text
    with `restorer.with_confirmed(confirmed_in(restorer.restore(t) for t in texts[:docs]))` gives,
    without restoring the sample twice."""
    pending = [restorer.restore_pending(text) for text in texts]
    confirmed = confirmed_in(p.decided() for p in pending[:docs])
    return [p.decided(confirmed) for p in pending]
