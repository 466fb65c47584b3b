"""LM gains: how much likelier the language model finds a candidate than the observed words,
in the same context window (natural log units, nats)."""

from __future__ import annotations

import math
from typing import Any, Sequence

LOG10_TO_LN = math.log(10)


def window_gains(lm: Any, before: list[str], observed: Sequence[str], after: list[str], bos: bool, eos: bool,
                 candidates: Sequence[Sequence[str]], length_cost: float = 0.0) -> list[float]:
    """Gain of each candidate word list over `observed` between `before` and `after` (`lm_word`
    forms), less `length_cost` nats per word a candidate removes (LMs favour short wordings)."""
    base = lm.score_window(before + list(observed) + after, bos, eos)
    n = len(observed)
    return [lm.score_window(before + list(c) + after, bos, eos) - base - length_cost * (n - len(c)) for c in candidates]


def string_window_gains(log10_score: Any, before: str, observed: str, after: str, bos: bool, eos: bool,
                        candidates: Sequence[str]) -> list[float]:
    """The same for space-joined strings, straight on KenLM's `score` (the screener's hot loop):
    `before` ends with a space and `after` starts with one unless empty."""
    base = log10_score(before + observed + after, bos, eos)
    return [(log10_score(before + c + after, bos, eos) - base) * LOG10_TO_LN for c in candidates]


def context(words: Sequence[str], start: int, end: int, width: int) -> tuple[int, int]:
    """[left, right) of a window reaching `width` words either side of [start, end)."""
    return max(0, start - width), min(len(words), end + width)
