"""`learn --from-spun` on Spark: the learner's two passes as two map-reduce jobs, the decision here.

    from unspin.engines.spark_learn import learn_on_spark
    from unspin.learn import SpunLearner, default_toolkit
    run = learn_on_spark(spark, ["crawl/"], SpunLearner(default_toolkit()), default_toolkit)
    run.result.pairs                                   # what `learn_from_spun` gives on the same files

Each pass is one job. Executors read their files with unspin's own reader (one task per file, as
`spark_input`; spread over the cores when there are fewer files than cores) and run the local
runner's own pass functions (`learn.from_spun.count_texts`, `weigh_texts`) per document; each
partition folds its documents into one keyed table, one `reduceByKey` adds the partitions'
tables, and only the reduced table comes back. Every key carries the position of its first
occurrence (file, document, rank in the document) and every LM-gain sample its own position, so
the driver rebuilds `CorpusCounts` and `GainStats` exactly as the local runner builds them in
reading order: the same counts in the same key order, the same first `GAIN_SAMPLE` samples per
form. Selection between the passes, EM, consistency and confidence then run on the driver
(`learn.from_spun.learn_with`), so the pairs, counts and confidences are the local runner's.

The toolkit on the executors comes from `toolkit()`, a picklable factory called once per Python
worker (the default, `learn.default_toolkit`, loads the installed lexicon and 5-gram model; its
`requires` are checked on every executor before the first job). Unreadable documents count
nothing and never fail the job; their number comes back with the result.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from functools import partial
from typing import Any, Callable, Iterable, Iterator, Sequence

from ..learn.counts import GAIN_SAMPLE, CorpusCounts, GainStats
from ..learn.from_spun import LearnResult, LearnState, SpunLearner, count_texts, learn_with, weigh_texts

_DOCS, _TOKENS, _UNREADABLE, _SCREENED_OUT = ("#", "docs"), ("#", "tokens"), ("#", "unreadable"), ("#", "screened_out")
_NONE: tuple = ()  # the position of the totals (any position compares above it)


@dataclass(frozen=True)
class SparkLearnRun:
    result: LearnResult
    unreadable: int  # input rows or files that could not be read (skipped, as locally)
    partitions: int  # tasks per pass


def learn_on_spark(
    spark: Any,
    inputs: Sequence[str],
    learner: SpunLearner,
    toolkit: Callable[[], Any],
    *,
    state: LearnState | None = None,
    reading: dict[str, Any] | None = None,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    check: bool = True,
) -> SparkLearnRun:
    """Learn from the documents of `inputs` (read twice, once per pass) with `learner` (its
    toolkit on the driver); `toolkit()` builds the same toolkit in each executor's worker.
    `reading`: `iter_documents`' options (max_bytes, ...), as the local command reads."""
    from .spark import check_artifacts

    if check:
        check_artifacts(spark, tuple(getattr(toolkit, "requires", ())))
    token = uuid.uuid4().hex  # one toolkit per worker for both passes of this run
    reading = dict(reading or {})
    sc = spark.sparkContext
    seen: dict[str, int] = {}

    def documents() -> Any:
        rdd = _documents(spark, inputs, reading, include, exclude)
        seen["partitions"] = rdd.getNumPartitions()
        return rdd

    def count() -> CorpusCounts:
        rows = documents().mapPartitions(partial(_count_partition, toolkit=toolkit, token=token)).reduceByKey(_combine).collect()
        table = dict(rows)
        seen["unreadable"] = table.pop(_UNREADABLE, (0, _NONE))[0]
        docs, tokens = table.pop(_DOCS, (0, _NONE))[0], table.pop(_TOKENS, (0, _NONE))[0]
        screened_out = table.pop(_SCREENED_OUT, (0, _NONE))[0]
        return CorpusCounts(_ordered((key[1], value) for key, value in table.items()), docs, tokens, screened_out)

    def weigh(suspects: dict[str, tuple[str, ...]], extra: frozenset[str]) -> GainStats:
        shared = sc.broadcast((suspects, extra))
        try:
            fn = partial(_weigh_partition, toolkit=toolkit, token=token, shared=shared)
            rows = documents().mapPartitions(fn).reduceByKey(_combine).collect()
        finally:
            shared.destroy()
        return _gain_stats(rows)

    result = learn_with(learner, count, weigh, state)
    return SparkLearnRun(result, seen.get("unreadable", 0), seen.get("partitions", 0))


# --- reading ---------------------------------------------------------------------------------

def _documents(spark: Any, inputs: Sequence[str], reading: dict[str, Any], include: Sequence[str], exclude: Sequence[str]) -> Any:
    """An RDD of ((file, document), text or None when unreadable), in no particular partition order."""
    from .spark_input import input_units

    sc = spark.sparkContext
    units = input_units(inputs, include=include, exclude=exclude)
    cores = max(1, sc.defaultParallelism)
    if not units:
        return sc.parallelize([], 1)
    docs = sc.parallelize(list(enumerate(units)), min(len(units), cores * 64)).flatMap(partial(_read, reading=reading))
    return docs if len(units) >= cores else docs.repartition(cores)


