"""Tokens with character offsets into the original text, sentences, and applying edits."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

# Words keep inner apostrophes/hyphens/dots ("don't", "well-known", "p.c.", "U.S.");
# a possessive "'s" is its own token so "corporate's" -> "corporate", "'s".
_TOKEN_RE = re.compile(
    r"""
    (?:[A-Za-z]\.){2,}                      # abbreviations: U.S., p.c., e.g.
  | \d+(?:[.,:]\d+)*%?                      # numbers: 4, 4.5, 1,000, 12:30, 5%
  | [A-Za-z]+(?:[-'][A-Za-z]+)*(?=’s|'s)    # a word before a possessive
  | ['’]s\b                                 # possessive
  | [A-Za-z]+(?:[-'’][A-Za-z]+)*            # words
  | \S                                      # anything else, one char at a time
    """,
    re.VERBOSE,
)
_SENTENCE_END = {".", "!", "?"}
_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "st", "jr", "sr", "vs", "inc", "co", "corp", "ltd", "no", "gov", "sen", "rep", "gen", "lt", "col", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"}


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int

    @property
    def is_word(self) -> bool:
        return self.text[0].isalpha() or self.text[0] in "'’"

    @property
    def lower(self) -> str:
        return self.text.lower().replace("’", "'")


def tokenize(text: str) -> list[Token]:
    return [Token(m.group(), m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]


def sentences(tokens: Sequence[Token], text: str = "") -> list[list[Token]]:
    """Split tokens into sentences at . ! ? (not after common abbreviations) and blank lines."""
    out: list[list[Token]] = []
    current: list[Token] = []
    for i, tok in enumerate(tokens):
        if current and text and "\n\n" in text[current[-1].end : tok.start]:
            out.append(current)
            current = []
        current.append(tok)
        if tok.text in _SENTENCE_END and not _after_abbreviation(tokens, i):
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


def _after_abbreviation(tokens: Sequence[Token], i: int) -> bool:
    if tokens[i].text != "." or i == 0:
        return False
    prev = tokens[i - 1]
    return prev.end == tokens[i].start and prev.lower in _ABBREVIATIONS


def word_count(text: str) -> int:
    return sum(1 for t in tokenize(text) if t.is_word)


def apply_replacements(text: str, replacements: Iterable[tuple[int, int, str]]) -> str:
    """Replace non-overlapping [start, end) ranges of text; ranges may come in any order."""
    pieces: list[str] = []
    cursor = 0
    for start, end, new in sorted(replacements):
        if start < cursor:
            raise ValueError(f"overlapping replacement at {start}")
        pieces.append(text[cursor:start])
        pieces.append(new)
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


def match_case(template: str, word: str) -> str:
    """Give `word` the capitalisation pattern of `template` ("Corporate" -> "Company")."""
    if template.isupper() and len(template) > 1:
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word
