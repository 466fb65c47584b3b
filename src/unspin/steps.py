"""Pipeline steps that combine the decision layers: `Scanner` (scan, with the restorer's edits
as findings when thorough), and `restore_engine` (restore, where the scan's document posterior
decides first). A step is a picklable callable `Document -> record dict` that stores only its
settings and loads its engines lazily, once per process (see `unspin.pipeline`)."""

from __future__ import annotations

from functools import lru_cache
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
        bundled_fingerprints: bool | None = None,
        device: str | None = None,
    ) -> None:
        self.lm = lm
        self.device = device
        self.use_model = use_model
        self.thorough = thorough
        self.fingerprints_path = fingerprints_path
        self.threshold = threshold
        self.use_default_fingerprints = use_default_fingerprints
        # a setting, not the environment, so Spark executors and --jobs workers see it too
        self.bundled_fingerprints = bundled_fingerprints  # None: $UNSPIN_DEFAULT_FINGERPRINTS
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

                path = effective_list(self.fingerprints_path, self.bundled_fingerprints)
                self._matcher = load_fingerprints(path) if path else None
            elif self.use_default_fingerprints:
                self._matcher = default_fingerprints(self.bundled_fingerprints)
            self._matcher_loaded = True
        return self._matcher

    def screener(self) -> Any:
        if self.use_model and self._screener is None:
            from .scanner.screen import load_screener

            self._screener = load_screener()
        return self._screener

    def restorer(self) -> Any:
        if self.use_model and self.thorough and self._restorer is None:
            # restore's own engine (the document prior too), so --thorough findings are restore's edits
            self._restorer = restore_engine(self.lm, device=self.device)
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


class ScanPosterior:
    """The calibrated spin probability `scan` reports for a text (model score, default
    fingerprint lists), as a callable the restorer asks before it decides."""

    def __init__(self) -> None:
        from .scanner.detect import score_model
        from .scanner.screen import load_screener

        self.screener = load_screener()
        self.flag_at = score_model(True).threshold

    def __call__(self, text: str) -> float:
        return scan_text(text, screener=self.screener).spin_probability


_COMPOSED: dict[tuple, Any] = {}


@lru_cache(maxsize=1)
def _scan_posterior() -> ScanPosterior:
    return ScanPosterior()


def with_scan_prior(engine: Any, spun_threshold: float | None = None) -> Any:
    """The site model `engine` asking scan's posterior first (`ModelRestorer.with_document_prior`)."""
    posterior = _scan_posterior()
    return engine.with_document_prior(posterior, posterior.flag_at, spun_threshold)


def restore_engine(lm: str = "ngram", *, learned: str | None = None, spun_threshold: float | None = None,
                   document_prior: bool = True, **options: Any) -> Any:
    """The restoration engine (`restorer.decode.load_restorer`). The site model (`lm="ngram"`,
    with or without a `learned` lexicon, or with its `lm="smollm2"` stage) first asks scan's calibrated spin probability of the whole
    document (`document_prior`, on by default): a document scan flags as spun gets a third pass,
    each later pass taking the previous one's likelier guesses as context, and with
    `spun_threshold` it edits wherever the site model's probability reaches that; every other
    document is restored at the default cut, as without the prior.
    `document_prior=False`: no scan is asked (each document a little faster)."""
    from .restorer.decode import load_restorer

    engine = load_restorer(lm, learned=learned, **options)
    with_prior = document_prior and hasattr(engine, "with_document_prior")
    if spun_threshold is not None and not with_prior:
        raise ValueError("a cut for spun documents (spun_threshold) needs the site model (lm='ngram', no decoder "
                         "options) and its document prior")
    if not with_prior:
        return engine
    key = (lm, learned, spun_threshold, tuple(sorted(options.items())))
    if key not in _COMPOSED:
        _COMPOSED[key] = with_scan_prior(engine, spun_threshold)
    return _COMPOSED[key]


def restore_batch(texts: list[str], *, learn: bool = True, jobs: int = 1, min_confidence: float | None = None,
                  document_prior: bool = True, lm: str = "ngram", device: str | None = None,
                  confirm: bool = True) -> list[Any]:
    """Restore a batch of texts one spinner may have made. With `learn`, the spinner's dictionary
    is first deciphered from the batch itself (`learn.from_spun`, as `restore --jsonl
    --learn-from-input`; only from the texts scan gives a spin probability of 0.5 or more), and
    every text is restored with it by the learned site model; a batch of a few dozen pages or
    more is needed for the learner to find anything. `lm`: "ngram" (default) or "smollm2" (the
    site model's neural stage, as `restore --lm smollm2`; `device` where it runs). `confirm`
    (with `learn`): pairs the batch's first pages edit often are edited from a lower probability
    in the whole batch (`restorer.confirmed`). `document_prior`: as `restore_engine`'s."""
    if lm not in ("ngram", "smollm2"):
        raise ValueError(f"a batch is restored with lm='ngram' or 'smollm2' (the neural stage's LM), not {lm!r}")
    if not learn:
        engine = restore_engine(lm, document_prior=document_prior, device=device)
        return [engine.restore(t) for t in texts]
    from .learn import default_toolkit
    from .learn.from_spun import decipher_texts
    from .restorer.site_model import model_restorer_with

    lexicon, _ = decipher_texts(lambda: iter(texts), default_toolkit(), jobs=jobs, min_confidence=min_confidence)
    engine = model_restorer_with(lexicon if len(lexicon) else None)
    if lm != "ngram":
        from .engine import resources
        from .model.neural import resolve_device
        from .restorer.site_model import with_neural_stage

        engine = with_neural_stage(engine, resources.neural(lm, resolve_device(device)))
    if document_prior and hasattr(engine, "with_document_prior"):
        engine = with_scan_prior(engine)
    if confirm and hasattr(engine, "restore_pending"):
        from .restorer.confirmed import restore_confirmed

        return restore_confirmed(engine, texts)
    return [engine.restore(t) for t in texts]
