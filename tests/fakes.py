"""Test doubles: a restorer and a language model small enough for unit tests."""

from __future__ import annotations

import math
import re

from unspin.text import apply_replacements, match_case, word_count
from unspin.types import Alternative, Edit, Evidence, Restoration, Span

FAKE_SWAPS = {
    "corporate": "company",
    "chief government officer": "chief executive officer",
    "gross sales": "sales",
    "p.c.": "percent",
    "counterfeit consciousness": "artificial intelligence",
    "profound learning": "deep learning",
}


class FakeLexicon:
    def has_synonyms(self, word: str) -> bool:
        return word.lower() in {"company", "sales", "said", "fell", "big", "large"}


class FakeRestorer:
    """Restores exactly the phrases in FAKE_SWAPS; everything else is left alone."""

    lexicon = FakeLexicon()

    def __init__(self, swaps: dict[str, str] | None = None) -> None:
        self.swaps = swaps or FAKE_SWAPS
        alternatives = "|".join(re.escape(k) for k in sorted(self.swaps, key=len, reverse=True))
        self._pattern = re.compile(rf"(?<![\w.])({alternatives})(?![\w])", re.IGNORECASE)

    def restore(self, text: str, threshold: float | None = None) -> Restoration:
        edits = []
        for m in self._pattern.finditer(text):
            original = match_case(m.group(), self.swaps[m.group().lower()])
            edits.append(
                Edit(
                    span=Span(m.start(), m.end()),
                    observed=m.group(),
                    suggestion=original,
                    confidence=0.9,
                    alternatives=(Alternative(original, 0.9), Alternative(m.group(), 0.1)),
                    evidence=Evidence(sources=("fake",), lm_gain=3.0, channel=math.log(0.1)),
                )
            )
        restored = apply_replacements(text, [(e.span.start, e.span.end, e.original) for e in edits])
        return Restoration(text=text, restored=restored, edits=tuple(edits), words=word_count(text))

    def restore_many(self, texts: list[str], threshold: float | None = None) -> list[Restoration]:
        return [self.restore(t, threshold) for t in texts]


def bigrams_of(sentences: list[str]) -> set[tuple[str, str]]:
    """The word pairs (with <s> and </s>) of space-tokenised sentences: FakeLM's good bigrams."""
    good = set()
    for s in sentences:
        words = ["<s>"] + s.split() + ["</s>"]
        good.update(zip(words, words[1:]))
    return good


class FakeLM:
    """A bigram 'language model': listed bigrams cost 1 nat, anything else 8."""

    name = "fake-bigram"
    order = 3

    def __init__(self, good_bigrams: set[tuple[str, str]]) -> None:
        self.good = good_bigrams

    def score_window(self, words, bos: bool, eos: bool) -> float:
        seq = (["<s>"] if bos else []) + list(words) + (["</s>"] if eos else [])
        return -sum(1.0 if (a, b) in self.good else 8.0 for a, b in zip(seq, seq[1:]))

    def score_sentences(self, sentences):
        return [self.score_window([w.lower() for w in s], True, True) for s in sentences]

    def log10_score(self, text: str, bos: bool, eos: bool) -> float:
        return self.score_window(text.split(), bos, eos) / math.log(10)

    def score_texts(self, texts):
        return self.score_sentences([t.split() for t in texts])

    def close(self) -> None:
        pass


class FakeScreener:
    """A screener in the shape of unspin.scanner.screen's: FakeRestorer's swaps are the only likely
    swaps (likelihood ratio e^6), every other word is a clean-looking site (e^-3)."""

    SWAP_LLR, CLEAN_LLR = 6.0, -3.0

    def __init__(self, restorer: FakeRestorer | None = None) -> None:
        self.restorer = restorer or FakeRestorer()

    def screen(self, text: str):
        from unspin.scanner.screen import Screening, document_features
        from unspin.text import tokenize
        from unspin.types import FindingKind, Match

        restoration = self.restorer.restore(text)
        swapped = {(e.span.start, e.span.end) for e in restoration.edits}
        inside = {i for s, e in swapped for i in range(s, e)}
        observed = [e.observed.lower() for e in restoration.edits]
        llrs = [self.SWAP_LLR] * len(observed)
        for token in tokenize(text):
            if token.is_word and token.start not in inside:
                observed.append(token.lower)
                llrs.append(self.CLEAN_LLR)
        features = document_features(observed, llrs, restoration.words, 0.0)
        findings = tuple(
            Match(e.span, e.observed, e.original, FindingKind.MODEL, e.confidence, e.alternatives,
                  {"sources": ["fake"], "lm_gain": e.evidence.lm_gain, "gain": 3.0, "swap_logit": 2.2}, "screen:fake")
            for e in restoration.edits
        )
        return Screening(restoration.words, findings, features)


class Unsure:
    """Probability 0.4 for every row: under a cut of 0.5, over the spun context cut."""

    cut = 0.5

    def probabilities(self, rows):
        return [0.4] * len(rows)


class ContextSpy:
    """A builder that records what each build puts into context."""

    def __init__(self, builder):
        self.builder, self.contexts = builder, []

    def __getattr__(self, name):
        return getattr(self.builder, name)

    def build(self, text, applied=None, previous=None):
        self.contexts.append(applied)
        return self.builder.build(text, applied, previous=previous)