def _read(unit: tuple[int, str], reading: dict[str, Any]) -> Iterator[tuple[tuple[int, int], str | None]]:
    from .spark_input import _read_unit

    index, path = unit
    for i, doc in enumerate(_read_unit(path, reading)):
        yield (index, i), (None if doc.error else doc.text)


# --- inside a Python worker ------------------------------------------------------------------

_KITS: dict[str, Any] = {}  # run token -> toolkit, kept between the tasks (and passes) of one run
_KEEP_KITS = 2


def _kit(token: str, toolkit: Callable[[], Any]) -> Any:
    kit = _KITS.get(token)
    if kit is None:
        while len(_KITS) >= _KEEP_KITS:
            _KITS.pop(next(iter(_KITS)))
        kit = _KITS[token] = toolkit()
    return kit


def _add(table: dict, key: tuple, n: int, first: tuple) -> None:
    entry = table.get(key)
    if entry is None:
        table[key] = (n, first)
    else:
        table[key] = (entry[0] + n, first if first < entry[1] else entry[1])


def _count_partition(items: Iterable[tuple[tuple[int, int], str | None]], toolkit: Callable[[], Any], token: str) -> Iterator[tuple]:
    kit = _kit(token, toolkit)
    table: dict = {}
    docs = tokens = unreadable = screened_out = 0
    for pos, text in items:
        if text is None:
            unreadable += 1
            continue
        counts = count_texts(kit, [text])
        docs += counts.docs
        tokens += counts.tokens
        screened_out += counts.screened_out
        for rank, (gram, n) in enumerate(counts.ngrams.items()):
            _add(table, ("n", gram), n, (*pos, rank))
    table[_DOCS], table[_TOKENS], table[_UNREADABLE] = (docs, _NONE), (tokens, _NONE), (unreadable, _NONE)
    table[_SCREENED_OUT] = (screened_out, _NONE)
    return iter(table.items())


_COUNTERS = {"seen": "seen", "extra": "x", "docs_with": "w", "docs_with_both": "b", "docs_with_outside": "o"}


def _weigh_partition(items: Iterable[tuple[tuple[int, int], str | None]], toolkit: Callable[[], Any], token: str,
                     shared: Any, cap: int = GAIN_SAMPLE) -> Iterator[tuple]:
    kit = _kit(token, toolkit)
    suspects, extra = shared.value
    table: dict = {}
    samples: dict[str, list] = {}
    for pos, text in items:
        if text is None:
            continue
        gains = weigh_texts(kit, [text], suspects, extra)
        for name, kind in _COUNTERS.items():
            for rank, (key, n) in enumerate(getattr(gains, name).items()):
                _add(table, (kind, key), n, (*pos, rank))
        for observed, rows in gains.samples.items():
            mine = samples.setdefault(observed, [])
            mine.extend(((*pos, k), row) for k, row in enumerate(rows))
            if len(mine) > 2 * cap:
                samples[observed] = _first(mine, [], cap)
    table.update((("s", observed), _first(rows, [], cap)) for observed, rows in samples.items())
    return iter(table.items())


def _first(a: list, b: list, cap: int = GAIN_SAMPLE) -> list:
    """The `cap` earliest samples of two lists of (position, gains)."""
    return sorted(a + b, key=lambda sample: sample[0])[:cap]


def _combine(a: Any, b: Any) -> Any:
    if isinstance(a, list):  # LM-gain samples
        return _first(a, b)
    return (a[0] + b[0], a[1] if a[1] < b[1] else b[1])


# --- back on the driver ----------------------------------------------------------------------

def _ordered(items: Iterable[tuple[Any, tuple[int, tuple]]]) -> Counter:
    """A Counter with its keys in the order of their first occurrence (the local runner's order)."""
    return Counter(dict((key, value[0]) for key, value in sorted(items, key=lambda kv: kv[1][1])))


def _gain_stats(rows: list[tuple[tuple[str, Any], Any]]) -> GainStats:
    groups: dict[str, list] = {kind: [] for kind in (*_COUNTERS.values(), "s")}
    for (kind, key), value in rows:
        groups[kind].append((key, value))
    counters = {name: _ordered(groups[kind]) for name, kind in _COUNTERS.items()}
    samples = dict(groups["s"])
    # the local runner creates a form's sample list where it counts the form: the same key order
    ordered = {observed: [row for _, row in samples.get(observed, [])] for observed in counters["seen"]}
    return GainStats(ordered, counters["seen"], counters["extra"], counters["docs_with"], counters["docs_with_both"],
                     counters["docs_with_outside"])


__all__ = ["SparkLearnRun", "learn_on_spark"]
