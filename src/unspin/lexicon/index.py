"""The reverse-synonym index at run time: candidate originals for an observed word or phrase."""

from __future__ import annotations

import heapq
import math
import pickle
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..config import lexicon_path
from ..errors import ArtifactError
from .build import read_artifact

_PICKLE_VERSION = 3
TOP_ROWS = 24  # rows kept per observed phrase for `top_candidates`, by channel prior x frequency
INVERSE_ROWS = 20  # words kept per original for `inverse_candidates` (5-fold on the PPS learn half: 20 beat none)
_ROW, _FIELD = "\x1e", "\x1f"  # packed rows keep the pickle small and fast to load


@dataclass(frozen=True)
class Candidate:
    """An original a spinner may have replaced by the observed text."""

    original: str  # lower-case, inflected like the observed text
    weight: float  # channel probability q(observed | original)
    sources: tuple[str, ...]


class ReverseIndex:
    """observed phrase (lower-case) -> candidate originals, with inflection handling."""

    def __init__(self, table: dict[str, str], heads: frozenset[str], top: dict[str, str] | None = None) -> None:
        self._table = table  # observed -> packed rows "original\x1fweight\x1fsources\x1e..."
        self._heads = heads
        self._top = top if top is not None else _top_rows(table)  # the same, best TOP_ROWS rows by prior
        self.max_words = max((k.count(" ") + 1 for k in table), default=1)
        self.candidates = lru_cache(maxsize=200_000)(self._candidates)
        self._prefixes: frozenset[str] | None = None
        self._inverse: dict[str, tuple[Candidate, ...]] | None = None

    @classmethod
    def load(cls, path: Path | None = None) -> "ReverseIndex":
        path = path or lexicon_path()
        cached = path.with_suffix(".pickle")
        if cached.exists() and path.exists() and cached.stat().st_mtime >= path.stat().st_mtime:
            with open(cached, "rb") as f:
                payload = pickle.load(f)
            if payload[0] == _PICKLE_VERSION:
                return cls(*payload[1:])
        table, heads = _table_from_rows(path)
        top = _top_rows(table)
        tmp = cached.with_suffix(".tmp")
        with open(tmp, "wb") as f:
            pickle.dump((_PICKLE_VERSION, table, heads, top), f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(cached)
        return cls(table, heads, top)

    def __len__(self) -> int:
        return len(self._table)

    def has_synonyms(self, word: str) -> bool:
        """Can a spinner replace this word? (Is it a headword of any source?)"""
        word = word.lower()
        return word in self._heads or any(lemma in self._heads for lemma in _lemmas(word))

    def is_spin_output(self, phrase: str) -> bool:
        return phrase in self._table

    def phrase_prefix(self, phrase: str) -> bool:
        """Do some multi-word observed phrases start with these words (the first one maybe as a
        lemma: "took part" -> "take part in")? If not, no longer phrase needs a lookup."""
        prefixes = self._prefix_set()
        if phrase in prefixes:
            return True
        first, _, rest = phrase.partition(" ")
        return any((f"{lemma} {rest}" if rest else lemma) in prefixes for lemma in _lemmas(first))

    def last_word_lemma_prefix(self, phrase: str) -> bool:
        """Does the phrase with its last word as a lemma ("iceberg lettuces" -> "iceberg
        lettuce") begin some multi-word observed phrase?"""
        prefixes = self._prefix_set()
        head, _, last = phrase.rpartition(" ")
        return any(f"{head} {lemma}" in prefixes for lemma in _lemmas(last))

    def _prefix_set(self) -> frozenset[str]:
        if self._prefixes is None:
            self._prefixes = _phrase_prefixes(self._table)
        return self._prefixes

    def _candidates(self, observed: str) -> tuple[Candidate, ...]:
        """Originals for `observed` (lower-case, tokens joined by spaces), best weight first."""
        return tuple(sorted(self._collect(observed, self._table), key=lambda c: -c.weight))

    def top_candidates(self, observed: str, k: int) -> tuple[Candidate, ...]:
        """The k originals with the best prior (channel weight x word frequency), inflected like
        `observed`: what `candidates` ranks first, without materialising every row of a common
        word (the screener's shortlist; the restorer wants them all)."""
        return tuple(sorted(self._collect(observed, self._top), key=prior, reverse=True)[:k])

    def inverse_candidates(self, word: str) -> tuple[Candidate, ...]:
        """Single words whose own rows list `word` as an original (the thesaurus read the other
        way: a spinner that swaps "artificial" -> "counterfeit" may have found it under
        "counterfeit"), the INVERSE_ROWS likeliest by prior; built on first use."""
        if self._inverse is None:
            self._inverse = _inverse_rows(self._table)
        return self._inverse.get(word, ())

    def _collect(self, observed: str, table: dict[str, str]) -> list[Candidate]:
        """The rows of `observed` and, inflected back like it, those of its lemma variants."""
        found: dict[str, Candidate] = {}
        for original, weight, sources in self._rows(observed, table):
            found[original] = Candidate(original, weight, sources)
        for lemma_phrase, tag in _lemma_variants(observed):
            for original, weight, sources in self._rows(lemma_phrase, table):
                inflected = _inflect_phrase(original, tag)
                if inflected and inflected != observed and inflected not in found:
                    found[inflected] = Candidate(inflected, weight, sources)
        return list(found.values())

    def _rows(self, observed: str, table: dict[str, str]) -> list[tuple[str, float, tuple[str, ...]]]:
        packed = table.get(observed)
        if not packed:
            return []
        rows = []
        for row in packed.split(_ROW):
            original, weight, sources = row.split(_FIELD)
            rows.append((original, float(weight), tuple(sources.split(","))))
        return rows


def prior(c: Candidate) -> float:
    """log(channel weight) + log(word frequency): how likely an original is before context."""
    return math.log(c.weight) + math.log(10) * phrase_zipf(c.original)


@lru_cache(maxsize=300_000)
def phrase_zipf(phrase: str) -> float:
    """Zipf frequency of a phrase's rarest word."""
    from wordfreq import zipf_frequency

    return min(zipf_frequency(w, "en") for w in phrase.split())


def _inverse_rows(table: dict[str, str], keep: int = INVERSE_ROWS) -> dict[str, tuple[Candidate, ...]]:
    """original word -> the single words it is listed for, best `keep` by prior."""
    listed: dict[str, list[tuple[float, str, float, str]]] = defaultdict(list)
    for observed, packed in table.items():
        if not observed.isalpha():  # single plain words only
            continue
        frequency = math.log(10) * phrase_zipf(observed)  # `prior`, on the packed row
        for row in packed.split(_ROW):
            original, weight, sources = row.split(_FIELD)
            if original.isalpha():
                listed[original].append((math.log(float(weight)) + frequency, observed, float(weight), sources))
    return {original: tuple(Candidate(observed, weight, tuple(sources.split(","))) for _, observed, weight, sources in heapq.nlargest(keep, rows))
            for original, rows in listed.items()}


def _phrase_prefixes(table: dict[str, str]) -> frozenset[str]:
    """Every word prefix of every multi-word observed phrase ("gross", "gross sales")."""
    prefixes = set()
    for key in table:
        if " " in key:
            words = key.split()
            prefixes.update(" ".join(words[:n]) for n in range(1, len(words) + 1))
    return frozenset(prefixes)


def _top_rows(table: dict[str, str]) -> dict[str, str]:
    """Each observed phrase's TOP_ROWS rows by prior, packed like the table."""
    top = {}
    for observed, packed in table.items():
        rows = packed.split(_ROW)
        if len(rows) > TOP_ROWS:
            rows = sorted(rows, key=_packed_prior, reverse=True)[:TOP_ROWS]
        top[observed] = _ROW.join(rows)
    return top


def _packed_prior(row: str) -> float:
    original, weight, _ = row.split(_FIELD)
    return prior(Candidate(original, float(weight), ()))


def _table_from_rows(path: Path) -> tuple[dict[str, str], frozenset[str]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    heads: set[str] = set()
    for observed, original, sources, weight in read_artifact(path):
        grouped[observed].append(f"{original}{_FIELD}{weight:.6g}{_FIELD}{','.join(sources)}")
        heads.add(original)
    if not grouped:
        raise ArtifactError("lexicon artifact is empty", source=str(path))
    return {k: _ROW.join(v) for k, v in grouped.items()}, frozenset(heads)


@lru_cache(maxsize=100_000)
def _lemmas(word: str) -> tuple[str, ...]:
    from .inflection import all_lemmas

    return tuple({lemma for lemmas in all_lemmas(word).values() for lemma in lemmas})


@lru_cache(maxsize=100_000)
def _tags_of(word: str) -> tuple[tuple[str, str], ...]:
    """(lemma, Penn tag) pairs under which `word` is an inflected form."""
    from .inflection import all_inflections, all_lemmas

    out = []
    for lemmas in all_lemmas(word).values():
        for lemma in lemmas:
            if lemma == word:
                continue
            for tag, forms in all_inflections(lemma).items():
                if word in forms:
                    out.append((lemma, tag))
    return tuple(dict.fromkeys(out))


def _lemma_variants(observed: str) -> list[tuple[str, str]]:
    """Base-form versions of an observed phrase: (lemma phrase, Penn tag of the observed form).

    The inflected word is the first one for verb phrases ("took part in") and the last for
    noun phrases ("gross sales").
    """
    words = observed.split()
    variants = []
    for index in {0, len(words) - 1}:
        for lemma, tag in _tags_of(words[index]):
            if (tag.startswith("VB") and index != 0) or (tag.startswith("NN") and index != len(words) - 1):
                continue
            variants.append((" ".join(words[:index] + [lemma] + words[index + 1 :]), tag))
    return variants


@lru_cache(maxsize=100_000)
def _dictionary_inflections(word: str) -> dict[str, tuple[str, ...]]:
    """Penn tag -> forms, from lemminflect's dictionary only (no guessing for unknown words)."""
    from .inflection import all_inflections

    return all_inflections(word)


_PARTICLES = frozenset("in out up down off on over into onto back away for with to about through part place along around".split())


def _inflect_phrase(original: str, tag: str) -> str | None:
    words = original.split()
    if tag.startswith("VB") and len(words) > 1 and words[1] not in _PARTICLES:
        return None  # "state of matter" is no verb phrase
    index = 0 if tag.startswith("VB") else len(words) - 1
    forms = _dictionary_inflections(words[index]).get(tag)
    if not forms:
        return None  # the original cannot take this inflection: not the same part of speech
    words[index] = forms[0]
    return " ".join(words)
