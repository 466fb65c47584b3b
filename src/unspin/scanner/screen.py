"""Scan's decision on sites: how likely each site is a swap, and the document's evidence.

    >>> from unspin.scanner.screen import load_screener
    >>> screening = load_screener().screen(text)
    >>> screening.features["mix_05"], [(f.observed, f.suggestion, f.confidence) for f in screening.findings]

The engine core (`unspin.engine.features.SiteAnalyser`) gives every site its ranked candidates
and feature row; a small logistic model fitted on dev text (`SiteModel`, see
`unspin.bench.calibrate_scan`) turns each row into a swap probability. A document's evidence is
the mixture likelihood ratio of its sites: how much likelier the document's sites are if a share
rho of them were swapped than if none were. Sites sure enough become findings (`Match`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Sequence

from ..engine.features import RAW_FEATURES, SITE_FEATURES, ScoredSite, SiteAnalyser, site_matrix
from ..stats import sigmoid, softmax
from ..text import match_case
from ..types import Alternative, FindingKind, Match, Span

MIXTURE_RATES = (0.02, 0.05, 0.1, 0.2)
TOP_SITES = 5


@dataclass(frozen=True)
class SiteModel:
    """A logistic model, additive in each feature: every feature enters as itself plus one step
    per bin edge (x > edge), so each feature's effect can bend. logit(swap) = intercept +
    sum(coef * (column - mean) / scale) over those columns; fitted on dev sites."""

    edges: tuple[tuple[float, ...], ...]  # per feature in SITE_FEATURES
    coef: tuple[float, ...]
    intercept: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    prior: float  # share of swaps among the fitting sites: logit - log-odds(prior) = likelihood ratio
    finding_threshold: float  # swap probability from which a site is reported as a finding

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "SiteModel":
        if tuple(d["features"]) != SITE_FEATURES:
            raise ValueError("site model features differ from SITE_FEATURES: recalibrate")
        return cls(tuple(tuple(e) for e in d["edges"]), tuple(d["coef"]), float(d["intercept"]), tuple(d["mean"]),
                   tuple(d["scale"]), float(d["prior"]), float(d["finding_threshold"]))

    def to_dict(self) -> dict[str, Any]:
        return {"features": list(SITE_FEATURES), "edges": [list(e) for e in self.edges], "coef": list(self.coef),
                "intercept": self.intercept, "mean": list(self.mean), "scale": list(self.scale), "prior": self.prior,
                "finding_threshold": self.finding_threshold}

    def logits(self, rows: Sequence[Sequence[float]]) -> list[float]:
        """Swap log-odds of sites given their raw feature rows (`RAW_FEATURES`)."""
        import numpy as np

        if len(rows) == 0:
            return []
        x = site_matrix(rows)
        weights, offset, steps = self._flat
        # elementwise, not a matrix product: BLAS threads would spin on matrices this small
        z = (x * weights).sum(axis=1) + offset
        for j, (edges, cumulative) in steps:
            z += cumulative[np.searchsorted(edges, x[:, j], side="left")]
        return z.tolist()

    @cached_property
    def _flat(self) -> tuple:
        """The model folded for speed: standardisation moved into the weights; a feature's steps
        as the running sum of their weights over its sorted edges (x > edge for the first k)."""
        import numpy as np

        coef = np.asarray(self.coef) / np.asarray(self.scale)
        n = len(self.edges)
        offset = self.intercept - float(np.dot(coef, np.asarray(self.mean)))
        steps, k = [], n
        for j, edges in enumerate(self.edges):
            w = coef[k : k + len(edges)]
            k += len(edges)
            if len(edges):
                steps.append((j, (np.asarray(edges, dtype=float), np.concatenate([[0.0], np.cumsum(w)]))))
        return coef[:n], offset, steps

    def prior_logodds(self) -> float:
        return math.log(self.prior / (1.0 - self.prior))


@dataclass(frozen=True)
class Screening:
    """One document's screening: its word count, sites reported as findings, document evidence."""

    words: int
    findings: tuple[Match, ...]
    features: dict[str, float]


