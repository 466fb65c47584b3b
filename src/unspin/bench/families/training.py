"""The families that tuning, calibration and training may use: every family but the holdout.

This module never imports the holdout family (import-linter contract in pyproject.toml), so a
training script that takes its families from here cannot reach it.
"""

from __future__ import annotations

from .base import Family
from .public import RECIPES


def training_family_names() -> list[str]:
    return [*(r.name for r in RECIPES), "random"]


def training_families(density: str = "dense") -> list[Family]:
    from .random_family import family

    return [*(r.family(density) for r in RECIPES), family(density)]
