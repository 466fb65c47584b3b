"""The channel model: how likely a spinner turned an original into what we observe.

    P(observed = w | original = o) = rho * q(w | o)        if w != o
                                   = 1 - rho * h(w)        if w == o
where q comes from the lexicon, rho is the document's spin rate and h(w) says whether w can be
swapped at all. Both rho and q are re-estimated from the document itself (EM): a spinner uses one
dictionary, so a confident swap seen once raises the prior for the same swap elsewhere.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Channel:
    rho: float = 0.05  # prior probability that a swappable word was swapped
    q_exponent: float = 0.5  # < 1 flattens q: real spinners use smaller dictionaries than ours
    pair_boost: float = 2.0  # nats added per confident sighting of the same swap (capped)
    learned: Counter = field(default_factory=Counter)  # (observed, original) -> confident count
    batch: Counter = field(default_factory=Counter)  # confident counts from earlier documents of a batch
    prior_alpha: float = 1.0
    prior_beta: float = 25.0
    length_cost: float = 4.0  # nats per word an edit removes (LMs favour short wordings)
    pair_logodds: dict = field(default_factory=dict)  # (observed, original) -> corpus-level prior (learned lexicon)

    def edit_logodds(self, q: float, observed: str, original: str) -> float:
        """log P(w | o) - log P(w | w): what the channel says about one edit, before the LM."""
        known = self.pair_logodds.get((observed, original))
        if known is not None:  # a rule learned over a whole corpus replaces the document's rate
            return known
        boost = self.doc_prior(observed, original)
        return math.log(self.rho) + self.q_exponent * math.log(q) - math.log(1.0 - self.rho) + boost

    def sightings(self, observed: str, original: str) -> int:
        """Confident sightings of this swap in the document (last pass) and earlier batch documents."""
        return self.learned.get((observed, original), 0) + self.batch.get((observed, original), 0)

    def doc_prior(self, observed: str, original: str) -> float:
        return min(self.sightings(observed, original), 2) * self.pair_boost

    def reestimate(self, confident_edits: list[tuple[str, str]], swappable_words: int, detection_rate: float = 1.0) -> "Channel":
        """The M step: a new channel from this pass's confident edits. The decoder finds only a
        share (`detection_rate`) of the swaps, so the edits seen understate the spin rate."""
        seen = len(confident_edits) / detection_rate
        rho = (seen + self.prior_alpha) / (swappable_words + self.prior_alpha + self.prior_beta)
        return Channel(
            rho=min(max(rho, 0.01), 0.3),
            q_exponent=self.q_exponent,
            pair_boost=self.pair_boost,
            learned=Counter(confident_edits),
            batch=self.batch,
            prior_alpha=self.prior_alpha,
            prior_beta=self.prior_beta,
            length_cost=self.length_cost,
            pair_logodds=self.pair_logodds,
        )
