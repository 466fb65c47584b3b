"""Sites: the words and phrases of a sentence that a spinner could have produced.

A site is any word, and any run of up to `max_words` words whose leading words begin some
multi-word phrase the lexicon knows (`ReverseIndex.phrase_prefix`, the last word maybe as a
lemma). Whether it has candidates is the shortlist's business; without any it is no site.
"""

from __future__ import annotations

from typing import Callable, Iterator, Sequence

FUNCTION_ONLY_ZIPF = 6.0  # words this frequent ("in", "and") only take hand-written candidates


def find_spans(
    lowers: Sequence[str],
    is_word: Sequence[bool],
    max_words: int,
    prefix: Callable[[str], bool],
    lemma_prefix: Callable[[str], bool],
) -> Iterator[tuple[int, int, str]]:
    """(start, end, observed) of every span worth a lookup, left to right, shorter first.

    `prefix(phrase)`: some multi-word observed phrase starts with these words;
    `lemma_prefix(phrase)`: the same with the phrase's last word as a lemma."""
    n = len(lowers)
    for i in range(n):
        if not is_word[i]:
            continue
        yield i, i + 1, lowers[i]
        if not prefix(lowers[i]):
            continue
        for end in range(i + 2, min(n, i + max_words) + 1):
            if not is_word[end - 1]:
                break
            observed = " ".join(lowers[i:end])
            is_prefix = prefix(observed)
            if is_prefix or lemma_prefix(observed):
                yield i, end, observed
            if not is_prefix:
                break


def is_capitalised_inside(surfaces: Sequence[str], is_word: Sequence[bool], start: int, end: int) -> bool:
    """A capitalised word of the span that does not start its sentence (a name?)."""
    capitalised = any(s[:1].isupper() for s in surfaces[start:end])
    at_sentence_start = start == 0 or (start == 1 and not is_word[0])
    return capitalised and not at_sentence_start
