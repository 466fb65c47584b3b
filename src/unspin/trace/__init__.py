"""Find the source a spun copy was made from, and align the two.

    from unspin.trace import TraceIndex, read_corpus, thesaurus_vocabulary, trace
    with TraceIndex.create("refs.db", thesaurus_vocabulary()) as index:
        index.add(read_corpus("articles.jsonl"))
    with TraceIndex.open("refs.db") as index:
        result = trace(copy_text, index)          # restorer=... adds restored-text evidence
        result.best, result.alignment.swaps
"""

from .align import Alignment, Segment, SegmentKind, align
from .fingerprint import Vocabulary, lexicon_vocabulary, thesaurus_vocabulary
from .index import AddStats, SourceDoc, TraceIndex, read_corpus
from .query import MIN_SCORE, Candidate, TraceResult, trace

__all__ = [
    "AddStats",
    "Alignment",
    "Candidate",
    "MIN_SCORE",
    "Segment",
    "SegmentKind",
    "SourceDoc",
    "TraceIndex",
    "TraceResult",
    "Vocabulary",
    "align",
    "lexicon_vocabulary",
    "read_corpus",
    "thesaurus_vocabulary",
    "trace",
]
