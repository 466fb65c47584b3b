"""The Problematic Paper Screener (PPS) query language: parsing, and checking a query against a document.

    "image acknowledgment"                              a quoted phrase
    "surface region" AND "surface area"                 the phrase, if the document also has the context
    "surface highlights" NOT specular                   ... unless the document has this
    "PC helped" AND ("be that as it" OR "on the off chance")
    "gatherings clustering"~10                          both words within 10 extra words of each other
    "enhancement calculation" AND optimiz*              a trailing * is a prefix

A query parses into a tree of `Term`/`And`/`Or`/`Not`; `anchors_and_conditions` splits it into
rules: an *anchor* (the first positive clause of each OR branch, the tortured phrase itself) and a
document-level *condition* (the rest of the branch: context, NOT), checked with `holds` over the
lower-cased text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Union

from .fingerprint_suggestions import Expected

_QUERY_TOKEN = re.compile(r'\s*(?:"(?P<q>[^"]*)"(?:~(?P<slop>\d+))?|(?P<lp>\()|(?P<rp>\))|(?P<word>[^\s()"]+))')
_PROX_WORD = re.compile(r"[\w'’*-]+")


# ---------------------------------------------------------------- query syntax tree


@dataclass(frozen=True)
class Term:
    """A leaf: a phrase (words in order), a prefix (`optimiz*`), or a proximity `"a b"~N`."""

    words: tuple[str, ...]
    slop: int | None = None
    prefix: bool = False

    @property
    def text(self) -> str:
        return " ".join(self.words)


@dataclass(frozen=True)
class And:
    parts: tuple["Node", ...]


@dataclass(frozen=True)
class Or:
    parts: tuple["Node", ...]


@dataclass(frozen=True)
class Not:
    part: "Node"


Node = Union[Term, And, Or, Not]


def _term(phrase: str, slop: str | None = None) -> Term:
    words = tuple(phrase.lower().split())
    prefix = bool(words) and words[-1].endswith("*") and slop is None
    if prefix:
        words = words[:-1] + (words[-1].rstrip("*"),)
    return Term(words, int(slop) if slop else None, prefix)


def tokenize_query(query: str) -> list[tuple[str, object]]:
    tokens: list[tuple[str, object]] = []
    for m in _QUERY_TOKEN.finditer(query):
        if m.group("q") is not None:
            tokens.append(("term", _term(m.group("q"), m.group("slop"))))
        elif m.group("lp"):
            tokens.append(("(", None))
        elif m.group("rp"):
            tokens.append((")", None))
        elif m.group("word") in ("AND", "OR", "NOT"):
            tokens.append((m.group("word"), None))
        elif m.group("word"):
            tokens.append(("term", _term(m.group("word"))))
    return tokens


def parse_query(query: str) -> Node:
    """Parse a PPS query; precedence NOT > AND (also implicit) > OR. Unquoted text with no
    operators and no quotes (a user's plain list) is one phrase."""
    query = query.strip()
    if '"' not in query and not re.search(r"\b(AND|OR|NOT)\b|[()]|~\d", query):
        return _term(query)
    tokens = tokenize_query(query)
    node, pos = _parse_or(tokens, 0)
    if node is None:
        raise ValueError(f"empty query: {query!r}")
    return node


def _parse_or(tokens: list, pos: int) -> tuple[Node | None, int]:
    parts = []
    node, pos = _parse_and(tokens, pos)
    if node is not None:
        parts.append(node)
    while pos < len(tokens) and tokens[pos][0] == "OR":
        node, pos = _parse_and(tokens, pos + 1)
        if node is not None:
            parts.append(node)
    return (None if not parts else parts[0] if len(parts) == 1 else Or(tuple(parts))), pos


def _parse_and(tokens: list, pos: int) -> tuple[Node | None, int]:
    parts: list[Node] = []
    negate = False
    while pos < len(tokens) and tokens[pos][0] not in ("OR", ")"):
        kind = tokens[pos][0]
        if kind == "AND":
            pos += 1
            continue
        if kind == "NOT":
            negate, pos = not negate, pos + 1
            continue
        node, pos = _parse_unary(tokens, pos)
        if node is not None:
            parts.append(Not(node) if negate else node)
        negate = False
    return (None if not parts else parts[0] if len(parts) == 1 else And(tuple(parts))), pos


def _parse_unary(tokens: list, pos: int) -> tuple[Node | None, int]:
    kind, value = tokens[pos]
    if kind == "(":
        node, pos = _parse_or(tokens, pos + 1)
        if pos < len(tokens) and tokens[pos][0] == ")":
            pos += 1
        return node, pos
    return value, pos + 1  # a Term


def anchors_and_conditions(node: Node) -> list[tuple[Term, Node | None]]:
    """Split a query into (anchor, condition): the anchor is what a finding marks in the text."""
    if isinstance(node, Term):
        return [(node, None)]
    if isinstance(node, Or):
        return [rule for part in node.parts for rule in anchors_and_conditions(part)]
    if isinstance(node, And):
        for i, part in enumerate(node.parts):
            rules = anchors_and_conditions(part)
            if rules:
                rest = node.parts[:i] + node.parts[i + 1 :]
                return [(a, _and(c, rest)) for a, c in rules]
    return []  # a bare NOT has no anchor


def _and(condition: Node | None, rest: tuple[Node, ...]) -> Node | None:
    parts = ((condition,) if condition is not None else ()) + rest
    return None if not parts else parts[0] if len(parts) == 1 else And(parts)


def describe(node: Node | None) -> str:
    """A query tree written back as a canonical query string (for tests and evidence)."""
    if node is None:
        return ""
    if isinstance(node, Term):
        if node.prefix:
            return node.text + "*"
        return f'"{node.text}"' + (f"~{node.slop}" if node.slop is not None else "")
    if isinstance(node, Not):
        return "NOT " + describe(node.part)
    joiner = " AND " if isinstance(node, And) else " OR "
    return "(" + joiner.join(describe(p) for p in node.parts) + ")"


def has_positive_context(node: Node | None) -> bool:
    if node is None or isinstance(node, Not):
        return False
    if isinstance(node, Term):
        return True
    return any(has_positive_context(p) for p in node.parts)


@dataclass(frozen=True)
class Rule:
    """One anchor of a query, with its condition and the list's expected phrase."""

    query: str
    anchor: Term
    condition: Node | None
    expected: Expected
    num_papers: int
    whitelisted: bool


# ---------------------------------------------------------------- evaluation against a document


def spellings(phrase: str) -> set[str]:
    """The phrase as listed, and with hyphens as spaces ("K-closest" / "k closest")."""
    out = {phrase}
    if "-" in phrase:
        out.add(phrase.replace("-", " "))
    return out

def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def bounded(low: str, start: int, end: int, left_only: bool = False) -> bool:
    if start > 0 and _is_word_char(low[start - 1]):
        return False
    return left_only or end >= len(low) or not _is_word_char(low[end])


def _find_term(term: Term, low: str) -> bool:
    if term.slop is not None:
        return _proximity_anywhere(low, term)
    for spelling in spellings(term.text):
        at = low.find(spelling)
        while at != -1:
            if bounded(low, at, at + len(spelling), term.prefix):
                return True
            at = low.find(spelling, at + 1)
    return False


def holds(node: Node, low: str, cache: dict[Term, bool]) -> bool:
    if isinstance(node, Term):
        if node not in cache:
            cache[node] = _find_term(node, low)
        return cache[node]
    if isinstance(node, Not):
        return not holds(node.part, low, cache)
    if isinstance(node, And):
        return all(holds(p, low, cache) for p in node.parts)
    return any(holds(p, low, cache) for p in node.parts)


def _word_matches(token: str, word: str) -> bool:
    return token == word or token.rstrip("s") == word.rstrip("s") if word.isalpha() else token == word


def _proximity_tokens(low: str, lo: int, hi: int) -> list[tuple[str, int, int]]:
    return [(m.group().strip("'’-"), m.start() + lo, m.end() + lo) for m in _PROX_WORD.finditer(low, lo, hi)]


def _proximity_window(tokens, term: Term, must_cover: tuple[int, int] | None) -> tuple[int, int] | None:
    """Smallest stretch of <= len(words)+slop tokens holding every word of the term (any order)."""
    width = len(term.words) + (term.slop or 0)
    for i in range(len(tokens)):
        window = tokens[i : i + width]
        picked = []
        for word in term.words:
            spot = next((t for t in window if _word_matches(t[0], word) and t not in picked), None)
            if spot is None:
                break
            picked.append(spot)
        else:
            start, end = min(t[1] for t in picked), max(t[2] for t in picked)
            if must_cover is None or (start <= must_cover[0] and must_cover[1] <= end):
                return start, end
    return None


def proximity_at(low: str, term: Term, start: int, end: int) -> tuple[int, int] | None:
    reach = 40 * (len(term.words) + (term.slop or 0))
    tokens = _proximity_tokens(low, max(0, start - reach), min(len(low), end + reach))
    return _proximity_window(tokens, term, (start, end))


def _proximity_anywhere(low: str, term: Term) -> bool:
    if not all(word in low for word in term.words):
        return False
    return _proximity_window(_proximity_tokens(low, 0, len(low)), term, None) is not None
