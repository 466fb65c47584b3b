"""A small synthetic language, a deterministic test spinner, and fakes for the learner's tools."""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from dataclasses import dataclass

from unspin.learn import CorpusCounts, Toolkit, count_ngrams
from unspin.learn.reference import CountReference

SUBJECTS = ["the company", "the minister", "a spokesman", "the firm", "the bank", "a senator", "the police", "the court"]
VERBS = ["said", "announced", "reported", "claimed"]
NOUNS = ["plan", "deal", "report", "budget", "market", "vote", "price", "strike"]
ADJECTIVES = ["big", "large", "new", "small", "strong", "weak", "early", "late"]
PLACES = ["the city", "the region", "the north", "the south", "the capital"]
TEMPLATES = [
    "{subj} {verb} that the {noun} was {adj} .",
    "{subj} {verb} the {noun} in the {place2} was {adj} .",
    "in the {place2} , {subj} {verb} a {adj} {noun} .",
    "the {noun} is {adj} , {subj} {verb} on monday .",
    "{subj} {verb} it would review the {adj} {noun} in the coming weeks .",
]

# the test spinner's dictionary: original -> output, applied to every occurrence
RULES = {"said": "stated", "big": "massive", "company": "corporate", "in the": "inside the", "market": "marketplace"}

# what the fake reverse lexicon offers as candidates for an observed form (right answers among distractors)
LEXICON = {
    "stated": ["said", "declared", "told"],
    "massive": ["big", "large", "huge"],
    "corporate": ["company", "collective", "firm"],
    "marketplace": ["market", "bazaar"],
    "large": ["big", "huge"],
    "strong": ["powerful", "big"],
    "announced": ["said", "declared"],
    "reported": ["said", "told"],
    "firm": ["company", "hard"],
    "late": ["dead", "tardy"],
    "price": ["cost", "toll"],
    "budget": ["plan", "cheap"],
}


def sentence(rng: random.Random) -> str:
    return rng.choice(TEMPLATES).format(
        subj=rng.choice(SUBJECTS), verb=rng.choice(VERBS), noun=rng.choice(NOUNS), adj=rng.choice(ADJECTIVES),
        place2=rng.choice(PLACES).split()[-1],
    )


def document(rng: random.Random, sentences: int = 12) -> str:
    text = " ".join(sentence(rng) for _ in range(sentences))
    return re.sub(r"(^|[.] )([a-z])", lambda m: m.group(1) + m.group(2).upper(), text)


def corpus(seed: int, docs: int) -> list[str]:
    rng = random.Random(seed)
    return [document(rng) for _ in range(docs)]


@dataclass(frozen=True)
class Swap:
    start: int
    end: int
    observed: str
    original: str


def spin(text: str, rules: dict[str, str] = RULES) -> str:
    """Replace every occurrence of each rule's original (longest first, case kept)."""
    keys = sorted(rules, key=len, reverse=True)
    pattern = re.compile(r"\b(" + "|".join(re.escape(k) for k in keys) + r")\b", re.IGNORECASE)

    def swap(m: re.Match) -> str:
        out = rules[m.group().lower()]
        return out[0].upper() + out[1:] if m.group()[0].isupper() else out

    return pattern.sub(swap, text)


@dataclass(frozen=True)
class FakeCandidate:
    original: str
    weight: float
    sources: tuple[str, ...] = ("fake",)


class FakeLexicon:
    max_words = 2

    def candidates(self, observed: str) -> tuple[FakeCandidate, ...]:
        return tuple(FakeCandidate(o, 1 / len(LEXICON[observed])) for o in LEXICON.get(observed, ()))

    def is_spin_output(self, phrase: str) -> bool:
        return phrase in LEXICON


class BigramLM:
    """Add-k bigram model (nats) over a clean corpus's runs of words."""

    order = 2

    def __init__(self, texts: list[str], k: float = 0.1) -> None:
        from unspin.learn.counts import word_runs

        self.uni: Counter = Counter()
        self.bi: Counter = Counter()
        for text in texts:
            for run in word_runs(text):
                seq = ["<s>", *run, "</s>"]
                self.uni.update(seq)
                self.bi.update(zip(seq, seq[1:]))
        self.k, self.v = k, len(self.uni) + 1

    def _logp(self, a: str, b: str) -> float:
        return math.log((self.bi[(a, b)] + self.k) / (self.uni[a] + self.k * self.v))

    def score_window(self, words, bos: bool, eos: bool) -> float:
        seq = (["<s>"] if bos else []) + list(words) + (["</s>"] if eos else [])
        return sum(self._logp(a, b) for a, b in zip(seq, seq[1:]))


FUNCTION_WORDS = frozenset("the in a of that was to it on is".split())


def toolkit(clean_train: list[str]) -> Toolkit:
    counts: CorpusCounts = count_ngrams(clean_train, lambda p: True, lambda w: True, max_words=3)
    return Toolkit(FakeLexicon(), BigramLM(clean_train), CountReference(counts), FUNCTION_WORDS, ("in", "on", "at", "of", "a"))


def use_as_default_toolkit(monkeypatch) -> None:
    """Make `unspin.learn.default_toolkit` this world's toolkit, with the learner's uncalibrated
    defaults, for tests that run the learner through a command or the public API."""
    from unspin.learn.decipher import LearnConfig

    kit = toolkit(corpus(seed=1, docs=300))
    monkeypatch.setattr("unspin.learn.default_toolkit", lambda min_spin_probability=0.0: kit)
    monkeypatch.setattr(LearnConfig, "calibrated", classmethod(lambda cls: cls()))
