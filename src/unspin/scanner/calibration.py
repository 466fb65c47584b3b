"""The scan calibration record: coefficients, thresholds, and how they were obtained."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import ArtifactError

CALIBRATION_PATH = Path(__file__).resolve().parents[1] / "data" / "scan_calibration.json"


@lru_cache(maxsize=4)
def load_calibration(path: str | None = None) -> dict[str, Any]:
    """The calibration record (coefficients, thresholds, and how they were obtained)."""
    target = Path(path) if path else CALIBRATION_PATH
    try:
        return json.loads(target.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ArtifactError(f"cannot read scan calibration: {exc}", source=str(target)) from exc
