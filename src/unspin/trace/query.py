"""Find the source of a spun copy: LSH candidates per paragraph, exact verification, doc votes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any, Protocol

from .align import Alignment, align
from .fingerprint import WORDS, Features, token_texts, chunks, containment, features, shingle_hashes, text_keys, word_tokens
from .index import Paragraph, TraceIndex

MIN_SCORE = 0.5  # below this the best candidate is not called a source
CANDIDATES_PER_PIECE = 12
SHORTLIST = 5  # documents verified by alignment
SINGLE_PIECE_WORDS = 300
MIN_BLOCK = 2  # tokens a run must share to count as copied text in verification
MAX_PIECES = 12  # long queries: retrieve with this many evenly spaced paragraphs
MIN_STABLE_SHINGLES = 3  # fewer stable shingles than this are too little evidence on their own


class Restorer(Protocol):
    def restore(self, text: str, threshold: float | None = None) -> Any: ...


@dataclass(frozen=True)
class Candidate:
    """A reference document that may be the source, with the share of the copy it explains."""

    doc_id: str
    score: float  # in [0, 1]: share of the copy's tokens found, in order, in this document
    paragraphs: tuple[int, ...]  # paragraph numbers of the document that matched
    source: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "score": round(self.score, 4), "paragraphs": list(self.paragraphs), "source": self.source, "meta": self.meta}


@dataclass(frozen=True)
class TraceResult:
    query_words: int
    candidates: tuple[Candidate, ...]  # best first
    matched: bool  # the best candidate scored at least min_score
    source_text: str = ""  # the best match's matched paragraphs, joined by blank lines
    source_offset: int = 0  # paragraph number where source_text starts
    alignment: Alignment | None = None

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.matched else None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "query_words": self.query_words,
            "matched": self.matched,
            "best": self.best.doc_id if self.best else None,
            "candidates": [c.to_dict() for c in self.candidates],
        }
        if self.alignment is not None:
            d["source_paragraph"] = self.source_offset
            d["alignment"] = self.alignment.to_dict(texts=True)
        return d


@dataclass(frozen=True)
class _Piece:
    text: str
    restored: str
    words: int
    feats: Features
    restored_words: frozenset[int]
    keys: list[int]
    position: int  # index among all pieces of the query


def trace(
    text: str,
    index: TraceIndex,
    *,
    restorer: Restorer | None = None,
    top: int = 5,
    min_score: float = MIN_SCORE,
    with_alignment: bool = True,
) -> TraceResult:
    all_pieces = query_pieces(text)
    total_words = sum(len(word_tokens(p)) for p in all_pieces)
    if not all_pieces:
        return TraceResult(0, (), False)
    pieces = [_piece(all_pieces[i], i, index, restorer) for i in _spread(len(all_pieces), MAX_PIECES)]
    per_piece = [_top_hits(index.band_hits(p.keys)) for p in pieces]
    paras = index.paragraphs({pid for hits in per_piece for pid in hits})
    cheap = _doc_votes(pieces, per_piece, paras, index)
    shortlist = sorted(cheap.items(), key=lambda kv: -sum(s for s, _, _ in kv[1].values()))[: max(top, SHORTLIST)]
    votes = {doc_num: _verify(pieces, matches) for doc_num, matches in shortlist}
    weight = sum(p.words for p in pieces) or 1
    ranked = sorted(votes.items(), key=lambda kv: -sum(s for s, _ in kv[1].values()))[:top]
    candidates = tuple(_candidate(doc_num, matches, weight, index) for doc_num, matches in ranked)
    matched = bool(candidates) and candidates[0].score >= min_score
    if not (matched and with_alignment):
        return TraceResult(total_words, candidates, matched)
    doc_num = ranked[0][0]
    first, last = _source_range(votes[doc_num], len(all_pieces))
    source_text, _ = index.document_text(doc_num, first, last)
    return TraceResult(total_words, candidates, True, source_text, first, align(text, source_text))


def query_pieces(text: str) -> list[str]:
    """One piece for a short text without blank lines (a single paragraph, however its sentences
    fall), else the same paragraph cut as the index uses."""
    if "\n\n" not in text.strip() and len(text.split()) <= SINGLE_PIECE_WORDS:
        return [text.strip()] if text.strip() else []
    return chunks(text)


def _spread(n: int, k: int) -> list[int]:
    if n <= k:
        return list(range(n))
    return sorted({round(i * (n - 1) / (k - 1)) for i in range(k)})


def _piece(text: str, position: int, index: TraceIndex, restorer: Restorer | None) -> _Piece:
    feats = features(text, index.vocabulary)
    keys = text_keys(feats) if len(feats.stable) >= MIN_STABLE_SHINGLES else text_keys(Features(frozenset(), feats.words))
    restored: frozenset[int] = frozenset()
    restored_text = ""
    if restorer is not None:
        restored_text = restorer.restore(text).restored
        restored = shingle_hashes(word_tokens(restored_text), WORDS.shingle)
        if restored != feats.words:
            keys += text_keys(Features(frozenset(), restored))
    return _Piece(text, restored_text, len(word_tokens(text)), feats, restored, keys, position)


def _top_hits(hits: dict[int, int]) -> list[int]:
    return [pid for pid, _ in sorted(hits.items(), key=lambda kv: (-kv[1], kv[0]))[:CANDIDATES_PER_PIECE]]


def _doc_votes(pieces: list[_Piece], per_piece: list[list[int]], paras: dict[int, Paragraph], index: TraceIndex) -> dict[int, dict[int, tuple[float, int, list[Paragraph]]]]:
    """Cheap fingerprint vote: doc_num -> {piece position -> (weighted score, best paragraph, paragraphs)}."""
    votes: dict[int, dict[int, tuple[float, int, list[Paragraph]]]] = defaultdict(dict)
    for piece, hits in zip(pieces, per_piece):
        by_doc: dict[int, list[Paragraph]] = defaultdict(list)
        for pid in hits:
            by_doc[paras[pid].doc_num].append(paras[pid])
        for doc_num, doc_paras in by_doc.items():
            feats = [index.paragraph_features(p) for p in doc_paras]
            stable = frozenset().union(*(f.stable for f in feats))
            words = frozenset().union(*(f.words for f in feats))
            score = _similarity(piece, stable, words)
            if score > 0:
                best = max(doc_paras, key=lambda p: _similarity(piece, index.paragraph_features(p).stable, index.paragraph_features(p).words))
                votes[doc_num][piece.position] = (score * piece.words, best.number, doc_paras)
    return votes


def _verify(pieces: list[_Piece], matches: dict[int, tuple[float, int, list[Paragraph]]]) -> dict[int, tuple[float, int]]:
    """Alignment check of each piece against the document's candidate paragraphs."""
    by_position = {p.position: p for p in pieces}
    out = {}
    for position, (_, best, doc_paras) in matches.items():
        piece = by_position[position]
        source = [t.lower() for p in sorted(doc_paras, key=lambda p: p.number) for t in token_texts(p.text)]
        score = copied_share(_tokens(piece.text), source)
        if piece.restored:
            score = max(score, copied_share(_tokens(piece.restored), source))
        out[position] = (score * piece.words, best)
    return out


