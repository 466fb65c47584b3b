"""THE HOLDOUT SPINNER FAMILY. NEVER TUNE, CALIBRATE OR TRAIN ON IT. NEVER READ ITS TABLES INTO
THE ENGINE.

################################################################################################
#  This family exists so that BENCHMARKS.md can headline a number no choice was fitted to.     #
#  Nothing in unspin.bench.tune, unspin.bench.calibrate_scan, `unspin learn` or any future     #
#  training script may spin with it, read its rules, or copy its tables: use                   #
#  `unspin.bench.families.training_families()`, which leaves it out. Only the benchmark        #
#  harnesses (`unspin bench restore|scan|spin`) and its own tests touch it.                     #
################################################################################################

Construction (its own, shared with no other family): Moby and WordNet together; the headword
gets the synonym whose English frequency is closest to its own (a spinner that keeps register),
ties by the listed order; its own phrase table and function-word rules below; its own salt.
"""

from __future__ import annotations

from .base import Recipe, Tables
from .lexicons import zipf

HOLDOUT_TABLES = Tables(
    keyed={
        "in": ("across", ("the", "his", "her", "their", "its")),
        "at": ("during", ("the",)),
        "with": ("combined with", ("his", "her", "their", "the")),
        "on": ("concerning", ("the", "a")),
        "for": ("pertaining to", ("the",)),
        "from": ("originating from", ("the", "a")),
        "after": ("soon after", ("the", "a", "his", "her")),
        "of": ("connected with", ("his", "her", "their")),
        "is": ("is definitely", ("a", "an", "the")),
        "to": ("over to", ("the", "his", "her")),
        "by": ("thanks to", ("the", "a")),
        "about": ("on the subject of", ("the", "a", "his", "her", "their")),
    },
    phrases={
        "they": ("such people",), "you": ("yourself",), "during": ("all through",), "until": ("up to",),
        "into": ("inside",), "since": ("seeing that",), "these": ("all these",),
        "said": ("pointed out",), "says": ("points out",), "saying": ("pointing out",),
        "will": ("shall", "is going to", "may"), "may": ("might", "might well", "can"), "can": ("might",),
        "would": ("may",), "should": ("would need to",), "could": ("might possibly",), "must": ("is required to",),
        "also": ("moreover",), "however": ("even so",), "many": ("plenty of",), "very": ("exceptionally",),
        "more than": ("beyond",), "according to": ("as reported by",), "in order to": ("with the aim to",),
        "as well as": ("and",), "such as": ("among them",), "because of": ("thanks to",),
        "at least": ("at the least",), "because": ("for the reason that",), "although": ("whilst",),
        "a new": ("a recent",), "last year": ("the previous year",), "in fact": ("indeed",),
        "so far": ("until now",), "each other": ("one other",), "a lot of": ("a good deal of",),
        "as well": ("likewise",), "the first": ("the initial",), "in the past": ("historically",),
        "at the time": ("back then",),
    },
)


def closest_frequency(head: str, synonyms: list[str]) -> list[str]:
    own = zipf(head)
    ranked = sorted(range(len(synonyms)), key=lambda i: (abs(zipf(synonyms[i]) - own), i))
    return [synonyms[i] for i in ranked[:3]]


RECIPE = Recipe(
    "holdout",
    "HOLDOUT (never tuned, calibrated or trained on): Moby + WordNet, the synonym closest in "
    "frequency to the headword; its own phrase table",
    "moby+wordnet", lambda: closest_frequency, HOLDOUT_TABLES, "holdout-7f3a",
    {"light": 0.07, "dense": 0.4}, {"light": 0.25, "dense": 1.0}, holdout=True,
)
