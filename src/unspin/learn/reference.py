"""What a clean corpus would contain: the expected frequency of a word or phrase per token."""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Protocol

from .counts import CorpusCounts


class Reference(Protocol):
    def log10_prob(self, phrase: str) -> float:
        """log10 of the phrase's expected share of token positions in clean text."""
        ...


class LanguageReference:
    """The clean n-gram model (trained on the train split) for phrases; for single words the
    geometric mean of its unigram probability and `wordfreq`'s, so that neither the model's
    domain nor the web's decides alone."""

    def __init__(self, lm) -> None:
        self._score = lm.log10_score
        self.log10_prob = lru_cache(maxsize=500_000)(self._log10_prob)

    def _log10_prob(self, phrase: str) -> float:
        lm = self._score(phrase, bos=False, eos=False)
        if " " in phrase:
            return lm
        from wordfreq import word_frequency

        web = word_frequency(phrase, "en")
        return (lm + math.log10(web)) / 2 if web > 0 else lm


class CountReference:
    """Relative frequencies in a clean corpus of one's own (add-half smoothed)."""

    def __init__(self, clean: CorpusCounts) -> None:
        self.clean = clean

    def log10_prob(self, phrase: str) -> float:
        return math.log10((self.clean.count(phrase) + 0.5) / (self.clean.tokens + 1))
