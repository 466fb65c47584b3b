"""Learning a spinner's dictionary from its output alone (decipherment over a corpus)."""

from .counts import CorpusCounts, GainStats, count_ngrams, occurrence_gains
from .decipher import LearnConfig, Pair
from .from_spun import LearnResult, LearnState, SpunLearner, Toolkit, default_toolkit, learn_from_spun, to_lexicon

__all__ = [
    "CorpusCounts", "GainStats", "count_ngrams", "occurrence_gains", "LearnConfig", "Pair", "LearnResult",
    "LearnState", "SpunLearner", "Toolkit", "default_toolkit", "learn_from_spun", "to_lexicon",
]
