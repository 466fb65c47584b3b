"""unspin: expose and reverse automatic article spinning.

    >>> import unspin
    >>> r = unspin.restore("The corporate's chief government officer acknowledged ...")
    >>> r.restored, [(e.observed, e.original, e.confidence) for e in r.edits]

Heavy parts (language models, thesauri) load on first use, never at import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import ArtifactError, DeviceError, InputError, MissingExtraError, ModelError, UnspinError
from .types import (
    Alternative,
    DocReport,
    Edit,
    Evidence,
    Finding,
    FindingKind,
    Match,
    Restoration,
    Source,
    Span,
)

if TYPE_CHECKING:
    from .restorer.decode import Restorer

__all__ = [
    "restore", "restore_many", "load_restorer", "scan", "scan_frame", "restore_frame",
    "Alternative", "DocReport", "Edit", "Evidence", "Finding", "FindingKind", "Match",
    "Restoration", "Source", "Span",
    "UnspinError", "InputError", "ArtifactError", "ModelError", "DeviceError", "MissingExtraError",
]
__version__ = "0.1.0"


def load_restorer(lm: str = "ngram", **options: Any) -> "Restorer":
    """A ready restoration engine; cached per (lm, options) so repeated calls are free.
    options: `learned` (a learned lexicon), `spun_threshold` (the site model's cut in documents
    scan flags as spun; see `unspin.steps.restore_engine`), `document_prior` (default True: the
    site model asks scan first, and a flagged document gets a third pass, each later pass taking
    the previous one's likelier guesses as context; False skips that screening), `device` ("auto"|"cpu"|"cuda", default
    $UNSPIN_DEVICE, else auto: where a neural lm runs; "cuda" without a GPU raises DeviceError,
    U301), or the decoder's settings."""
    from .steps import restore_engine

    return restore_engine(lm, **options)


def restore(text: str, *, lm: str = "ngram", threshold: float | None = None, fingerprints: Any = None,
            **options: Any) -> Restoration:
    """Restore the original wording of a (possibly) spun text.

    lm="ngram" (default): the n-gram model and the learned site model; lm="smollm2": the
    site model with a SmolLM2 stage over its likeliest candidates, about 5x slower on densely
    spun text, over twice the recall (see BENCHMARKS.md); device="auto"|"cpu"|"cuda" puts a neural lm on a GPU. fingerprints: a known list (path or FingerprintMatcher)
    whose matches are restored to the list's expected phrase."""
    engine = load_restorer(lm, **options)
    result = engine.restore(text, threshold=threshold)
    if fingerprints is None or fingerprints is False:
        return result
    from .lexicon.fingerprint_edits import with_fingerprint_edits

    return with_fingerprint_edits(result, fingerprint_list(fingerprints))


def restore_many(texts: Any, *, learn: bool = True, jobs: int = 1, min_confidence: float | None = None,
                 document_prior: bool = True, lm: str = "ngram", device: str | None = None,
                 confirm: bool = True) -> list[Restoration]:
    """Restore a batch of texts (a crawl of one content farm, say). With `learn` (default), the
    spinner's dictionary is first deciphered from the batch itself, then every text is restored
    with it: on 300 pages one spinner made, 4.6 times the swaps restored row by row (15.8% against
    3.4%, BENCHMARKS.md, learn-input). `learn=False` restores each text alone. `document_prior`
    (default True): scan is asked first, as by `restore`. `lm="smollm2"`: the site model's neural
    stage too (with a learned dictionary, the stage fitted for one: half as much again on a dense
    crawl, 2.3-5x the time), on `device`. `confirm` (with `learn`): a pair the batch's first 40
    texts restore 3 times or more is restored in every text from probability 0.8 up
    (`restorer.confirmed`)."""
    from .steps import restore_batch

    return restore_batch(list(texts), learn=learn, jobs=jobs, min_confidence=min_confidence,
                         document_prior=document_prior, lm=lm, device=device, confirm=confirm)


def scan(text: str, *, fingerprints: Any = None, thorough: bool = False, lm: str = "ngram", restorer: Any = None,
         device: str | None = None, **options: Any) -> DocReport:
    """Say how likely a text is spun and list its tortured phrases. With `thorough`, the
    findings are the restorer's edits (`lm` picks its language model, `device` where a neural one runs).

    fingerprints: a path to a PPS-style CSV (str or PathLike; merged with the bundled list unless
    $UNSPIN_DEFAULT_FINGERPRINTS=0), a `FingerprintMatcher`, None ($UNSPIN_FINGERPRINTS and the
    bundled list) or False (none)."""
    from .scanner.detect import scan_text

    if thorough and restorer is None:
        restorer = load_restorer(lm, device=device)
    return scan_text(text, fingerprints=fingerprint_list(fingerprints), thorough=thorough, restorer=restorer, **options)


def fingerprint_list(fingerprints: Any) -> Any:
    """A path (str or PathLike) becomes the compiled list it names; anything else is kept."""
    import os

    if isinstance(fingerprints, (str, os.PathLike)):
        from .scanner.detect import load_fingerprints
        from .lexicon.fingerprint_lists import effective_list

        path = os.fspath(fingerprints)
        if not os.path.isfile(path):
            raise InputError("fingerprint list not found", source=path)
        return load_fingerprints(effective_list(path))
    return fingerprints


def scan_frame(table: Any, *, text: str = "text", **options: Any) -> Any:
    """`scan` over a pandas DataFrame or Arrow table column: its columns plus the report's."""
    from .frames import scan_frame as _scan_frame

    return _scan_frame(table, text=text, **options)


def restore_frame(table: Any, *, text: str = "text", **options: Any) -> Any:
    """`restore` over a pandas DataFrame or Arrow table column: its columns plus restored and edits."""
    from .frames import restore_frame as _restore_frame

    return _restore_frame(table, text=text, **options)
