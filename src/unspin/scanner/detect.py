"""Screening: how likely a document is spun, and its tortured phrases with their likely originals.

    >>> from unspin.scanner.detect import scan_text
    >>> report = scan_text(text)                    # n-gram screener + $UNSPIN_FINGERPRINTS, if set
    >>> report.spin_probability, report.spun, [(f.observed, f.suggestion) for f in report.findings]

Two sources of findings, one report:

- fingerprints: known tortured phrases (`unspin.lexicon.fingerprints`, e.g. the PPS list);
- the engine: by default its fast screening pass (`unspin.scanner.screen`: every site whose swap
  probability reaches the calibrated finding threshold); with `thorough=True` a restorer's
  edits (passed in: scan never imports the restorer), slower and more precise.

The document score is a small logistic model over per-document features (`FEATURES`): the
screening pass's mixture likelihood ratios, and fingerprint hits. Its coefficients and the
default decision threshold (<= 1% false positives on clean text) come from
`src/unspin/data/scan_calibration.json`, written by `python -m unspin.bench.calibrate_scan`,
which records the data and method that produced them.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Iterable, Union

from ..messages import with_messages
from ..stats import sigmoid
from ..types import DocReport, Edit, Finding, Restoration
from .calibration import load_calibration

if TYPE_CHECKING:
    from ..lexicon.fingerprints import FingerprintMatcher
    from .screen import Screening

FINGERPRINTS_ENV = "UNSPIN_FINGERPRINTS"

# Per-document features the score is computed from.
FEATURES = (
    "mix_02",  # screening: mixture log-likelihood ratio of the sites per 100 words, 2% of them swapped
    "mix_05",  # ... 5% swapped
    "mix_10",  # ... 10% swapped
    "mix_20",  # ... 20% swapped
    "sites_per_100",  # spans a spinner could have produced, per 100 words
    "top_llr",  # screening: mean log-likelihood ratio of the 5 strongest phrases
    "fingerprint_per_1k",  # known-fingerprint hits, per 1,000 words
    "fingerprint_conf_per_1k",  # sum of their confidences, per 1,000 words
)

FingerprintsArg = Union["FingerprintMatcher", None, bool]


# ---------------------------------------------------------------- the score


@dataclass(frozen=True)
class ScoreModel:
    """sigmoid(intercept + sum(coef * (x - mean) / scale)) over named features."""

    features: tuple[str, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float  # spun when the probability is above this
    mean: tuple[float, ...] = ()
    scale: tuple[float, ...] = ()

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "ScoreModel":
        n = len(d["features"])
        return cls(
            tuple(d["features"]), tuple(float(c) for c in d["coef"]), float(d["intercept"]),
            float(d["threshold"]), tuple(d.get("mean") or [0.0] * n), tuple(d.get("scale") or [1.0] * n),
        )

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in d.items()}

    def logit(self, features: dict[str, float]) -> float:
        z = self.intercept
        for name, c, m, s in zip(self.features, self.coef, self.mean, self.scale):
            z += c * (features.get(name, 0.0) - m) / (s or 1.0)
        return z

    def probability(self, features: dict[str, float]) -> float:
        return sigmoid(self.logit(features))


def score_model(use_model: bool, calibration: dict[str, Any] | None = None) -> ScoreModel:
    record = calibration or load_calibration()
    return ScoreModel.from_dict(record["model" if use_model else "fingerprint_only"])


def doc_features(words: int, screening: dict[str, float] | None, fingerprints: Iterable[Finding]) -> dict[str, float]:
    """The score's inputs: the screening pass's document features plus fingerprint hits."""
    per_1k = 1000.0 / max(words, 1)
    fingerprints = list(fingerprints)
    features = {name: 0.0 for name in FEATURES}
    features.update(screening or {})
    features["fingerprint_per_1k"] = len(fingerprints) * per_1k
    features["fingerprint_conf_per_1k"] = sum(f.confidence for f in fingerprints) * per_1k
    return features


# ---------------------------------------------------------------- findings


def screened_findings(screening: "Screening") -> list[Finding]:
    """Each site the screening pass reports, as a finding."""
    return list(screening.findings)


def model_findings(restoration: Restoration) -> list[Finding]:
    """Each edit the restorer would make, as a finding."""
    return [edit.as_finding() if isinstance(edit, Edit) else edit for edit in restoration.edits]


def merge_findings(fingerprints: list[Finding], model: list[Finding]) -> list[Finding]:
    """All fingerprint findings, plus model findings that overlap none of them; in text order."""
    taken = sorted((f.span.start, f.span.end) for f in fingerprints)
    kept = [m for m in model if not any(s < m.span.end and m.span.start < e for s, e in taken)]
    return sorted(fingerprints + kept, key=lambda f: (f.span.start, f.span.end))


@lru_cache(maxsize=8)
def load_fingerprints(path: str) -> "FingerprintMatcher":
    from ..lexicon.fingerprints import FingerprintMatcher

    return FingerprintMatcher.from_csv(path)


def default_fingerprints(bundled_on: bool | None = None) -> "FingerprintMatcher | None":
    """$UNSPIN_FINGERPRINTS merged with the bundled list (`lexicon.fingerprint_lists`; `bundled_on`
    overrides $UNSPIN_DEFAULT_FINGERPRINTS), or None."""
    from ..lexicon.fingerprint_lists import effective_list

    path = effective_list(os.environ.get(FINGERPRINTS_ENV), bundled_on)
    return load_fingerprints(path) if path else None


def _resolve_fingerprints(fingerprints: FingerprintsArg) -> "FingerprintMatcher | None":
    if fingerprints is None or fingerprints is True:
        return default_fingerprints()
    if fingerprints is False:
        return None
    return fingerprints


def _default_screener() -> Any:
    from .screen import load_screener

    return load_screener()


def scan_text(
    text: str,
    *,
    screener: Any = None,
    restorer: Any = None,
    thorough: bool = False,
    fingerprints: FingerprintsArg = None,
    use_model: bool = True,
    threshold: float | None = None,
    doc_id: str = "",
    calibration: dict[str, Any] | None = None,
) -> DocReport:
    """Screen one text.

    `screener`: an engine with `.screen(text)` (default: `load_screener()`, loaded on first use)
    gives the score and, unless `thorough`, the model findings; with `thorough=True` the findings
    come from `restorer.restore(text)` (required then); `fingerprints`: a
    `FingerprintMatcher`, None for $UNSPIN_FINGERPRINTS, False for none; `use_model=False` scans
    with fingerprints only; `threshold`: decision threshold on the spin probability (default: the
    calibrated one, <= 1% false positives on clean dev text).
    """
    matcher = _resolve_fingerprints(fingerprints)
    fp = matcher.find(text) if matcher is not None else []
    if thorough and use_model and restorer is None:
        raise ValueError("a thorough scan needs a restorer (unspin.scan or unspin.steps.Scanner give one)")
    if use_model:
        screening = (screener if screener is not None else _default_screener()).screen(text)
        words, screened = screening.words, screening.features
    else:
        words, screened = quick_word_count(text), None
    scorer = score_model(use_model, calibration)
    probability = scorer.probability(doc_features(words, screened, fp))
    if not use_model:
        model = []
    elif thorough:
        model = model_findings(_restored(restorer, text, probability))
    else:
        model = screened_findings(screening)
    cut = scorer.threshold if threshold is None else threshold
    findings = with_messages(merge_findings(fp, model))  # each with a sentence a person can read
    return DocReport(
        doc_id=doc_id,
        spin_probability=round(probability, 6),
        spun=probability > cut,
        words=words,
        findings=tuple(findings),
        findings_per_1k=round(len(findings) * 1000.0 / words, 3) if words else 0.0,
    )


def _restored(restorer: Any, text: str, spin_probability: float) -> Restoration:
    """The restorer's restoration of `text`. One that asks scan first (`restore_given`) is handed
    this scan's probability: restore's prior is then the posterior this report gives, and the
    document is not screened twice."""
    given = getattr(restorer, "restore_given", None)
    return given(text, spin_probability) if given is not None else restorer.restore(text)


def quick_word_count(text: str) -> int:
    """Words as single-space/newline-separated runs, from two C-speed `str.count` passes.

    Exact for text whose words are separated by one space or newline (prose); runs of several
    whitespace characters count extra. Fingerprint-only scans use it: the tokenizer
    (`text.word_count`) would cost more than the matching itself, `str.split` a third of it.
    """
    if not text or text.isspace():
        return 0
    edges = (text[0] in " \n") + (text[-1] in " \n")
    return max(text.count(" ") + text.count("\n") - edges + 1, 1)


__all__ = ["FEATURES", "ScoreModel", "doc_features", "load_calibration", "merge_findings",
           "model_findings", "scan_text", "score_model", "screened_findings"]
