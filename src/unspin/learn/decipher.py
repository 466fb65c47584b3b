"""Decipherment: which observed words and phrases a deterministic spinner wrote, and for what.

A spinner that always replaces `o` by `w` leaves two traces in its output, however many
documents: `o` occurs far less often than clean text of that size would have it (every
occurrence was swapped), and `w` far more (it took `o`'s occurrences). For every observed form
the lexicon can map back, `frequency_evidence` turns both into log-likelihood ratios against
clean text; `em_shares` then splits the observed form's occurrences between "written so" and
each candidate original by the language model's gain at each occurrence (EM, with the
frequency evidence as the prior); `confidence` combines the evidence into a probability with
a logistic model calibrated on dev text, or, where the calibration ships one, a gradient-boosted
model over the same evidence and more (`MODEL_FEATURES`; see `unspin.bench.calibrate_learn`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Sequence

from .counts import CorpusCounts


@dataclass(frozen=True)
class LearnConfig:
    min_count: int = 2  # observed forms seen fewer times are not deciphered
    max_candidates: int = 8  # candidate originals per observed form kept for the LM pass
    sigma: float = 1.0  # natural spread of log(count / expected) between clean corpora
    survival: float = 0.05  # share of an original's occurrences a spinner's rule leaves
    prefilter: float = 1.0  # frequency evidence (nats) a pair needs before the LM pass
    beta: float = 0.7  # LM gains are overconfident: a gain of g nats counts as beta * g
    prior_strength: float = 8.0  # pseudo-occurrences of the frequency prior in EM
    em_iterations: int = 12
    weights: tuple[float, ...] = (-6.0, 0.35, 0.35, 0.6, 0.4, 0.6, 0.4, 1.0, 1.5)  # see FEATURES
    model: str = ""  # a LightGBM confidence model in unspin.data over MODEL_FEATURES ("": the logistic weights)
    # also decipher words a spinner adds beside the original ("other" -> "various other"); off until
    # a confidence model fitted on such pairs ships (`calibrate_learn --insertions`, BENCHMARKS.md)
    insertions: bool = False

    @classmethod
    def calibrated(cls) -> "LearnConfig":
        """Weights fitted on dev text (src/unspin/data/learn_calibration.json), if present."""
        try:
            raw = resources.files("unspin.data").joinpath("learn_calibration.json").read_text()
        except FileNotFoundError:
            return cls()
        params = json.loads(raw).get("params", {})
        fields = {k: (tuple(v) if isinstance(v, list) else v) for k, v in params.items() if k in cls.__dataclass_fields__}
        return cls(**fields)


# missing: the stronger of the corpus-wide deficit and the per-document absence (a mixed corpus
# weakens the first, a corpus where the original is rare anyway the second)
FEATURES = ("bias", "missing", "excess", "mean_gain", "log_count", "share_logit", "explained", "rival", "lexicon")


# the boosted model's view: the logistic features, the raw counts and evidence behind them, and
# how the pair stands among the other candidates of its observed form
MODEL_FEATURES = FEATURES + (
    "log_observed_count", "log_expected_observed", "log_original_count", "log_expected_original", "original_ratio",
    "observed_ratio", "apart", "deficit", "docs_both_share", "log_docs_observed", "share", "observed_words",
    "original_words", "share_vs_best", "log_candidates",
)


@dataclass
class Pair:
    """One observed -> original hypothesis with its evidence."""

    observed: str
    original: str
    observed_count: int
    original_count: int
    expected_observed: float
    expected_original: float
    deficit: float = 0.0  # LLR: the original is missing (nats)
    excess: float = 0.0  # LLR: the observed form took the original's occurrences
    mean_gain: float = 0.0  # LM gain of the original over the observed, per occurrence
    share: float = 0.0  # EM: share of the observed form's occurrences that were the original
    explained: float = 0.0  # log share of the original's missing occurrences this pair accounts for
    rival: float = 0.0  # log of this claim over the largest claim on the same original
    apart: float = 0.0  # LLR: documents with the observed form lack the original (a rule leaves none)
    docs_observed: int = 0
    docs_both: int = 0
    confidence: float = 0.0
    source: str = "lexicon"  # where the candidate came from: "lexicon" (or a phrase substitution), "missing", "insertion"
    features: tuple[float, ...] = field(default=(), repr=False)

    @property
    def count(self) -> int:
        return max(1, round(self.share * self.observed_count))


def _log_ratio_llr(count: float, expected: float, shifted: float, sigma: float) -> float:
    """log N(r; mu1, v) - log N(r; 0, v) for r = log((count+.5)/(expected+.5)), mu1 the log ratio
    the spinner predicts; v adds Poisson noise (1/expected) to the corpora's natural spread."""
    r = math.log((count + 0.5) / (expected + 0.5))
    mu1 = math.log((shifted + 0.5) / (expected + 0.5))
    v = sigma * sigma + 1.0 / (expected + 0.5)
    return (r * r - (r - mu1) ** 2) / (2 * v)


