"""A simulated article spinner, for evaluation only: the engine never imports this module.

It behaves like the tools content farms use: walk the text, and for a share of the words that
its dictionary knows, substitute a random synonym, keeping inflection and capitalisation. Its
dictionary is deliberately *not* the restorer's: single words come from WordNet synsets and the
LibreOffice thesaurus' first sense only (no Moby), a share of swaps goes two hops through the
thesaurus (a synonym of a synonym, which no lexicon lists directly), and multi-word and
function-word rewrites come from its own table below.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from ..text import Token, match_case, sentences, tokenize

_PHRASES = {
    "during": ["in the course of", "throughout", "for the duration of"],
    "because of": ["due to", "owing to", "on account of"],
    "according to": ["in accordance with", "in line with", "in step with"],
    "more than": ["greater than", "over", "extra than"],
    "in order to": ["so as to", "to be able to"],
    "however": ["nevertheless", "nonetheless", "but"],
    "also": ["additionally", "moreover", "furthermore"],
    "about": ["approximately", "roughly", "round"],
    "many": ["numerous", "a lot of", "loads of"],
    "said": ["stated", "mentioned", "remarked"],
    "says": ["states", "mentions", "remarks"],
    "percent": ["p.c.", "per cent", "percentage"],
    "because": ["due to the fact that", "considering that", "since"],
    "although": ["even though", "though", "despite the fact that"],
    "before": ["prior to", "earlier than", "previous to"],
    "after": ["following", "after that", "subsequent to"],
    "while": ["whilst", "even as", "at the same time as"],
    "such as": ["including", "like", "which include"],
    "people": ["individuals", "humans", "folks"],
    "last": ["final", "ultimate", "remaining"],
    "next": ["subsequent", "following", "coming"],
    "often": ["frequently", "regularly", "usually"],
    "can": ["can", "may", "could"],
    "should": ["ought to", "must", "need to"],
    "must": ["should", "have to", "need to"],
    "might": ["may", "could", "would possibly"],
    "very": ["extremely", "highly", "really"],
    "take part in": ["participate in", "engage in", "partake in"],
    "find out": ["discover", "learn", "determine"],
    "make sure": ["ensure", "make certain", "guarantee"],
    "as well as": ["along with", "in addition to", "together with"],
    "for example": ["for instance", "as an example", "as an instance"],
    "almost": ["nearly", "practically", "virtually"],
    "recently": ["lately", "currently", "these days"],
    "first": ["first", "1st", "initial"],
    "second": ["2nd", "second", "next"],
}
_STOP = frozenset(
    "a an the of to in on at by for with from and or but if as is are was were be been being it its this that "
    "these those he she they we you i his her their our your my me him them us not no so than then there here "
    "what which who whom whose when where why how all any each both few other some such own same too just do does "
    "did doing have has had having will would shall one two can could may might must should".split()
)
_MIN_ZIPF_SYNONYM = 3.0


@dataclass(frozen=True)
class Swap:
    start: int  # character offsets into the spun text
    end: int
    observed: str
    original: str


@dataclass(frozen=True)
class SpunText:
    text: str
    swaps: tuple[Swap, ...]
    source: str = ""  # the clean original


class Spinner:
    def __init__(self, seed: int = 0, two_hop_share: float = 0.15) -> None:
        self.random = random.Random(seed)
        self.two_hop_share = two_hop_share
        self.dictionary = spinner_dictionary()

    def spin(self, text: str, rate: float = 0.1) -> SpunText:
        tokens = tokenize(text)
        words = sum(t.is_word for t in tokens)
        target = max(1, round(words * rate))
        plans = self._plan(tokens, text, target)
        pieces, cursor, out_pos, swaps = [], 0, 0, []
        for start, end, original, replacement in plans:
            pieces.append(text[cursor:start])
            out_pos += start - cursor
            pieces.append(replacement)
            swaps.append(Swap(out_pos, out_pos + len(replacement), replacement, original))
            out_pos += len(replacement)
            cursor = end
        pieces.append(text[cursor:])
        return SpunText("".join(pieces), tuple(swaps), text)

    def _plan(self, tokens: list[Token], text: str, target: int) -> list[tuple[int, int, str, str]]:
        options = [o for s in sentences(tokens, text) for o in self._options(s)]
        self.random.shuffle(options)
        taken: set[int] = set()
        plans = []
        # keep swaps apart so each one is a separate, gradable change; only when that cannot
        # reach the rate (dense spinning), let swaps touch, never overlap
        for margin in (1, 0):
            for first, last, start, end, original, replacement in options:
                if len(plans) >= target:
                    break
                if any(i in taken for i in range(first - margin, last + 1 + margin)):
                    continue
                taken.update(range(first, last + 1))
                plans.append((start, end, original, replacement))
        return sorted(plans)

    def _options(self, sent: list[Token]):
        for i, tok in enumerate(sent):
            if not tok.is_word:
                continue
            for k in (3, 2, 1):
                span = sent[i : i + k]
                phrase = " ".join(t.lower for t in span)
                if len(span) == k and phrase in _PHRASES:
                    choice = self.random.choice([p for p in _PHRASES[phrase] if p != phrase] or [phrase])
                    if choice != phrase:
                        yield i, i + k - 1, span[0].start, span[-1].end, text_of(span), match_case(span[0].text, choice)
                    break
            else:
                replacement = self._word_swap(sent, i)
                if replacement:
                    yield i, i, tok.start, tok.end, tok.text, replacement

    def _word_swap(self, sent: list[Token], i: int) -> str | None:
        tok = sent[i]
        if tok.lower in _STOP or tok.text[:1].isupper() or len(tok.text) < 3:
            return None
        for lemma, tag in _analyses(tok.lower):
            synonyms = self.dictionary.get(lemma)
            if not synonyms:
                continue
            if self.random.random() < self.two_hop_share:
                hop = self.random.choice(synonyms)
                synonyms = [s for s in self.dictionary.get(hop, []) if s != lemma] or synonyms
            synonym = self.random.choice(synonyms)
            inflected = _inflect(synonym, tag)
            if inflected and inflected != tok.lower:
                return match_case(tok.text, inflected)
        return None


def text_of(span: list[Token]) -> str:
    return " ".join(t.text for t in span)


@lru_cache(maxsize=1)
def spinner_dictionary() -> dict[str, list[str]]:
    from wordfreq import zipf_frequency

    from ..lexicon.thesaurus import read_mythes, read_wordnet

    synonyms: dict[str, set[str]] = defaultdict(set)
    for head, syns in read_wordnet():
        synonyms[head].update(syns)
    for head, syns in _first_sense_mythes(read_mythes()):
        synonyms[head].update(syns)
    out = {}
    for head, syns in synonyms.items():
        if " " in head or zipf_frequency(head, "en") < 3.0:
            continue
        keep = sorted(s for s in syns if re.fullmatch(r"[a-z]+(?: [a-z]+)?", s) and zipf_frequency(s.split()[0], "en") >= _MIN_ZIPF_SYNONYM)
        if keep:
            out[head] = keep
    return out


def _first_sense_mythes(entries):
    for head, syns in entries:
        yield head, syns[:6]


@lru_cache(maxsize=50_000)
def _analyses(word: str) -> tuple[tuple[str, str], ...]:
    from ..lexicon.inflection import all_inflections, all_lemmas

    out = []
    for lemmas in all_lemmas(word).values():
        for lemma in lemmas:
            for tag, forms in all_inflections(lemma).items():
                if word in forms:
                    out.append((lemma, tag))
    return tuple(dict.fromkeys(out)) or ((word, ""),)


def _inflect(phrase: str, tag: str) -> str | None:
    from ..lexicon.inflection import all_inflections

    if not tag or tag in ("NN", "VB", "JJ", "RB", "VBP"):
        return phrase
    words = phrase.split()
    index = 0 if tag.startswith("VB") else len(words) - 1
    forms = all_inflections(words[index]).get(tag)
    if not forms:
        return None
    words[index] = forms[0]
    return " ".join(words)
