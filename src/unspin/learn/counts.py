"""Corpus statistics for decipherment, as pure map functions plus a merge (map-reduce ready).

Pass 1 (`count_ngrams`): how often each word and each phrase of interest occurs. Memory is
bounded by the vocabulary: unigrams, bigrams that hold a function word or that the lexicon
knows as a spinner's output, and longer phrases only when the lexicon knows them.
Pass 2 (`occurrence_gains`): for the observed forms that pass 1 made suspect, the language
model's gain of each candidate original over the observed words at every occurrence (a capped,
deterministic sample per form), and the counts of candidate originals pass 1 did not keep.
Both return plain mergeable objects, so a Spark job can run them per partition and reduce.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping, Sequence

from ..model.base import lm_word
from ..text import sentences, tokenize

GAIN_SAMPLE = 48  # occurrences per observed form whose LM gains are kept for EM


@dataclass
class CorpusCounts:
    """n-gram counts of a corpus (lower-cased `lm_word` tokens joined by spaces)."""

    ngrams: Counter = field(default_factory=Counter)
    docs: int = 0
    tokens: int = 0  # word tokens
    screened_out: int = 0  # documents read but not counted (too clean to learn from)

    def merge(self, other: "CorpusCounts") -> "CorpusCounts":
        self.ngrams.update(other.ngrams)
        self.docs += other.docs
        self.tokens += other.tokens
        self.screened_out += other.screened_out
        return self

    def count(self, phrase: str) -> int:
        return self.ngrams.get(phrase, 0)


def word_runs(text: str) -> list[list[str]]:
    """The runs of word tokens of a text, in `lm_word` form (sentences split at punctuation too,
    since a spinner's phrase never spans a comma)."""
    runs: list[list[str]] = []
    for sent in sentences(tokenize(text), text):
        run: list[str] = []
        for tok in sent:
            if tok.is_word:
                run.append(lm_word(tok.text))
            elif run:
                runs.append(run)
                run = []
        if run:
            runs.append(run)
    return runs


def count_ngrams(texts: Iterable[str], keep_phrase: Callable[[str], bool], is_function: Callable[[str], bool], max_words: int = 4) -> CorpusCounts:
    """Pass 1 over some documents: unigrams; bigrams with a function word; other phrases the
    `keep_phrase` predicate accepts (the lexicon's observed phrases)."""
    out = CorpusCounts()
    grams = out.ngrams
    for text in texts:
        out.docs += 1
        for run in word_runs(text):
            out.tokens += len(run)
            grams.update(run)
            for i in range(len(run) - 1):
                bigram = f"{run[i]} {run[i + 1]}"
                if is_function(run[i]) or is_function(run[i + 1]) or keep_phrase(bigram):
                    grams[bigram] += 1
                for n in range(3, max_words + 1):
                    if i + n > len(run):
                        break
                    phrase = " ".join(run[i : i + n])
                    if keep_phrase(phrase):
                        grams[phrase] += 1
    return out


@dataclass
class GainStats:
    """Per observed form: its candidate originals' LM gains at sampled occurrences."""

    samples: dict[str, list[dict[str, float]]] = field(default_factory=dict)  # observed -> [{original: gain}]
    seen: Counter = field(default_factory=Counter)  # observed -> occurrences met
    extra: Counter = field(default_factory=Counter)  # counts of candidate originals pass 1 skipped
    docs_with: Counter = field(default_factory=Counter)  # observed -> documents it occurs in
    docs_with_both: Counter = field(default_factory=Counter)  # "observed\toriginal" -> documents holding both
    # ... for an original that is part of the observed form ("other" in "various other"): documents
    # holding it outside the observed form too
    docs_with_outside: Counter = field(default_factory=Counter)

    def merge(self, other: "GainStats", cap: int = GAIN_SAMPLE) -> "GainStats":
        self.docs_with.update(other.docs_with)
        self.docs_with_both.update(other.docs_with_both)
        self.docs_with_outside.update(other.docs_with_outside)
        for observed, rows in other.samples.items():
            mine = self.samples.setdefault(observed, [])
            mine.extend(rows[: max(0, cap - len(mine))])
        self.seen.update(other.seen)
        self.extra.update(other.extra)
        return self


def occurrence_gains(
    texts: Iterable[str],
    suspects: Mapping[str, Sequence[str]],
    lm,
    extra_phrases: frozenset[str] = frozenset(),
    max_words: int = 4,
    cap: int = GAIN_SAMPLE,
) -> GainStats:
    """Pass 2: for each occurrence of a suspect observed form (up to `cap` per form), the LM
    gain in nats of each candidate original over the observed words, in a window of the
    model's order on each side; counts of `extra_phrases`; and per document whether a suspect
    and its candidate originals occur together (a deterministic rule never leaves both)."""
    out = GainStats()
    order = getattr(lm, "order", 3)
    for text in texts:
        runs = word_runs(text)
        present = Counter(" ".join(run[i : i + n]) for run in runs for n in range(1, max_words + 1) for i in range(len(run) - n + 1))
        for observed in present:
            originals = suspects.get(observed)
            if originals:
                out.docs_with[observed] += 1
                out.docs_with_both.update(f"{observed}\t{o}" for o in originals if o in present)
                out.docs_with_outside.update(f"{observed}\t{o}" for o in originals
                                             if contains(observed, o) and outside(present.get(o, 0), present[observed], o, observed))
        for run in runs:
            for i in range(len(run)):
                for n in range(1, max_words + 1):
                    if i + n > len(run):
                        break
                    phrase = " ".join(run[i : i + n])
                    if phrase in extra_phrases:
                        out.extra[phrase] += 1
                    originals = suspects.get(phrase)
                    if not originals:
                        continue
                    out.seen[phrase] += 1
                    rows = out.samples.setdefault(phrase, [])
                    if len(rows) < cap:
                        rows.append(_gains(lm, run, i, i + n, originals, order))
    return out


def outside(original_count: int, observed_count: int, original: str, observed: str) -> int:
    """Occurrences of the original that are not part of the observed form: where a spinner
    adds a word beside the original ("other" -> "various other"), every remaining "other" sits
    inside "various other", so the original is as missing as a replaced word."""
    if contains(observed, original):
        return max(original_count - observed_count, 0)
    return original_count


def contains(phrase: str, part: str) -> bool:
    """`part` is a run of whole words of `phrase` (and not all of it)."""
    return part != phrase and f" {part} " in f" {phrase} "


def _gains(lm, run: list[str], start: int, end: int, originals: Sequence[str], order: int) -> dict[str, float]:
    left, right = max(0, start - order + 1), min(len(run), end + order - 1)
    before, after = run[left:start], run[end:right]
    bos, eos = left == 0, right == len(run)
    base = lm.score_window(before + run[start:end] + after, bos, eos)
    return {o: round(lm.score_window(before + o.split() + after, bos, eos) - base, 3) for o in originals}
