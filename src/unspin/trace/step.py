"""`trace` as a pipeline step (Document -> record), for batches of queries on the local runner.

The record is ``{"doc_id": ..., **TraceResult.to_dict()}``; Spark's crawl-scale trace
(`unspin.engines.spark_trace`) writes the same records.
"""

from __future__ import annotations

from typing import Any, Callable

from ..types import Document
from .query import MIN_SCORE, trace


class LazyRestorer:
    """Loads the restoring engine on the first copy that needs one (most are found without).
    `load(lm)` builds it: by default the bare engine (`restorer.decode.load_restorer`); the
    commands pass `steps.restore_engine`, so a traced copy is restored as `restore` restores it."""

    def __init__(self, lm: str, load: Callable[[str], Any] | None = None) -> None:
        self.lm = lm
        self.load = load
        self._engine: Any = None

    def __getstate__(self) -> dict[str, Any]:
        return {"lm": self.lm, "load": self.load, "_engine": None}

    def restore(self, text: str, threshold: float | None = None) -> Any:
        if self._engine is None:
            self._engine = (self.load or _bare_engine)(self.lm)
        return self._engine.restore(text)


def _bare_engine(lm: str) -> Any:
    from ..restorer.decode import load_restorer

    return load_restorer(lm=lm)


class TraceStep:
    def __init__(self, index_path: str, *, top: int = 5, min_score: float = MIN_SCORE, restorer: Any = None,
                 restore_when: str = "unsure", with_alignment: bool = True) -> None:
        self.index_path = index_path
        self.top, self.min_score, self.restore_when, self.with_alignment = top, min_score, restore_when, with_alignment
        self.restorer = restorer
        self._index: Any = None

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_index": None}

    def __call__(self, doc: Document) -> dict[str, Any]:
        if self._index is None:
            from .index import TraceIndex

            self._index = TraceIndex.open(self.index_path)
        result = trace(doc.text, self._index, restorer=self.restorer, top=self.top, min_score=self.min_score,
                       with_alignment=self.with_alignment, restore_when=self.restore_when)
        return {"doc_id": doc.doc_id, **result.to_dict()}
