"""Guess the original of a phrase already known to be tortured (a fingerprint hit, a PPS row).

A known tortured phrase ("counterfeit consciousness", "irregular woodlands") comes with no
context to decode in, and often no original on the list that flagged it. What is left is the
phrase itself: each word was either kept or swapped for a synonym, and the original is the
combination of the words' thesaurus originals that English writers actually use together.

The model is a chain over word choices. Per word: keep it, or take one of its reverse-thesaurus
originals or of the words the thesauri list it for (channel weight, frequency, rank, how many
thesauri agree, which of the two lists). Per adjacent pair: the web
word-pair counts and those of the bundled technical prose (`unspin.model.bigrams`), and whether
a thesaurus knows the pair as a phrase.
Its weights are an averaged structured perceptron fitted on the PPS learn half
(`unspin.bench.tune_phrases`, which writes `unspin/data/phrase_decoder.json`); a beam search
gives the k best, with softmax probabilities at a temperature fitted on the same half.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from importlib import resources as package_files
from functools import lru_cache
from typing import Sequence

from ..lexicon.index import phrase_zipf, prior

MODEL_FILE = "phrase_decoder.json"
MAX_CANDIDATES = 40  # originals per word, by prior (the fitted record may say otherwise)
MAX_WORDS = 6  # longer phrases are returned as they are (PPS: 99% have at most 5 words)
WORD_FEATURES = ("keep", "keep_zipf", "swap", "log_weight", "zipf", "zipf_gain", "log_rank", "sources", "inverse")
PAIR_FEATURES = ("pair_seen", "pair_log_count", "pair_association", "pair_unseen", "known_phrase",
                 "technical_seen", "technical_log_count")
FEATURES = WORD_FEATURES + PAIR_FEATURES
_TOKEN = re.compile(r"[^\s-]+|-")


@dataclass(frozen=True)
class PhraseGuess:
    text: str  # lower-case
    probability: float  # of being the original, among the guesses the beam kept


@dataclass(frozen=True)
class Choice:
    """One word's option, the word kept or one of its originals, with its WORD_FEATURES."""

    word: str
    features: tuple[float, ...]


