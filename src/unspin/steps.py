"""Pipeline steps that combine the decision layers: `Scanner` (scan, with the restorer's edits
as findings when thorough). A step is a picklable callable `Document -> record dict` that stores
only its settings and loads its engines lazily, once per process (see `unspin.pipeline`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .scanner.detect import default_fingerprints, load_fingerprints, scan_text
from .types import DocReport, Document

if TYPE_CHECKING:
    from .lexicon.fingerprints import FingerprintMatcher


class Scanner:
    """`scan_text` as a pipeline step: Document -> DocReport dict (plus "source")."""

    def __init__(
        self,
        *,
        lm: str = "ngram",
        use_model: bool = True,
        thorough: bool = False,
        fingerprints_path: str | None = None,
        threshold: float | None = None,
        screener: Any = None,
        restorer: Any = None,
        use_default_fingerprints: bool = True,
        device: str | None = None,
    ) -> None:
        self.lm = lm
        self.device = device
        self.use_model = use_model
        self.thorough = thorough
        self.fingerprints_path = fingerprints_path
        self.threshold = threshold
        self.use_default_fingerprints = use_default_fingerprints
        # injected engines (tests) travel with the step; loaded ones are rebuilt in each worker
        self._screener, self._restorer = screener, restorer
        self._injected = {"_screener": screener is not None, "_restorer": restorer is not None}
        self._matcher: Any = None
        self._matcher_loaded = False

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        for name, injected in self._injected.items():
            if not injected:
                state[name] = None
        state["_matcher"], state["_matcher_loaded"] = None, False
        return state

    def matcher(self) -> "FingerprintMatcher | None":
        if not self._matcher_loaded:
            if self.fingerprints_path:
                from .lexicon.fingerprint_lists import effective_list

                self._matcher = load_fingerprints(effective_list(self.fingerprints_path))
            elif self.use_default_fingerprints:
                self._matcher = default_fingerprints()
            self._matcher_loaded = True
        return self._matcher

    def screener(self) -> Any:
        if self.use_model and self._screener is None:
            from .scanner.screen import load_screener

            self._screener = load_screener()
        return self._screener

    def restorer(self) -> Any:
        if self.use_model and self.thorough and self._restorer is None:
            from .restorer.decode import load_restorer

            self._restorer = load_restorer(lm=self.lm, device=self.device)
        return self._restorer

    def scan(self, text: str, doc_id: str = "") -> DocReport:
        return scan_text(
            text,
            screener=self.screener(),
            restorer=self.restorer(),
            thorough=self.thorough,
            fingerprints=self.matcher() or False,
            use_model=self.use_model,
            threshold=self.threshold,
            doc_id=doc_id,
        )

    def __call__(self, doc: Document) -> dict[str, Any]:
        record = self.scan(doc.text, doc.doc_id).to_dict()
        record["source"] = doc.source
        return record
