"""Spinner families for the benchmarks (evaluation only: the engine never imports this).

    family_names()                      -> ["holdout", "mythes-first", ..., "random"]
    get_family("moby-random", "light")  -> Family (.spin(text) -> SpunText, .rules())
    training_families("dense")          -> every family tuning/calibration may use (no holdout)

Each dictionary family is deterministic: one output per source word or phrase (a few, such as
modal verbs, draw from a fixed set of two to four), function-word rules keyed on the next word,
every occurrence replaced, names and capitalised words included, case and inflection kept.
"light" covers a small share of the headwords (about 5% of words replaced), "dense" most of
them and every phrase rule (about a quarter). The `holdout` family is for headline numbers only.
"""

from __future__ import annotations

from .base import DENSITIES, Family
from .public import RECIPES

HOLDOUT = "holdout"
RANDOM = "random"


def family_names() -> list[str]:
    """Every family, the holdout first and the old random spinner last."""
    return [HOLDOUT, *(r.name for r in RECIPES), RANDOM]


def get_family(name: str, density: str = "dense", **options) -> Family:
    """options (random family only): seed, rate."""
    if density not in DENSITIES:
        raise ValueError(f"unknown density {density!r}: choose one of {', '.join(DENSITIES)}")
    if name == HOLDOUT:
        from .holdout import RECIPE

        return RECIPE.family(density)
    if name == RANDOM:
        from .random_family import family

        return family(density, **options)
    for recipe in RECIPES:
        if recipe.name == name:
            return recipe.family(density)
    raise ValueError(f"unknown spinner family {name!r}: choose from {', '.join(family_names())}")


def training_families(density: str = "dense") -> list[Family]:
    """The families tuning, calibration and training may use: all but the holdout. Training code
    should import this from `unspin.bench.families.training`, which cannot reach the holdout."""
    from .training import training_families as families

    return families(density)


__all__ = ["DENSITIES", "Family", "family_names", "get_family", "training_families"]