def frequency_evidence(pair: Pair, config: LearnConfig) -> None:
    e_o, e_w = pair.expected_original, pair.expected_observed
    pair.deficit = _log_ratio_llr(pair.original_count, e_o, config.survival * e_o, config.sigma)
    moved = (1 - config.survival) * max(e_o - pair.original_count, 0.0)
    pair.excess = _log_ratio_llr(pair.observed_count, e_w, e_w + moved, config.sigma)


def cooccurrence_evidence(pair: Pair, docs_observed: int, docs_both: int, docs: int, config: LearnConfig) -> None:
    """Binomial LLR over the documents holding the observed form: under a rule the original
    is (almost) never beside it (rate `survival`); in clean text it is there as often as any
    document has it, 1 - exp(-expected per document). Unaffected by clean documents in a
    mixed corpus, which is where the corpus-wide deficit is weakest."""
    pair.docs_observed, pair.docs_both = docs_observed, docs_both
    per_doc = pair.expected_original / max(docs, 1)
    clean = min(max(1 - math.exp(-per_doc), 1e-4), 1 - 1e-4)
    spun = min(config.survival, clean)
    pair.apart = docs_both * math.log(spun / clean) + (docs_observed - docs_both) * math.log((1 - spun) / (1 - clean))


def em_shares(pairs: Sequence[Pair], gains: Sequence[tuple[float, ...]], config: LearnConfig) -> None:
    """Split one observed form's occurrences between "as written" and its candidate originals.

    Each sampled occurrence i has the LM gain g_ik of original k over the observed words; its
    responsibility for k is pi_k exp(beta g_ik) (normalised with pi_0 for "as written", gain 0).
    The mixture weights pi start from, and are anchored by a Dirichlet prior at, the frequency
    evidence: the observed form's excess over its expected count, divided among the originals
    by how many of their occurrences are missing."""
    if not pairs:
        return
    c_w, e_w = pairs[0].observed_count, pairs[0].expected_observed
    missing = [max(p.expected_original - p.original_count, 0.0) * _sigmoid(p.deficit + p.excess) for p in pairs]
    surplus = max(c_w - e_w, 0.0) / max(c_w, 1)
    total_missing = sum(missing)
    prior = [max(1.0 - surplus, 0.02)]
    prior += [max(surplus, 0.02) * (m / total_missing if total_missing > 0 else 1 / len(pairs)) + 1e-3 for m in missing]
    norm = sum(prior)
    prior = [p / norm for p in prior]
    pi = list(prior)
    n = len(gains)
    beta = config.beta
    for _ in range(config.em_iterations if n else 0):
        totals = [0.0] * len(pi)
        for row in gains:
            weights = [pi[0]] + [pi[k + 1] * math.exp(min(beta * g, 30.0)) for k, g in enumerate(row)]
            z = sum(weights)
            for k, w in enumerate(weights):
                totals[k] += w / z
        a = config.prior_strength
        pi = [(totals[k] + a * prior[k]) / (n + a) for k in range(len(pi))]
    for k, pair in enumerate(pairs):
        pair.share = pi[k + 1]
        pair.mean_gain = sum(row[k] for row in gains) / n if n else 0.0