def _tokens(text: str) -> list[str]:
    return [t.lower() for t in token_texts(text)]


def copied_share(copy: list[str], source: list[str]) -> float:
    """Share of the copy's tokens that appear, in order, in runs of >= MIN_BLOCK tokens of the source."""
    if not copy:
        return 0.0
    blocks = SequenceMatcher(None, copy, source, autojunk=False).get_matching_blocks()
    return sum(b.size for b in blocks if b.size >= MIN_BLOCK) / len(copy)


def _similarity(piece: _Piece, stable: frozenset[int], words: frozenset[int]) -> float:
    by_words = max(containment(piece.feats.words, words), containment(piece.restored_words, words))
    if len(piece.feats.stable) < MIN_STABLE_SHINGLES:
        return by_words
    return max(containment(piece.feats.stable, stable), by_words)


def _candidate(doc_num: int, matches: dict[int, tuple[float, int]], weight: int, index: TraceIndex) -> Candidate:
    doc_id, source, meta = index.document(doc_num)
    score = sum(s for s, _ in matches.values()) / weight
    return Candidate(doc_id, min(1.0, score), tuple(sorted({n for _, n in matches.values()})), source, meta)


def _source_range(matches: dict[int, tuple[float, int]], n_pieces: int) -> tuple[int, int]:
    """Paragraph range of the source the whole copy maps to, from the pieces that matched."""
    starts = [number - position for position, (_, number) in matches.items()]
    ends = [number + (n_pieces - 1 - position) for position, (_, number) in matches.items()]
    return max(0, min(starts)), max(ends)