class PhraseDecoder:
    """k best originals of a tortured phrase; `lexicon` a ReverseIndex, `pairs` WebBigrams,
    `technical` the technical prose's word pairs (WebBigrams; None: no such evidence)."""

    def __init__(self, lexicon, pairs, weights: Sequence[float], temperature: float = 1.0,
                 max_candidates: int = MAX_CANDIDATES, beam: int = 64, technical=None) -> None:
        if len(weights) != len(FEATURES):
            raise ValueError(f"the phrase decoder needs {len(FEATURES)} weights, got {len(weights)}")
        self.lexicon = lexicon
        self.pairs = pairs
        self.technical = technical
        self.weights = tuple(weights)
        self.temperature = temperature
        self.max_candidates = max_candidates
        self.beam = beam
        self.choices = lru_cache(maxsize=50_000)(self._choices)  # a word's options do not change with the weights

    def guesses(self, phrase: str, k: int = 3) -> tuple[PhraseGuess, ...]:
        """The k likeliest originals, likeliest first (the phrase itself when it cannot be read)."""
        words, separators = split_phrase(phrase)
        if not words or len(words) > MAX_WORDS:
            return (PhraseGuess(phrase.lower(), 1.0),)
        scored = self.search(words)[:k]
        top = scored[0][0]
        weights = [math.exp((score - top) / self.temperature) for score, _ in scored]
        total = sum(weights)
        return tuple(PhraseGuess(join_phrase(path, separators), w / total) for w, (_, path) in zip(weights, scored))

    def best(self, phrase: str) -> str:
        return self.guesses(phrase, k=1)[0].text

    def search(self, words: Sequence[str]) -> list[tuple[float, list[str]]]:
        """Beam search over the words' choices: (score, chosen words), best first."""
        beam: list[tuple[float, list[str]]] = [(0.0, [])]
        for word in words:
            options = [(self._dot(c.features, 0), c.word) for c in self.choices(word)]
            grown = []
            for score, path in beam:
                for local, choice in options:
                    pair = self._dot(self.pair_features(path[-1], choice), len(WORD_FEATURES)) if path else 0.0
                    grown.append((score + local + pair, path + [choice]))
            grown.sort(key=lambda item: -item[0])
            beam = grown[: self.beam]
        return beam

    def _choices(self, word: str) -> tuple[Choice, ...]:
        """The word kept, then its single-word originals by prior, then the words the thesauri
        list it for (`inverse_candidates`, feature "inverse")."""
        observed_zipf = phrase_zipf(word) if word.isalpha() else 0.0
        out = [Choice(word, (1.0, observed_zipf, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0))]
        if not word.isalpha():
            return tuple(out)
        originals = sorted((c for c in self.lexicon.candidates(word) if " " not in c.original), key=prior, reverse=True)
        listed = {word}
        for inverse, candidates in ((0.0, originals[: self.max_candidates]), (1.0, self.lexicon.inverse_candidates(word))):
            fresh = [c for c in candidates if c.original not in listed]
            listed.update(c.original for c in fresh)
            for rank, c in enumerate(fresh):
                zipf = phrase_zipf(c.original)
                out.append(Choice(c.original, (0.0, 0.0, 1.0, math.log(c.weight), zipf, zipf - observed_zipf,
                                               math.log1p(rank), float(len(c.sources)), inverse)))
        return tuple(out)

    def pair_features(self, left: str, right: str) -> tuple[float, ...]:
        known = 1.0 if self.lexicon.is_spin_output(f"{left} {right}") else 0.0
        technical = self.technical.pair(left, right) if self.technical is not None else 0.0
        in_technical = (1.0 if technical > 0 else 0.0, technical)
        count = self.pairs.pair(left, right)
        if count <= 0:
            return (0.0, 0.0, 0.0, 1.0, known, *in_technical)
        association = count - 0.5 * (self.pairs.word(left) + self.pairs.word(right))
        return (1.0, count, association, 0.0, known, *in_technical)

    def path_features(self, observed: Sequence[str], chosen: Sequence[str]) -> list[float] | None:
        """The summed features of one reading (None: a chosen word is not among the options)."""
        total = [0.0] * len(FEATURES)
        for word, choice in zip(observed, chosen):
            match = next((c for c in self.choices(word) if c.word == choice), None)
            if match is None:
                return None
            for i, x in enumerate(match.features):
                total[i] += x
        for left, right in zip(chosen, chosen[1:]):
            for i, x in enumerate(self.pair_features(left, right)):
                total[len(WORD_FEATURES) + i] += x
        return total

    def _dot(self, features: Sequence[float], offset: int) -> float:
        return sum(w * x for w, x in zip(self.weights[offset:], features))


def split_phrase(phrase: str) -> tuple[list[str], list[str]]:
    """Lower-case words (hyphenated parts apart) and the separator after each ("", " ", "-")."""
    words: list[str] = []
    separators: list[str] = []
    for match in _TOKEN.finditer(phrase.lower()):
        token = match.group()
        if token == "-":
            if separators:
                separators[-1] = "-"
            continue
        words.append(token)
        separators.append(" ")
    if separators:
        separators[-1] = ""
    return words, separators


def join_phrase(words: Sequence[str], separators: Sequence[str]) -> str:
    return "".join(w + s for w, s in zip(words, separators))


def read_model() -> dict:
    """The fitted weights and temperature (`unspin/data/phrase_decoder.json`)."""
    from ..errors import ArtifactError

    try:
        record = json.loads(package_files.files("unspin.data").joinpath(MODEL_FILE).read_text())
    except FileNotFoundError:
        raise ArtifactError("the phrase decoder's weights are missing: rerun `unspin bench tune-phrases`", source=MODEL_FILE) from None
    if tuple(record.get("features", ())) != FEATURES:
        raise ArtifactError("the phrase decoder's weights were fitted for other features: rerun `unspin bench tune-phrases`", source=MODEL_FILE)
    return record


def decoder_over(lexicon, pairs, technical=None) -> PhraseDecoder:
    """The shipped weights over a lexicon (a ReverseIndex), word pairs (WebBigrams) and the
    technical prose's word pairs."""
    record = read_model()
    return PhraseDecoder(lexicon, pairs, record["weights"], record["temperature"], record.get("max_candidates", MAX_CANDIDATES),
                         technical=technical)
