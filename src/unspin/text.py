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


# --- restored text: a/an and sentence starts around each edit ---------------------------------

_ARTICLE_BEFORE = re.compile(r"\b([Aa]n?)(\s+)$")
_ARTICLE_AT_END = re.compile(r"(?:^|\s)([Aa]n?)$")
_FIRST_WORD = re.compile(r"\W*([A-Za-z][\w'-]*)")
_SENTENCE_START = re.compile(r"(?:^|[.!?][\"'”’)\]]*\s+|\n\s*\n\s*)$")
# vowel letters read as a consonant sound ("a unit", "a one-off") and silent h ("an hour")
_CONSONANT_SOUND = re.compile(r"^(?:uni(?!nform|mport|nterest|nten)|use|usu|ura|uro|eu|ewe|one\b|once\b|ubiq|u[bcfhjkqrstn][aeiou])", re.I)
_VOWEL_SOUND = re.compile(r"^(?:hour|honest|honou?r|heir|[aeiou])", re.I)


def indefinite_article(word: str) -> str | None:
    """"a" or "an" for the word that follows; None when unsure (acronyms, digits)."""
    if not word or not word[0].isalpha() or (len(word) > 1 and word.isupper()):
        return None
    if _CONSONANT_SOUND.match(word):
        return "a"
    return "an" if _VOWEL_SOUND.match(word) else "a"


def apply_restoration(text: str, replacements: Iterable[tuple[int, int, str]]) -> str:
    """`apply_replacements`, then the grammar around each replacement made to fit it: an "a"/"an"
    just before (or ending) a replacement agrees with the word after it, and a replacement that
    starts a sentence starts with a capital when the words it replaced did."""
    pieces: list[str] = []
    cursor = 0
    pending_article = False  # the last replacement ended in a/an: fix it against what follows
    for start, end, new in sorted(replacements):
        if start < cursor:
            raise ValueError(f"overlapping replacement at {start}")
        between = text[cursor:start]
        if pending_article:
            pieces[-1] = _agree_article_at_end(pieces[-1], between + new)
        pieces.append(between)
        before = "".join(pieces)
        if _SENTENCE_START.search(before) and text[start:start + 1].isupper():
            new = new[:1].upper() + new[1:]
        fixed = _agree_article_before(before, new)
        if fixed != before:
            pieces = [fixed]
        pieces.append(new)
        pending_article = bool(_ARTICLE_AT_END.search(new))
        cursor = end
    rest = text[cursor:]
    if pending_article:
        pieces[-1] = _agree_article_at_end(pieces[-1], rest)
    pieces.append(rest)
    return "".join(pieces)


def _agree_article_before(before: str, new: str) -> str:
    m = _ARTICLE_BEFORE.search(before)
    word = _FIRST_WORD.match(new)
    if not m or not word:
        return before
    wanted = indefinite_article(word.group(1))
    if wanted is None or m.group(1).lower() == wanted:
        return before
    return before[: m.start(1)] + match_case(m.group(1), wanted) + m.group(2)


def _agree_article_at_end(piece: str, following: str) -> str:
    m = _ARTICLE_AT_END.search(piece)
    word = _FIRST_WORD.match(following)
    if not m or not word or not following[:1].isspace():
        return piece
    wanted = indefinite_article(word.group(1))
    if wanted is None or m.group(1).lower() == wanted:
        return piece
    return piece[: m.start(1)] + match_case(m.group(1), wanted)


def utf16_offsets(text: str) -> list[int]:
    """For each code-point offset 0..len(text), the offset in UTF-16 code units (what
    JavaScript and LanguageTool count): characters outside the BMP (emoji) take two."""
    out = [0] * (len(text) + 1)
    units = 0
    for i, ch in enumerate(text):
        out[i] = units
        units += 2 if ord(ch) > 0xFFFF else 1
    out[len(text)] = units
    return out
