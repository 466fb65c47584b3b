"""A spinner family: a named, deterministic way to spin text, at one density band."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, Protocol

from ..spinner import SpunText
from .dictionary import DictionarySpinner, Rules, stable_share, surface_rules
from .lexicons import Chooser, FUNCTION_WORDS, lemma_rules

DENSITIES = ("light", "dense")
DETERMINERS = ("the", "a", "an", "his", "her", "their", "its", "this", "our")


class _Engine(Protocol):
    def spin(self, text: str) -> SpunText: ...


@dataclass(frozen=True)
class Family:
    name: str
    holdout: bool
    description: str
    density: str
    _engine: Callable[[], _Engine] = field(repr=False, compare=False)
    _rules: Callable[[], Rules] = field(repr=False, compare=False)

    def spin(self, text: str) -> SpunText:
        return self._engine().spin(text)

    def rules(self) -> dict[str, tuple[str, ...]]:
        """Lower-case source word or phrase -> its output(s); word rules list every inflected form."""
        return dict(self._rules())


@dataclass(frozen=True)
class Tables:
    """A family's own phrase rules.

    keyed: function word -> (output, the next words that trigger it): "in" -> ("within",
      ("the", "a")) makes the rules "in the" -> "within the", "in a" -> "within a"; "in" alone
      stays (the survivors a real spinner leaves).
    phrases: fixed rules, word or phrase -> output(s): phrase -> word, word -> phrase,
      phrase -> phrase, and the modal verbs with two to four outputs."""

    keyed: Mapping[str, tuple[str, tuple[str, ...]]]
    phrases: Mapping[str, tuple[str, ...]]

    def rules(self) -> dict[str, tuple[str, ...]]:
        out = {f"{word} {after}": (f"{output} {after}",) for word, (output, nexts) in self.keyed.items() for after in nexts}
        out.update(self.phrases)
        return out


@dataclass(frozen=True)
class Recipe:
    """How a dictionary family is built: a thesaurus, a choice rule, tables and coverage."""

    name: str
    description: str
    source: str
    choose: Callable[[], Chooser]
    tables: Tables
    salt: str
    coverage: Mapping[str, float]  # density -> share of eligible headwords covered
    table_coverage: Mapping[str, float]  # density -> share of phrase-table rules kept
    multi_share: float = 0.05  # headwords that draw from two or three outputs
    phrase_share: float = 0.25  # headwords that may get a multi-word output
    holdout: bool = False

    def family(self, density: str) -> Family:
        if density not in DENSITIES:
            raise ValueError(f"unknown density {density!r}: choose one of {', '.join(DENSITIES)}")
        return Family(self.name, self.holdout, self.description, density,
                      lambda: _engine(self, density), lambda: _rules(self, density))


_RULES: dict[tuple[str, str], Rules] = {}
_ENGINES: dict[tuple[str, str], DictionarySpinner] = {}


def _rules(recipe: Recipe, density: str) -> Rules:
    key = (recipe.name, density)
    if key not in _RULES:
        _RULES[key] = _build_rules(recipe, density)
    return _RULES[key]


def _build_rules(recipe: Recipe, density: str) -> Rules:
    share, table_share = recipe.coverage[density], recipe.table_coverage[density]
    words = lemma_rules(
        recipe.source,
        recipe.choose(),
        keep=lambda head: stable_share(recipe.salt, head) < share,
        multi=lambda head: stable_share(recipe.salt + "/multi", head) < recipe.multi_share,
        phrases=lambda head: stable_share(recipe.salt + "/phrase", head) < recipe.phrase_share,
    )
    rules = surface_rules(words, skip=FUNCTION_WORDS)
    for key, outputs in recipe.tables.rules().items():
        if stable_share(recipe.salt + "/table", key) < table_share:
            rules[key] = outputs
    return rules


def _engine(recipe: Recipe, density: str) -> DictionarySpinner:
    key = (recipe.name, density)
    if key not in _ENGINES:
        _ENGINES[key] = DictionarySpinner(_rules(recipe, density), recipe.salt)
    return _ENGINES[key]
