"""Word-level dictionaries for the families: which thesaurus, which synonym a headword gets.

Sources are the thesauri unspin ships readers for (Moby, the LibreOffice thesaurus, WordNet);
each family picks from them by its own choice rule. Headwords are content words (the function
words are the phrase tables' business); outputs are one to three common English words.
"""

from __future__ import annotations

import math
import random
import re
import zlib
from collections import defaultdict
from functools import lru_cache
from typing import Callable

FUNCTION_WORDS = frozenset(
    """a an the of to in on at by for with from into onto upon about over under after before
during since until within without and or but nor so yet if as than then though although because while
whereas is are was were be been being am do does did doing done have has had having will would shall should can could may
might must ought it its this that these those he she they we you i his her their our your my me him them
us not no also very just more most less much many some any each both all every other such own same too
there here what which who whom whose when where why how one two three four five six seven eight nine ten
mr mrs ms dr st said say says""".split()
)
# "said" is a content word, but every family's phrase table decides it (real spinners all have a
# "said" rule), so the word dictionaries leave it alone.
_HEAD = re.compile(r"[a-z]{3,}(?:-[a-z]+)?")
_OUTPUT = re.compile(r"[a-z]+(?:-[a-z]+)?(?: [a-z]+(?:-[a-z]+)?){0,2}")
MIN_HEAD_ZIPF = 2.5
MIN_OUTPUT_ZIPF = 2.5

Source = dict[str, list[str]]
Chooser = Callable[[str, list[str]], list[str]]


@lru_cache(maxsize=1)
def _zipf_table() -> dict[str, float]:
    from wordfreq import get_frequency_dict

    return {w: math.log10(f) + 9 for w, f in get_frequency_dict("en").items() if f > 0}


def zipf(phrase: str) -> float:
    """Zipf frequency of a word; of a phrase, that of its rarest word."""
    table = _zipf_table()
    return min((table.get(w, 0.0) for w in phrase.split()), default=0.0)


def eligible_head(word: str) -> bool:
    return bool(_HEAD.fullmatch(word)) and word not in FUNCTION_WORDS and zipf(word) >= MIN_HEAD_ZIPF


def eligible_output(head: str, output: str) -> bool:
    if output == head or not _OUTPUT.fullmatch(output) or head in output.split():
        return False
    if output in FUNCTION_WORDS or zipf(output) < MIN_OUTPUT_ZIPF:
        return False
    return not _same_lemma(head, output)


@lru_cache(maxsize=200_000)
def _same_lemma(head: str, output: str) -> bool:
    from ...lexicon.inflection import all_lemmas

    lemmas = {l for ls in all_lemmas(output).values() for l in ls}
    return head in lemmas or output.startswith(head[:-1]) and len(head) > 4


def _merged(entries) -> Source:
    merged: dict[str, dict[str, None]] = defaultdict(dict)
    for head, synonyms in entries:
        if eligible_head(head):
            bucket = merged[head]
            for s in synonyms:
                if s not in bucket and eligible_output(head, s):
                    bucket[s] = None
    return {h: list(s) for h, s in merged.items() if s}


@lru_cache(maxsize=None)
def source(name: str) -> Source:
    """Headword -> eligible synonyms, in the order the thesaurus lists them."""
    from ...lexicon.thesaurus import read_moby, read_mythes, read_wordnet

    if name == "moby":
        return _merged(read_moby())
    if name == "mythes":
        return _merged(read_mythes())
    if name == "wordnet":
        return _merged(read_wordnet())
    if name == "mythes+wordnet":
        return _union(source("mythes"), source("wordnet"))
    if name == "moby+wordnet":
        return _union(source("wordnet"), source("moby"))
    raise KeyError(name)


def _union(first: Source, second: Source) -> Source:
    out = {h: list(s) for h, s in first.items()}
    for head, synonyms in second.items():
        bucket = out.setdefault(head, [])
        bucket.extend(s for s in synonyms if s not in bucket)
    return out


# ---------------------------------------------------------------- choice rules (best first)


def first_listed(head: str, synonyms: list[str]) -> list[str]:
    return synonyms[:3]


def seeded_random(salt: str) -> Chooser:
    def choose(head: str, synonyms: list[str]) -> list[str]:
        rng = random.Random(zlib.crc32(f"{salt}:{head}".encode()))
        return rng.sample(synonyms, min(3, len(synonyms)))

    return choose


def most_frequent(head: str, synonyms: list[str]) -> list[str]:
    return sorted(synonyms, key=lambda s: (-zipf(s), s))[:3]


def two_hops(graph: Source) -> Chooser:
    """A synonym of the headword's most frequent synonym that the headword's own entry does not
    list (what a spinner produces when it spins its own output again)."""

    def choose(head: str, synonyms: list[str]) -> list[str]:
        hop = most_frequent(head, synonyms)[0]
        direct = set(synonyms) | {head}
        second = [s for s in graph.get(hop, []) if s not in direct and eligible_output(head, s)]
        return most_frequent(head, second) if second else [hop]

    return choose


def lemma_rules(name: str, choose: Chooser, keep: Callable[[str], bool], multi: Callable[[str], bool],
                phrases: Callable[[str], bool]) -> dict[str, tuple[str, ...]]:
    """Headword -> outputs (one, or two to three for the headwords `multi` picks), most frequent
    headwords first so they win surface forms they share with rarer ones. Only the headwords
    `phrases` picks may get a multi-word output."""
    src = source(name)
    out = {}
    for head in sorted(src, key=lambda h: (-zipf(h), h)):
        if not keep(head):
            continue
        synonyms = src[head] if phrases(head) else [s for s in src[head] if " " not in s]
        choices = choose(head, synonyms) if synonyms else []
        if choices:
            out[head] = tuple(choices[:3]) if multi(head) and len(choices) > 1 else (choices[0],)
    return out
