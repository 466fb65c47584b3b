"""Corpus counts as one map-reduce, for learners that read millions of pages (`learn --from-spun`).

    from unspin.engines.spark_count import TokenNgrams, count_corpus
    from unspin.engines.spark_input import read_documents
    counts = count_corpus(read_documents(spark, ["crawl/"]), TokenNgrams(2), min_count=2)

`counter_fn` is any picklable callable `Document -> Mapping[key, int]` (keys hashable and
picklable: strings, tuples of strings). Each partition sums its documents' counts in one
`Counter` (map side), then one `reduceByKey` adds the partitions' counters; only keys whose total
reaches `min_count` come back to the driver. Unreadable documents (`Document.error`) count nothing.
The result equals `sum((Counter(counter_fn(d)) for d in documents), Counter())` computed locally.
"""

from __future__ import annotations

import operator
from collections import Counter
from typing import Any, Callable, Hashable, Iterable, Iterator, Mapping

from ..types import Document

CounterFn = Callable[[Document], Mapping[Hashable, int]]


def count_corpus(documents: Any, counter_fn: CounterFn, *, min_count: int = 1) -> Counter:
    """Total counts of `counter_fn` over a documents DataFrame (columns doc_id, text, and
    optionally source, meta, error as `engines.spark.DOCUMENT_SCHEMA`)."""
    totals = documents.rdd.mapPartitions(lambda rows: _partition_counts(rows, counter_fn)).reduceByKey(operator.add)
    if min_count > 1:
        totals = totals.filter(lambda pair: pair[1] >= min_count)
    return Counter(dict(totals.collect()))


def _partition_counts(rows: Iterable[Any], counter_fn: CounterFn) -> Iterator[tuple[Hashable, int]]:
    from .spark import _document

    counts: Counter = Counter()
    for row in rows:
        doc = _document(row.asDict())
        if doc.error is None:
            counts.update(counter_fn(doc))
    return iter(counts.items())


class TokenNgrams:
    """Counts of lower-cased word n-grams (tuples of tokens) of a document: a ready counter_fn."""

    def __init__(self, n: int = 1) -> None:
        if n < 1:
            raise ValueError(f"n must be at least 1, not {n}")
        self.n = n

    def __call__(self, doc: Document) -> Counter:
        from ..trace.fingerprint import word_tokens

        tokens = word_tokens(doc.text)
        return Counter(tuple(tokens[i : i + self.n]) for i in range(len(tokens) - self.n + 1))