class Screener:
    """Site evidence from the engine core, judged by the scan calibration's site model."""

    def __init__(self, analyser: SiteAnalyser, site_model: SiteModel | None = None) -> None:
        self.analyser = analyser
        self.site_model = site_model

    def screen(self, text: str) -> Screening:
        if self.site_model is None:
            raise ValueError("a Screener needs a site model to screen (see load_screener)")
        sites, words = self.analyser.sites(text)
        logits = self.site_model.logits([s.features for s in sites])
        features = document_features([s.observed for s in sites], logits, words, self.site_model.prior_logodds())
        findings = self._findings(text, sites, logits)
        return Screening(words, tuple(findings), features)

    def sites(self, text: str) -> tuple[list[ScoredSite], int]:
        return self.analyser.sites(text)

    def _findings(self, text: str, sites: list[ScoredSite], logits: list[float]) -> list[Match]:
        assert self.site_model is not None
        cut = self.site_model.finding_threshold
        chosen: list[tuple[float, ScoredSite]] = []
        for site, logit in sorted(zip(sites, logits), key=lambda p: -p[1]):
            if sigmoid(logit) < cut:
                break
            if not any(site.overlaps(other) for _, other in chosen):
                chosen.append((logit, site))
        return sorted((_finding(text, site, logit) for logit, site in chosen), key=lambda f: f.span.start)


def _finding(text: str, site: ScoredSite, logit: float) -> Match:
    start, end = site.char_span
    observed = text[start:end]
    probability = sigmoid(logit)
    gain, lm_gain, best = site.ranked[0]
    weights = softmax([g for g, _, _ in site.ranked])
    alternatives = tuple(Alternative(match_case(observed, c.original), round(w * probability, 4)) for (_, _, c), w in zip(site.ranked[1:], weights[1:]))
    evidence = {"sources": list(best.sources), "lm_gain": round(lm_gain, 3), "channel": round(best.log_q, 3),
                "gain": round(gain, 3), "swap_logit": round(logit, 3)}
    return Match(Span(start, end), observed, match_case(observed, best.original), FindingKind.MODEL, round(probability, 4),
                 alternatives + (Alternative(observed, round(1 - probability, 4)),), evidence, "screen:" + ",".join(best.sources))


def document_features(observed: Sequence[str], logits: Sequence[float], words: int, prior_logodds: float) -> dict[str, float]:
    """Mixture log-likelihood ratios per 100 words, one per assumed spin rate, the site rate, and
    the mean likelihood ratio of the TOP_SITES strongest phrases (a dense spinner leaves several
    sites that are surely swaps even where the mixture over all sites is diluted).

    A phrase repeated through a document counts once (its strongest occurrence): a clean text
    about lettuce says "iceberg lettuce" many times, a spinner's swaps are scattered.
    """
    strongest: dict[str, float] = {}
    for phrase, logit in zip(observed, logits):
        llr = logit - prior_logodds
        if llr > strongest.get(phrase, -math.inf):
            strongest[phrase] = llr
    per_100 = 100.0 / max(words, 1)
    out = {}
    for rate in MIXTURE_RATES:
        total = sum(math.log(1 - rate + rate * math.exp(min(llr, 30.0))) for llr in strongest.values())
        out[f"mix_{round(rate * 100):02d}"] = total * per_100
    out["sites_per_100"] = len(observed) * per_100
    strongest_first = sorted(strongest.values(), reverse=True)[:TOP_SITES]
    out["top_llr"] = sum(min(llr, 30.0) for llr in strongest_first) / len(strongest_first) if strongest_first else 0.0
    return out


_SCREENERS: dict[tuple, Screener] = {}


def load_screener(site_model: SiteModel | None = None, *, fitted: bool = True, bigrams: bool = True) -> Screener:
    """A cached screener on the engine's shared lexicon and n-gram model. The site model comes
    from the scan calibration unless given; `fitted=False` gives one without (site features only,
    for calibration)."""
    key = (id(site_model), fitted, bigrams)
    if key not in _SCREENERS:
        from ..engine import resources
        from .calibration import load_calibration

        if site_model is None and fitted:
            site_model = SiteModel.from_dict(load_calibration()["site_model"])
        analyser = resources.site_analyser() if bigrams else SiteAnalyser(resources.lexicon(), resources.ngram())
        _SCREENERS[key] = Screener(analyser, site_model)
    return _SCREENERS[key]


__all__ = ["RAW_FEATURES", "SITE_FEATURES", "site_matrix", "MIXTURE_RATES", "Screener", "Screening", "SiteModel",
           "document_features", "load_screener"]
