"""Neural rerank: a causal LM re-judges the sites the n-gram pass found worth a look.

Only sites whose best n-gram gain comes within `rerank_margin` of the threshold are rescored,
each on a short window of the sentence (the observed words and its top candidates), all windows
of a document in one batched call. The LM gain becomes a mix of neural and n-gram gains.
"""

from __future__ import annotations

from ..text import match_case

LEFT, RIGHT, TOP = 8, 4, 3


def rerank_sites(neural, surfaces, all_sites, channel, config) -> None:
    jobs: list[tuple[object, int, str]] = []
    for surface, sites in zip(surfaces, all_sites):
        for site in sites:
            if not site.gains or max(site.gains) - site.penalty < config.threshold - config.rerank_margin:
                continue
            lo, hi = max(0, site.start - LEFT), min(len(surface), site.end + RIGHT)
            before, after = surface[lo : site.start], surface[site.end : hi]
            observed = surface[site.start : site.end]
            jobs.append((site, -1, " ".join(before + observed + after)))
            for i in _top(site.gains, TOP):
                original = match_case(observed[0], site.candidates[i].original)
                jobs.append((site, i, " ".join(before + [original] + after)))
    if not jobs:
        return
    scores = neural.score_texts([text for _, _, text in jobs])
    by_site: dict[int, dict[int, float]] = {}
    sites_by_id = {}
    for (site, index, _), score in zip(jobs, scores):
        by_site.setdefault(id(site), {})[index] = score
        sites_by_id[id(site)] = site
    for key, site_scores in by_site.items():
        _decide(sites_by_id[key], site_scores, channel, config)


def _decide(site, scores: dict[int, float], channel, config) -> None:
    base = scores[-1]
    gains = list(site.gains)
    floor = min(gains) - 10.0
    observed_len = site.end - site.start
    for i in range(len(gains)):
        if i not in scores:
            gains[i] = floor  # the neural model did not rate it: out of the running
            continue
        cand = site.candidates[i]
        channel_term = channel.edit_logodds(cand.weight, site.observed, cand.original)
        ngram_gain = site.gains[i] - channel_term
        length = channel.length_cost * (observed_len - len(cand.original.split()))
        neural_gain = scores[i] - base - length
        w = config.neural_weight
        gains[i] = w * neural_gain + (1 - w) * ngram_gain + channel_term
    site.gains = tuple(gains)
    best = max(range(len(gains)), key=gains.__getitem__)
    site.choice = best if gains[best] - site.penalty > config.threshold else -1


def _top(gains, n: int) -> list[int]:
    return sorted(range(len(gains)), key=lambda i: -gains[i])[:n]