def explain_originals(pairs: Sequence[Pair]) -> None:
    """One-to-one consistency: the observed forms claiming one original share its missing
    occurrences; a pair that accounts for little of them (or claims more than are missing)
    is weaker evidence."""
    claimed: dict[str, float] = {}
    top: dict[str, float] = {}
    for p in pairs:
        mine = p.share * p.observed_count
        claimed[p.original] = claimed.get(p.original, 0.0) + mine
        top[p.original] = max(top.get(p.original, 0.0), mine)
    for p in pairs:
        missing = max(p.expected_original - p.original_count, 0.0)
        mine = p.share * p.observed_count
        # share of the claims on this original, and whether the claims fit what is missing
        of_claims = mine / max(claimed[p.original], 1e-9)
        fit = min(missing, claimed[p.original]) / max(missing, claimed[p.original], 1e-9)
        p.explained = math.log(max(of_claims * fit, 1e-4))
        # a deterministic rule has one output (a few have 2-4): the largest claimant is the likeliest
        p.rival = math.log(max(mine / max(top[p.original], 1e-9), 1e-4))


def confidence(pair: Pair, config: LearnConfig) -> float:
    pair.features = features(pair)
    z = sum(w * f for w, f in zip(config.weights, pair.features))
    pair.confidence = _sigmoid(z)
    return pair.confidence


def confidences(pairs: Sequence[Pair], config: LearnConfig) -> None:
    """Every pair's confidence: the boosted model's where the config names one (one batch),
    else the logistic one. The logistic features are set either way."""
    for pair in pairs:
        confidence(pair, config)
    if not config.model or not pairs:
        return
    booster = _booster(config.model)
    best: dict[str, float] = {}
    n: dict[str, int] = {}
    for p in pairs:
        best[p.observed] = max(best.get(p.observed, 0.0), p.share)
        n[p.observed] = n.get(p.observed, 0) + 1
    rows = [model_features(p, best[p.observed], n[p.observed]) for p in pairs]
    for pair, prob in zip(pairs, booster.predict(rows, num_threads=1)):
        pair.confidence = float(prob)


def model_features(pair: Pair, best_share: float, candidates: int) -> tuple[float, ...]:
    """MODEL_FEATURES of a pair; `best_share`: the highest EM share among its observed form's
    candidates, `candidates`: how many it has."""
    c_w, e_w, c_o, e_o = pair.observed_count, pair.expected_observed, pair.original_count, pair.expected_original
    return (*(pair.features or features(pair)),
            math.log1p(c_w), math.log1p(e_w), math.log1p(c_o), math.log1p(e_o), math.log((c_o + 0.5) / (e_o + 0.5)),
            math.log((c_w + 0.5) / (e_w + 0.5)), _clip(pair.apart, 12.0), _clip(pair.deficit, 12.0),
            pair.docs_both / max(pair.docs_observed, 1), math.log1p(pair.docs_observed), pair.share,
            float(len(pair.observed.split())), float(len(pair.original.split())),
            math.log(max(pair.share, 1e-4) / max(best_share, 1e-4)), math.log(max(candidates, 1)))


_BOOSTERS: dict[str, object] = {}


def _booster(name: str):
    """The LightGBM confidence model shipped in unspin.data, or at an absolute path (a
    calibration's out-of-fold model), loaded once."""
    if name not in _BOOSTERS:
        from ..model.trees import load_tree_model

        try:
            text = Path(name).read_text() if Path(name).is_absolute() else resources.files("unspin.data").joinpath(name).read_text()
        except FileNotFoundError:
            from ..errors import ArtifactError

            raise ArtifactError("the learner's confidence model is missing: rerun calibrate_learn", source=name) from None
        _BOOSTERS[name] = load_tree_model(text)
    return _BOOSTERS[name]


def features(pair: Pair) -> tuple[float, ...]:
    share = min(max(pair.share, 1e-4), 1 - 1e-4)
    return (
        1.0,
        _clip(max(pair.deficit, pair.apart), 12.0),
        _clip(pair.excess, 12.0),
        _clip(pair.mean_gain, 6.0),
        math.log1p(pair.share * pair.observed_count),
        math.log(share / (1 - share)),
        pair.explained,
        pair.rival,
        1.0 if pair.source == "lexicon" else 0.0,  # a thesaurus lists the pair (else: only a missing common word)
    )


def expected(counts: CorpusCounts, reference, phrase: str) -> float:
    return counts.tokens * 10 ** reference.log10_prob(phrase)


def _clip(x: float, bound: float) -> float:
    return max(-bound, min(bound, x))


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z)) if z > -700 else 0.0
