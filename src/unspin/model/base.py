"""The one small protocol every language model backend implements."""

from __future__ import annotations

import re
from typing import Protocol, Sequence, runtime_checkable

_DIGIT = re.compile(r"\d")


@runtime_checkable
class LanguageModel(Protocol):
    """Scores word sequences. Log-probabilities are natural logs (nats)."""

    name: str

    def score_sentences(self, sentences: Sequence[Sequence[str]]) -> list[float]:
        """Total log-probability of each sentence (a list of word tokens), batched."""
        ...

    def close(self) -> None:
        ...


def lm_word(token: str) -> str:
    """The form a word takes inside an n-gram model: lower-case, digits collapsed to 0."""
    return _DIGIT.sub("0", token.lower().replace("’", "'"))
