"""Find the source of a spun copy: LSH candidates per paragraph, exact verification, doc votes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any, Protocol

from .align import Alignment, align
from .fingerprint import MIN_STABLE_SHINGLES, WORDS, Features, token_texts, chunks, containment, features, shingle_hashes, text_keys, word_tokens
from .index import Paragraph, TraceIndex

MIN_SCORE = 0.5  # below this the best candidate is not called a source
CANDIDATES_PER_PIECE = 12
SHORTLIST = 8  # documents verified by alignment
WHOLE_TEXT_WORDS = 600  # a copy this short is also looked up as one piece (its paragraphing may differ)
MIN_BLOCK = 2  # tokens a run must share to count as copied text in verification
MAX_PIECES = 12  # long queries: retrieve with this many evenly spaced paragraphs


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
    position: int  # index among all pieces of the query; -1 for the whole text


# doc_num -> {piece position -> (weighted score, best paragraph number)}
Votes = dict[int, dict[int, tuple[float, int]]]


def trace(
    text: str,
    index: TraceIndex,
    *,
    restorer: Restorer | None = None,
    top: int = 5,
    min_score: float = MIN_SCORE,
    with_alignment: bool = True,
    restore_when: str = "unsure",
) -> TraceResult:
    """Rank the indexed documents that may be the source of `text`; align the best match.

    With a `restorer`, the restored text is looked up too: only when the copy alone finds no
    source (restore_when="unsure", fast for easy copies) or for every query ("always").
    """
    if restore_when not in ("unsure", "always"):
        raise ValueError(f"restore_when must be 'unsure' or 'always', not {restore_when!r}")
    if restorer is not None and restore_when == "unsure":
        plain = trace(text, index, top=top, min_score=min_score, with_alignment=with_alignment)
        if plain.matched:
            return plain
        return trace(text, index, restorer=restorer, top=top, min_score=min_score, with_alignment=with_alignment, restore_when="always")
    plan = plan_lookups(text, index.vocabulary, restorer)
    if plan is None:
        return TraceResult(0, (), False)
    all_pieces, pieces, lookups, total_words = plan.all_pieces, plan.pieces, plan.lookups, plan.total_words
    hits = {p.position: _top_hits(index.band_hits(p.keys)) for p in lookups}
    paras = index.paragraphs({pid for found in hits.values() for pid in found})
    shortlist = _shortlist(lookups, hits, paras, index, max(top, SHORTLIST))
    votes = {doc_num: _verify(pieces, hits, paras, doc_num, index) for doc_num in shortlist}
    weight = sum(p.words for p in pieces) or 1
    ranked = sorted(votes.items(), key=lambda kv: (-sum(s for s, _ in kv[1].values()), kv[0]))[:top]
    candidates = tuple(_candidate(doc_num, matches, weight, index) for doc_num, matches in ranked)
    matched = bool(candidates) and candidates[0].score >= min_score
    if not (matched and with_alignment):
        return TraceResult(total_words, candidates, matched)
    doc_num = ranked[0][0]
    first, last = _source_range(votes[doc_num], len(all_pieces))
    source_text, _ = index.document_text(doc_num, first, last)
    return TraceResult(total_words, candidates, True, source_text, first, align(text, source_text))


@dataclass(frozen=True)
class LookupPlan:
    """What `trace` looks up for one text: its paragraphs, the pieces sampled from them, and
    those pieces plus (for a short text) the whole text, each with its band keys."""

    all_pieces: list[str]
    pieces: list[_Piece]
    lookups: list[_Piece]
    total_words: int


def plan_lookups(text: str, vocabulary: Any, restorer: Restorer | None = None) -> LookupPlan | None:
    """The lookups of `trace(text, ...)` (None for a text with no paragraph): an engine that
    joins band keys itself (Spark) asks for exactly the keys the SQLite index is asked for."""
    all_pieces = chunks(text)
    if not all_pieces:
        return None
    total_words = sum(len(word_tokens(p)) for p in all_pieces)
    pieces = [_piece(all_pieces[i], i, vocabulary, restorer) for i in _spread(len(all_pieces), MAX_PIECES)]
    lookups = list(pieces)
    if len(pieces) > 1 and total_words <= WHOLE_TEXT_WORDS:
        lookups.append(_piece(text, -1, vocabulary, restorer))
    return LookupPlan(all_pieces, pieces, lookups, total_words)


def _spread(n: int, k: int) -> list[int]:
    if n <= k:
        return list(range(n))
    return sorted({round(i * (n - 1) / (k - 1)) for i in range(k)})


def _piece(text: str, position: int, vocabulary: Any, restorer: Restorer | None) -> _Piece:
    feats = features(text, vocabulary)
    keys = text_keys(feats)
    restored: frozenset[int] = frozenset()
    restored_text = ""
    if restorer is not None and position >= 0:
        restored_text = restorer.restore(text).restored
        restored = shingle_hashes(word_tokens(restored_text), WORDS.shingle)
        if restored != feats.words:
            keys += text_keys(Features(frozenset(), restored))
    return _Piece(text, restored_text, len(word_tokens(text)), feats, restored, keys, position)


def _top_hits(hits: dict[int, int]) -> list[int]:
    return [pid for pid, _ in sorted(hits.items(), key=lambda kv: (-kv[1], kv[0]))[:CANDIDATES_PER_PIECE]]


def _shortlist(lookups: list[_Piece], hits: dict[int, list[int]], paras: dict[int, Paragraph], index: TraceIndex, n: int) -> list[int]:
    """Documents to verify: ranked by fingerprint containment, summed over the lookups."""
    votes: dict[int, float] = defaultdict(float)
    for piece in lookups:
        by_doc: dict[int, list[Paragraph]] = defaultdict(list)
        for pid in hits[piece.position]:
            by_doc[paras[pid].doc_num].append(paras[pid])
        for doc_num, doc_paras in by_doc.items():
            feats = [index.paragraph_features(p) for p in doc_paras]
            stable = frozenset().union(*(f.stable for f in feats))
            words = frozenset().union(*(f.words for f in feats))
            votes[doc_num] += _cheap_score(piece, stable, words) * piece.words
    return [d for d, _ in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


def _cheap_score(piece: _Piece, stable: frozenset[int], words: frozenset[int]) -> float:
    """Fingerprint containment: every word 3-gram, plus half weight for stable shingles."""
    by_words = max(containment(piece.feats.words, words), containment(piece.restored_words, words))
    if len(piece.feats.stable) < MIN_STABLE_SHINGLES:
        return by_words
    return by_words + 0.5 * containment(piece.feats.stable, stable)


def _verify(pieces: list[_Piece], hits: dict[int, list[int]], paras: dict[int, Paragraph], doc_num: int, index: TraceIndex) -> dict[int, tuple[float, int]]:
    """Alignment check of each piece against the stretch of the document its lookups point to."""
    whole = [paras[pid].number for pid in hits.get(-1, []) if paras[pid].doc_num == doc_num]
    out: dict[int, tuple[float, int]] = {}
    for piece in pieces:
        own = [paras[pid] for pid in hits[piece.position] if paras[pid].doc_num == doc_num]
        numbers = [p.number for p in own] or whole
        if not numbers:
            continue
        pad = 1 + min(3, piece.words // 80)
        source, offsets = index.document_text(doc_num, max(0, min(numbers) - pad), max(numbers) + pad)
        tokens = _tokens(source)
        score = copied_share(_tokens(piece.text), tokens)
        if piece.restored:
            score = max(score, copied_share(_tokens(piece.restored), tokens))
        best = max(own, key=lambda p: _cheap_score(piece, index.paragraph_features(p).stable, index.paragraph_features(p).words)).number if own else numbers[0]
        out[piece.position] = (score * piece.words, best)
    return out


def _tokens(text: str) -> list[str]:
    return [t.lower() for t in token_texts(text)]


def copied_share(copy: list[str], source: list[str]) -> float:
    """Share of the copy's tokens that appear, in order, in runs of >= MIN_BLOCK tokens of the source."""
    if not copy:
        return 0.0
    blocks = SequenceMatcher(None, copy, source, autojunk=False).get_matching_blocks()
    return sum(b.size for b in blocks if b.size >= MIN_BLOCK) / len(copy)


def _candidate(doc_num: int, matches: dict[int, tuple[float, int]], weight: int, index: TraceIndex) -> Candidate:
    doc_id, source, meta = index.document(doc_num)
    score = sum(s for s, _ in matches.values()) / weight
    return Candidate(doc_id, min(1.0, score), tuple(sorted({n for _, n in matches.values()})), source, meta)


def _source_range(matches: dict[int, tuple[float, int]], n_pieces: int) -> tuple[int, int]:
    """Paragraph range of the source the whole copy maps to, from the pieces that matched."""
    starts = [number - position for position, (_, number) in matches.items()]
    ends = [number + (n_pieces - 1 - position) for position, (_, number) in matches.items()]
    return max(0, min(starts)), max(ends)
