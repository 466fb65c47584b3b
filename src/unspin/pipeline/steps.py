"""Steps the commands run on either executor (the local runner, Spark)."""

from __future__ import annotations

import logging
from typing import Any

from unspin.errors import MissingExtraError, ModelError, error_record
from unspin.pipeline.step import Step
from unspin.types import Document

log = logging.getLogger(__name__)


class RestoreStep(Step):
    """`restore --jsonl`: the row back, with "restored" and "edits" added.

    `lm=None` is the default engine (the n-gram model and the learned site model); another
    `lm` that cannot load falls back to the n-gram model alone. Read the rows with ``keep_fields=True`` so the row comes back whole.
    """

    name = "restore"
    requires = ("lexicon", "ngram")
    lazy = ("engine", "restorer")
    DEFAULT_LM = "ngram"

    def __init__(self, lm: str | None = None, *, learned: str | None = None, threshold: float | None = None,
                 text_field: str = "text", fingerprints: str | None = None, spun_threshold: float | None = None,
                 device: str | None = None, document_prior: bool = True, confirmed: str | None = None,
                 first_rows: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.confirmed = confirmed
        # text -> a `PendingRestoration` the confirmed pairs were counted on: decided, not restored again
        self.first_rows = first_rows or {}
        self.spun_threshold = spun_threshold
        self.document_prior = document_prior
        self.device = device
        self.fingerprints = fingerprints
        self.lm = lm
        self.learned = learned
        self.threshold = threshold
        self.text_field = text_field

    def setup(self) -> None:
        self.engine = self._confirmed(self._engine())
        self.restorer = with_fingerprints(self.engine, self.fingerprints)

    def _confirmed(self, engine: Any) -> Any:
        """`engine` with the batch's confirmed pairs (`confirmed`: a file `restorer.confirmed` wrote)."""
        if self.confirmed is None or not hasattr(engine, "with_confirmed"):
            return engine
        from unspin.restorer.confirmed import ConfirmedPairs

        return engine.with_confirmed(ConfirmedPairs.load(self.confirmed))

    def _engine(self) -> Any:
        from unspin.steps import restore_engine

        options = {"learned": self.learned, "spun_threshold": self.spun_threshold, "device": self.device,
                   "document_prior": self.document_prior}
        if self.lm is not None:
            return restore_engine(self.lm, **options)
        try:
            return restore_engine(self.DEFAULT_LM, **options)
        except (MissingExtraError, ModelError) as exc:
            log.warning("%s; using the n-gram model alone", exc)
            return restore_engine("ngram", **options)

    def run(self, doc: Document) -> dict[str, Any]:
        from unspin.schema import versioned

        result = self._restore(doc.text)
        return versioned({"doc_id": doc.doc_id, **doc.meta, self.text_field: doc.text, "restored": result.restored,
                          "edits": [e.to_dict() for e in result.edits]})

    def _restore(self, text: str) -> Any:
        pending = self.first_rows.get(text) if self.threshold is None else None
        if pending is None:
            return self.restorer.restore(text, threshold=self.threshold)
        result = pending.decided(getattr(self.engine, "confirmed", None))
        return self.restorer.finish(result)

    def error_record(self, doc_id: str, error: str, meta: dict[str, Any]) -> dict[str, Any]:
        """A row that could not be read keeps its line number and raw text beside the error."""
        extra = {k: meta[k] for k in ("line", "raw") if k in meta}
        return {**error_record(doc_id, error), **extra} if extra else error_record(doc_id, error)


class _WithFingerprints:
    """An engine plus a known list's matches as edits (`lexicon.fingerprint_edits`); with no
    list (`matcher` None) the engine's restorations pass through as they are."""

    def __init__(self, engine: Any, matcher: Any | None) -> None:
        self.engine, self.matcher = engine, matcher

    def restore(self, text: str, threshold: float | None = None) -> Any:
        return self.finish(self.engine.restore(text, threshold=threshold))

    def finish(self, result: Any) -> Any:
        """The engine's restoration with the list's matches added."""
        if self.matcher is None:
            return result
        from unspin.lexicon.fingerprint_edits import with_fingerprint_edits

        return with_fingerprint_edits(result, self.matcher)


def with_fingerprints(engine: Any, path: str | None) -> _WithFingerprints:
    """The engine, restoring a known tortured-phrase list's matches too when `path` names one."""
    if not path:
        return _WithFingerprints(engine, None)
    from unspin.scanner.detect import load_fingerprints

    return _WithFingerprints(engine, load_fingerprints(path))


__all__ = ["RestoreStep", "with_fingerprints"]
