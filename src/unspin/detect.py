"""Moved to `unspin.scanner.detect` (and the `Scanner` step to `unspin.steps`); this name stays
for one release."""

from .scanner.calibration import CALIBRATION_PATH, load_calibration  # noqa: F401
from .scanner.detect import (  # noqa: F401
    FEATURES, ScoreModel, default_fingerprints, doc_features, load_fingerprints, merge_findings, model_findings,
    quick_word_count, scan_text, score_model, screened_findings,
)
from .stats import sigmoid  # noqa: F401
from .steps import Scanner  # noqa: F401
