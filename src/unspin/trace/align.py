"""Word alignment of a spun copy against its source: every swap and every untouched span."""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import Enum
from typing import Any

from ..text import Token, tokenize
from ..types import Span

MAX_SWAP_WORDS = 4


class SegmentKind(str, Enum):
    SAME = "same"  # untouched: identical words in copy and source
    SWAP = "swap"  # 1-4 words replaced by 1-4 words (observed -> original)
    REWRITE = "rewrite"  # a longer replaced stretch
    INSERTED = "inserted"  # only in the copy
    DELETED = "deleted"  # only in the source


@dataclass(frozen=True)
class Segment:
    kind: SegmentKind
    copy: Span  # character range in the copy
    source: Span  # character range in the source
    observed: str  # copy text of the segment
    original: str  # source text of the segment

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "copy_start": self.copy.start,
            "copy_end": self.copy.end,
            "source_start": self.source.start,
            "source_end": self.source.end,
            "observed": self.observed,
            "original": self.original,
        }


@dataclass(frozen=True)
class Alignment:
    copy_text: str
    source_text: str
    segments: tuple[Segment, ...]

    @property
    def swaps(self) -> tuple[Segment, ...]:
        return tuple(s for s in self.segments if s.kind is SegmentKind.SWAP)

    @property
    def untouched(self) -> tuple[Segment, ...]:
        return tuple(s for s in self.segments if s.kind is SegmentKind.SAME)

    @property
    def copied_fraction(self) -> float:
        """Share of the copy's words that are untouched or swapped source words."""
        words = {kind: 0 for kind in SegmentKind}
        for seg in self.segments:
            words[seg.kind] += sum(1 for t in tokenize(seg.observed) if t.is_word)
        total = sum(words.values())
        return (words[SegmentKind.SAME] + words[SegmentKind.SWAP]) / total if total else 0.0

    def to_dict(self, texts: bool = False) -> dict[str, Any]:
        d: dict[str, Any] = {
            "swaps": [s.to_dict() for s in self.swaps],
            "segments": [s.to_dict() for s in self.segments],
            "copied_fraction": round(self.copied_fraction, 4),
        }
        if texts:
            d["copy_text"], d["source_text"] = self.copy_text, self.source_text
        return d


def align(copy: str, source: str) -> Alignment:
    """Align word tokens (case-insensitive); punctuation tokens act as anchors."""
    a, b = tokenize(copy), tokenize(source)
    matcher = SequenceMatcher(None, [t.lower for t in a], [t.lower for t in b], autojunk=False)
    segments: list[Segment] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        kind = _kind(tag, a[i1:i2], b[j1:j2])
        segments.append(_segment(kind, copy, source, a, b, i1, i2, j1, j2))
    return Alignment(copy, source, tuple(segments))


def _kind(tag: str, copy_toks: list[Token], source_toks: list[Token]) -> SegmentKind:
    if tag == "equal":
        return SegmentKind.SAME
    if tag == "insert":
        return SegmentKind.DELETED  # difflib's insert: tokens only in the second sequence (the source)
    if tag == "delete":
        return SegmentKind.INSERTED
    words_a = sum(t.is_word for t in copy_toks)
    words_b = sum(t.is_word for t in source_toks)
    if 1 <= words_a <= MAX_SWAP_WORDS and 1 <= words_b <= MAX_SWAP_WORDS and len(copy_toks) <= 2 * MAX_SWAP_WORDS:
        return SegmentKind.SWAP
    return SegmentKind.REWRITE


def _span(tokens: list[Token], i1: int, i2: int) -> Span:
    if i1 < i2:
        return Span(tokens[i1].start, tokens[i2 - 1].end)
    at = tokens[i1].start if i1 < len(tokens) else (tokens[-1].end if tokens else 0)
    return Span(at, at)


def _segment(kind: SegmentKind, copy: str, source: str, a: list[Token], b: list[Token], i1: int, i2: int, j1: int, j2: int) -> Segment:
    cs, ss = _span(a, i1, i2), _span(b, j1, j2)
    return Segment(kind, cs, ss, copy[cs.start : cs.end], source[ss.start : ss.end])
