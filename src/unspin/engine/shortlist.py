"""Shortlists: the candidate originals of a site, ranked.

Two policies over the same candidates:
- `ranked_candidates` + `lm_shortlist`: every lexicon (and learned) candidate, ranked by prior,
  then the n-gram model on a two-word context keeps the best few (the restorer);
- `top_candidates`: the best few by prior alone, from the lexicon's precomputed top rows (the
  screener's fast pass).
Very frequent single words take only hand-written (or learned) candidates in both.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Sequence

from ..lexicon.index import Candidate, phrase_zipf, prior
from .sites import FUNCTION_ONLY_ZIPF

PRESHORTLIST = 120  # candidates ranked by prior before the language model looks at them


def is_function_only(observed: str) -> bool:
    return " " not in observed and phrase_zipf(observed) >= FUNCTION_ONLY_ZIPF


def ranked_candidates(lexicon: Any, learned: Any, observed: str) -> list[Candidate]:
    """Learned candidates first, then the lexicon's by prior (at most PRESHORTLIST of them)."""
    found = with_learned(learned, observed, lexicon.candidates(observed))
    if is_function_only(observed):
        found = [c for c in found if "function" in c.sources or "learned" in c.sources]
    learned_first = [c for c in found if "learned" in c.sources]
    rest = sorted((c for c in found if "learned" not in c.sources), key=lambda c: -prior(c))
    return learned_first + rest[:PRESHORTLIST]


def lm_shortlist(lm: Any, words: Sequence[str], start: int, end: int, ranked: list[Candidate], size: int,
                 q_exponent: float) -> list[Candidate]:
    """The `size` best of `ranked` by the n-gram model on two words either side plus channel prior."""
    if len(ranked) <= size:
        return ranked
    before, after = list(words[max(0, start - 2) : start]), list(words[end : end + 2])
    bos, window = start <= 2, lm.score_window
    scored = sorted(ranked, key=lambda c: -(window(before + c.original.split() + after, bos, False) + q_exponent * math.log(c.weight)))
    return scored[:size]


def top_candidates(lexicon: Any, observed: str, size: int) -> list[Candidate]:
    """The `size` best candidates by prior (the lexicon's own only)."""
    if is_function_only(observed):
        found = [c for c in lexicon.candidates(observed) if "function" in c.sources]
        return sorted(found, key=prior, reverse=True)[:size]
    return list(lexicon.top_candidates(observed, size))


def with_learned(learned: Any, observed: str, found: Sequence[Candidate]) -> list[Candidate]:
    """Swaps learned from traced pairs join the candidates, with their learned channel weight."""
    if learned is None:
        return list(found)
    by_original = {c.original: c for c in found}
    for original, _count in learned.lookup(observed):
        known = by_original.get(original)
        weight = max(learned.channel(observed, original), known.weight if known else 0.0)
        sources = tuple(sorted({*known.sources, "learned"})) if known else ("learned",)
        by_original[original] = Candidate(original, min(weight, 1.0), sources)
    return list(by_original.values())


def prefix_test(lexicon: Any, learned: Any) -> Callable[[str], bool]:
    """`phrase_prefix` of the lexicon, widened to the learned lexicon's multi-word phrases."""
    if learned is None:
        return lexicon.phrase_prefix
    learned_prefixes = frozenset(
        " ".join(words[:n]) for observed, _, _ in learned.pairs() if " " in observed
        for words in [observed.split()] for n in range(1, len(words) + 1)
    )
    return lambda phrase: phrase in learned_prefixes or lexicon.phrase_prefix(phrase)
