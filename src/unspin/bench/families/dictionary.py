"""The machine every dictionary family runs on: a deterministic rule table applied in one pass.

Like a content farm's spinner it knows nothing of sense or names: it walks the tokens, takes the
longest rule that matches at each word (phrases first, then the word itself) and replaces every
occurrence, capitalised or not. Rules are keyed on lower-case surface forms, so inflection is
settled when the table is built (`surface_rules`); case is copied from the source's first word.
A rule with several outputs picks one per occurrence from a hash of (salt, rule, occurrence
number), so the same text always spins the same way.
"""

from __future__ import annotations

import zlib
from collections import Counter
from typing import Iterable, Mapping

from ...text import Token, match_case, tokenize
from ..spinner import SpunText, Swap

Rules = Mapping[str, tuple[str, ...]]


def stable_share(salt: str, key: str) -> float:
    """A number in [0, 1) fixed by (salt, key): decides which headwords a density band covers."""
    return zlib.crc32(f"{salt}\x00{key}".encode()) / 2**32


class DictionarySpinner:
    def __init__(self, rules: Rules, salt: str) -> None:
        self.rules = dict(rules)
        self.salt = salt
        self.longest = max((len(k.split()) for k in self.rules), default=1)

    def spin(self, text: str) -> SpunText:
        tokens = tokenize(text)
        seen: Counter[str] = Counter()
        pieces, swaps, cursor, out_pos, i = [], [], 0, 0, 0
        while i < len(tokens):
            match = self._match(tokens, text, i) if _ruleable(tokens[i]) else None
            if match is None:
                i += 1
                continue
            size, key = match
            first, last = tokens[i], tokens[i + size - 1]
            output = _cased(first.text, self._choose(key, seen[key]))
            seen[key] += 1
            pieces.append(text[cursor : first.start])
            out_pos += first.start - cursor
            swaps.append(Swap(out_pos, out_pos + len(output), output, text[first.start : last.end]))
            pieces.append(output)
            out_pos += len(output)
            cursor = last.end
            i += size
        pieces.append(text[cursor:])
        return SpunText("".join(pieces), tuple(swaps), text)

    def _match(self, tokens: list[Token], text: str, i: int) -> tuple[int, str] | None:
        for size in range(min(self.longest, len(tokens) - i), 0, -1):
            span = tokens[i : i + size]
            if size > 1 and not _is_phrase(span, text):
                continue
            key = " ".join(t.lower for t in span)
            if key in self.rules:
                return size, key
        return None

    def _choose(self, key: str, occurrence: int) -> str:
        outputs = self.rules[key]
        if len(outputs) == 1:
            return outputs[0]
        return outputs[zlib.crc32(f"{self.salt}|{key}|{occurrence}".encode()) % len(outputs)]


def _ruleable(token: Token) -> bool:
    return token.is_word and token.text[0].isalpha()


def _is_phrase(span: list[Token], text: str) -> bool:
    """Consecutive words separated by plain spaces within one line (no punctuation between)."""
    if not all(_ruleable(t) for t in span):
        return False
    return all(text[a.end : b.start] in (" ", "\n") and b.start > a.end for a, b in zip(span, span[1:]))


def _cased(template: str, output: str) -> str:
    if len(template) > 1 and template.isupper():
        return output.upper()
    return match_case(template, output)


# ---------------------------------------------------------------- building a surface table


def surface_rules(lemma_rules: Mapping[str, tuple[str, ...]], skip: Iterable[str] = ()) -> dict[str, tuple[str, ...]]:
    """Lemma -> outputs, expanded to every inflected surface form (lemminflect), each output
    inflected the same way. Earlier lemmas win a surface form two lemmas share ("left"); a lemma's
    own base form always beats another lemma's inflection; forms in `skip` are left alone."""
    from ...lexicon.inflection import all_inflections

    skip = set(skip)
    out: dict[str, tuple[str, ...]] = {}
    for lemma, outputs in lemma_rules.items():
        if lemma not in skip:
            out[lemma] = outputs
    for lemma, outputs in lemma_rules.items():
        for tag, forms in all_inflections(lemma).items():
            for form in forms:
                if form in out or form in skip or form == lemma:
                    continue
                inflected = tuple(o for o in (inflect_phrase(o, tag) for o in outputs) if o and o != form)
                if len(inflected) == len(outputs):
                    out[form] = inflected
    return out


def inflect_phrase(phrase: str, tag: str) -> str | None:
    """Inflect a one- to three-word output for a Penn tag: a verb's first word, else its last."""
    from ...lexicon.inflection import all_inflections

    if tag in ("NN", "VB", "VBP", "JJ", "RB"):
        return phrase
    words = phrase.split()
    index = 0 if tag.startswith("VB") else len(words) - 1
    forms = all_inflections(words[index]).get(tag)
    if not forms:
        return None
    words[index] = forms[0]
    return " ".join(words)
