"""unspin: expose and reverse automatic article spinning.

    >>> import unspin
    >>> r = unspin.restore("The corporate's chief government officer acknowledged ...")
    >>> r.restored, [(e.observed, e.original, e.confidence) for e in r.edits]

Heavy parts (language models, thesauri) load on first use, never at import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import ArtifactError, InputError, MissingExtraError, ModelError, UnspinError
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
    "restore", "load_restorer", "scan",
    "Alternative", "DocReport", "Edit", "Evidence", "Finding", "FindingKind", "Match",
    "Restoration", "Source", "Span",
    "UnspinError", "InputError", "ArtifactError", "ModelError", "MissingExtraError",
]
__version__ = "0.1.0"


def load_restorer(lm: str = "ngram", **options: Any) -> "Restorer":
    """A ready restoration engine; cached per (lm, options) so repeated calls are free."""
    from .restorer.decode import load_restorer as _load

    return _load(lm=lm, **options)


def restore(text: str, *, lm: str = "smollm2", threshold: float | None = None, **options: Any) -> Restoration:
    """Restore the original wording of a (possibly) spun text.

    lm="smollm2" (default) reranks with the neural model; lm="ngram" is much faster with
    lower recall (see BENCHMARKS.md)."""
    engine = load_restorer(lm, **options)
    return engine.restore(text, threshold=threshold)


def scan(text: str, *, thorough: bool = False, lm: str = "ngram", restorer: Any = None, **options: Any) -> DocReport:
    """Say how likely a text is spun and list its tortured phrases. With `thorough`, the
    findings are the restorer's edits (`lm` picks its language model)."""
    from .scanner.detect import scan_text

    if thorough and restorer is None:
        restorer = load_restorer(lm)
    return scan_text(text, thorough=thorough, restorer=restorer, **options)
