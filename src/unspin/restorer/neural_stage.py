"""The neural stage of the site model (`restore --lm smollm2`): a causal LM re-judges the
n-gram site model's likeliest candidates, and a second small model decides.

The n-gram site model (`restorer.site_model`) gives every (site, candidate) row a calibrated
probability. Rows at or over `FLOOR` (at most `PER_SITE` per site, the likeliest) are rescored:
the neural LM scores a short window of the original text around the site, once as written and
once with each candidate in place, in one batched pass per document. A second LightGBM model
over the site model's probability, the neural gains (own, margin over the site's other
rescored candidates, pooled over the observed form's occurrences in the document, the
document's neural spin level) and a few of the site model's own features gives the calibrated
probability of each rescored row; a site is edited where that reaches the stage's cut, set on
dev by `unspin bench train-neural` from scores of stages fitted without each document's spinner
family (the cut for a spinner it never saw). A site the stage does not edit keeps the n-gram
site model's own edit (`site_model.ModelRestorer`), so this path edits at least what the default does.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Sequence

from ..text import match_case
from .candidates import CANDIDATE_FEATURES, DocumentSites

FLOOR = 0.1  # site-model probability a row needs to be rescored
PER_SITE = 2  # rows rescored per site at most (the likeliest)
LEFT, RIGHT = 6, 3  # tokens of context either side of the site in a neural window

# the site model's own features that the stage sees again
CARRIED = ("lm_gain", "pooled_gain", "log_q", "observed_zipf", "candidate_zipf", "candidate_absent", "capitalised",
           "function_source", "observed_words", "candidate_words", "doc_share_gain_over_3", "site_pmi_gain")
# ... and its learned-lexicon features, which only the stage for a learned lexicon is fitted on
# (`bench train-neural --learned`); the other stage's record leaves them out (all 0 without one)
LEARNED_CARRIED = ("learned", "learned_confidence", "learned_share", "learned_log_count", "learned_site")
NEURAL_FEATURES = (
    "site_model_p",  # the n-gram site model's calibrated probability of the row
    "neural_gain",  # log P(window with the candidate) - log P(window as written), nats
    "neural_margin",  # its gain minus the best other rescored candidate's of the site (or 0, keeping)
    "neural_rank",  # rank of its gain among the site's rescored candidates (0 = best)
    "neural_pooled",  # mean neural gain of the same (observed -> candidate) over the document
    "doc_neural_best_mean",  # the document's mean best neural gain over its rescored sites
    "doc_neural_share_over_3",  # share of rescored sites whose best neural gain is over 3 nats
    *CARRIED,
    *LEARNED_CARRIED,
)
_CARRIED_AT = tuple(CANDIDATE_FEATURES.index(name) for name in (*CARRIED, *LEARNED_CARRIED))


@dataclass(frozen=True)
class Rescored:
    """The rows a document sends to the neural LM: (site, candidate) keys and their windows.
    `texts[base[k]]` is key k's site as written, `texts[own[k]]` the same window with k's candidate;
    `starts[j]`: where text j's site begins (the context before it is the same in a site's windows)."""

    keys: tuple[tuple[int, int], ...]
    texts: tuple[str, ...]
    base: tuple[int, ...]
    own: tuple[int, ...]
    starts: tuple[int, ...] = ()

    def gains(self, scores: Sequence[float]) -> list[float]:
        return [scores[o] - scores[b] for o, b in zip(self.own, self.base)]

    def scored_gains(self, lm: Any, shared_context: bool = True) -> list[float]:
        """The neural gain of every key. A site's windows differ only from the site on, so an LM
        that can (`NeuralModel.score_suffixes`) scores the shared context once per site: the
        same gains, faster (BENCHMARKS.md)."""
        if not self.keys:
            return []
        if shared_context and hasattr(lm, "score_suffixes"):
            return self.gains(lm.score_suffixes(list(self.texts), list(self.starts)))
        return self.gains(lm.score_texts(list(self.texts)))


def rescored(doc: DocumentSites, probs: Sequence[float], floor: float = FLOOR, per_site: int = PER_SITE,
             window: tuple[int, int] = (LEFT, RIGHT)) -> Rescored:
    """Which rows of `doc` (site-model probabilities `probs`, in row order) the neural LM scores,
    with `window` tokens of context (left, right)."""
    keys, texts, base, own, starts = [], [], [], [], []
    k = 0
    for s, site in enumerate(doc.sites):
        p = probs[k : k + len(site.rows)]
        k += len(site.rows)
        picked = sorted((i for i in range(len(p)) if p[i] >= floor), key=lambda i: -p[i])[:per_site]
        if not picked:
            continue
        before, observed, after = _window(doc, site, window)
        start = len(_join(before, "", ""))
        texts.append(_join(before, observed, after))
        starts.append(start)
        at = len(texts) - 1
        for i in sorted(picked):
            texts.append(_join(before, match_case(observed, site.candidates[i].original), after))
            starts.append(start)
            keys.append((s, i))
            base.append(at)
            own.append(len(texts) - 1)
    return Rescored(tuple(keys), tuple(texts), tuple(base), tuple(own), tuple(starts))


def _window(doc: DocumentSites, site: Any, window: tuple[int, int]) -> tuple[str, str, str]:
    sent = doc.sentences[site.sentence]
    left = sent[max(0, site.start - window[0])].start
    right = sent[min(len(sent), site.end + window[1]) - 1].end
    text = doc.text
    return text[left : site.char_start], text[site.char_start : site.char_end], text[site.char_end : right]


def _join(before: str, middle: str, after: str) -> str:
    return " ".join((before + middle + after).split())


def stage_rows(doc: DocumentSites, probs: Sequence[float], picked: Rescored, gains: Sequence[float]) -> list[list[float]]:
    """One NEURAL_FEATURES row per rescored key."""
    offsets, k = [], 0
    for site in doc.sites:
        offsets.append(k)
        k += len(site.rows)
    by_site: dict[int, list[float]] = defaultdict(list)
    by_pair: dict[tuple[str, str], list[float]] = defaultdict(list)
    for (s, i), g in zip(picked.keys, gains):
        by_site[s].append(g)
        by_pair[(doc.sites[s].observed, doc.sites[s].candidates[i].original)].append(g)
    best = [max(g) for g in by_site.values()] or [0.0]
    doc_level = [sum(best) / len(best), sum(b > 3 for b in best) / len(best)]
    rows = []
    for (s, i), g in zip(picked.keys, gains):
        site = doc.sites[s]
        others = sorted(by_site[s], reverse=True)
        rank = others.index(g)
        others.remove(g)
        pooled = by_pair[(site.observed, site.candidates[i].original)]
        row = site.rows[i]
        rows.append([probs[offsets[s] + i], g, g - max(others, default=0.0), rank, sum(pooled) / len(pooled),
                     *doc_level, *(row[j] for j in _CARRIED_AT)])
    return rows


class NeuralStage:
    """The neural LM and the stage's model (a `site_model.CandidateModel` over NEURAL_FEATURES)."""

    def __init__(self, lm: Any, model: Any, floor: float = FLOOR, per_site: int = PER_SITE,
                 window: tuple[int, int] = (LEFT, RIGHT)) -> None:
        self.lm = lm
        self.model = model
        self.floor = floor
        self.per_site = per_site
        self.window = window
        self.shared_context = True  # a site's context scored once (`Rescored.scored_gains`)
        self.lm_seconds = 0.0  # time spent in the neural LM, and the windows it scored (for `bench restore`)
        self.windows = 0

    @property
    def cut(self) -> float:
        return self.model.cut

    def probabilities(self, doc: DocumentSites, probs: Sequence[float]) -> tuple[Rescored, list[float]]:
        """The rescored keys of `doc` and the stage's calibrated probability of each."""
        picked = rescored(doc, probs, self.floor, self.per_site, self.window)
        if not picked.keys:
            return picked, []
        start = time.perf_counter()
        gains = picked.scored_gains(self.lm, self.shared_context)
        self.lm_seconds += time.perf_counter() - start
        self.windows += len(picked.texts)
        return picked, self.model.probabilities(stage_rows(doc, probs, picked, gains))
