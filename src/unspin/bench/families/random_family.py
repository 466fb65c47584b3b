"""The old random spinner (`unspin.bench.spinner`) as a family, for continuity with earlier rows.

Not deterministic by word: each occurrence draws a synonym at random; it never touches stop or
capitalised words. Light asks it for 5% of words, dense for 12% (the rate every earlier
benchmark row used); a text's draw is seeded by its own hash, so a text always spins the same.
"""

from __future__ import annotations

import zlib

from ..spinner import _PHRASES, Spinner, SpunText, spinner_dictionary
from .base import DENSITIES, Family

RATES = {"light": 0.05, "dense": 0.12}
DESCRIPTION = "the old random spinner (random synonym per occurrence, spares stop and capitalised words)"


class _RandomEngine:
    def __init__(self, rate: float, seed: int) -> None:
        self.rate, self.seed = rate, seed

    def spin(self, text: str) -> SpunText:
        return Spinner(seed=self.seed ^ zlib.crc32(text.encode())).spin(text, rate=self.rate)


def _rules() -> dict[str, tuple[str, ...]]:
    out = {head: tuple(syns) for head, syns in spinner_dictionary().items()}
    out.update({head: tuple(outs) for head, outs in _PHRASES.items()})
    return out


def family(density: str, seed: int = 0, rate: float | None = None) -> Family:
    if density not in DENSITIES:
        raise ValueError(f"unknown density {density!r}: choose one of {', '.join(DENSITIES)}")
    engine = _RandomEngine(RATES[density] if rate is None else rate, seed)
    return Family("random", False, DESCRIPTION, density, lambda: engine, _rules)
