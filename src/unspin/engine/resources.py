"""The engine's shared resources, loaded once per process: lexicon, n-gram model, word pairs,
learned lexicons. Restorer and screener built in one process share the same objects."""

from __future__ import annotations

from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def lexicon() -> Any:
    from ..lexicon.index import ReverseIndex

    return ReverseIndex.load()


@lru_cache(maxsize=1)
def ngram() -> Any:
    from ..model.ngram import NgramModel

    return NgramModel()


@lru_cache(maxsize=1)
def web_pairs() -> Any:
    from ..model.bigrams import load_bigrams

    return load_bigrams()


@lru_cache(maxsize=1)
def site_analyser() -> Any:
    """The sites of a text over the three above; the screener and the restorer share it, so a
    document the restorer asks scan about is analysed once (`SiteAnalyser` keeps the last text's)."""
    from .features import SiteAnalyser

    return SiteAnalyser(lexicon(), ngram(), web_pairs())


@lru_cache(maxsize=1)
def technical_pairs() -> Any:
    from ..model.bigrams import load_technical_pairs

    return load_technical_pairs()


@lru_cache(maxsize=8)
def learned(path: str) -> Any:
    from ..lexicon.learned import LearnedLexicon

    return LearnedLexicon.load(path)


@lru_cache(maxsize=4)
def neural(name: str, device: str = "cpu") -> Any:
    """A neural LM on a resolved device ("cpu", "cuda", "cuda:N": `model.neural.resolve_device`)."""
    from ..model.neural import load_neural

    return load_neural(name, device=device)
