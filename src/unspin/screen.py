"""Screening: one fast pass of the restoration engine that says how likely each site is a swap.

    >>> from unspin.screen import load_screener
    >>> screening = load_screener().screen(text)
    >>> screening.features["mix_05"], [(s.observed, s.suggestion, s.swap_probability) for s in screening.findings]

The restorer (`unspin.decode`) decides every site jointly and re-estimates its channel over
several passes: right for restoring, too slow for screening a crawl. The screener uses the same
lexicon, channel weights and n-gram model, but scores each *site* (a word or phrase a spinner
could have produced) once, against its best few candidate originals, and turns the evidence
into a swap probability with a small logistic model fitted on dev text (`SITE_FEATURES`; see
`unspin.bench.calibrate_scan`). A document's evidence is the mixture likelihood ratio of its
sites: how much likelier the document's sites are if a share rho of them were swapped than if
none were.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any, Sequence

from .decode import FUNCTION_ONLY_ZIPF
from .detect import sigmoid
from .lexicon.index import ReverseIndex, phrase_zipf, prior
from .model.base import lm_word
from .text import Token, match_case, sentences, tokenize
from .types import Alternative, Span

LOG10_TO_LN = math.log(10)
CANDIDATES = 10  # originals per site, by channel prior x word frequency
RANKED = 5  # candidates kept per site, best first: the suggestion and its alternatives
PAIR_CANDIDATES = 3  # of which the best few are checked against web word pairs
WINDOW = 4  # context words on each side (order - 1 of the 5-gram model)
MIXTURE_RATES = (0.02, 0.05, 0.1, 0.2)
NOTHING_ELSEWHERE = -10.0

RAW_FEATURES = (  # computed per site in Python
    "gain",  # best candidate: LM window gain + 0.6 log q (nats)
    "pmi_gain",  # best LM gain with half the unigram-frequency advantage removed, + 0.3 log q
    "raw_gain",  # best LM window gain alone
    "observed_logp",  # unigram log-probability of the observed words
    "observed_zipf",
    "multiword",
    "function_only",  # a very frequent word: only the hand-written table's candidates
    "capitalised",  # a capitalised word inside a sentence (a name?)
    "candidates",
    "zipf_gain",  # how much more common the best candidate is
    "sentence_start",
    "length_change",  # words the best candidate removes
    "contained",  # the best candidate is one of the observed words ("caesar salad" -> "salad")
    "log_repeats",  # log of how often the observed word occurs in the document
    "elsewhere",  # best gain among candidates that occur elsewhere in the document
    "pairs_known",  # observed: how many of its two outer word pairs web text knows
    "pairs_assoc",  # observed: their association (nats)
    "pairs_known_gain",  # best candidate minus observed, known pairs
    "pairs_assoc_gain",  # best candidate minus observed, association
    "pairs_known_lm",  # best (known-pair gain + LM agrees)
)
DERIVED_FEATURES = (  # computed from those for a whole document at once (`site_matrix`)
    "elsewhere_pos",
    "gain_over_2",
    "gain_over_5",
    "gain_over_8",
    "pmi_gain_over_2",
    "pmi_gain_over_5",
    "gain_multiword",
    "gain_capitalised",
    "gain_function_only",
)
SITE_FEATURES = RAW_FEATURES + DERIVED_FEATURES


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


def site_matrix(rows: Sequence[Sequence[float]]) -> Any:
    """Raw feature rows (`RAW_FEATURES`) -> the model's features (`SITE_FEATURES`), one row per site."""
    import numpy as np

    x = np.asarray(rows, dtype=float).reshape(len(rows), len(RAW_FEATURES))
    col = {name: x[:, j] for j, name in enumerate(RAW_FEATURES)}
    gain, pmi = col["gain"], col["pmi_gain"]
    derived = [
        np.maximum(col["elsewhere"], 0.0), np.maximum(gain - 2, 0.0), np.maximum(gain - 5, 0.0), np.maximum(gain - 8, 0.0),
        np.maximum(pmi - 2, 0.0), np.maximum(pmi - 5, 0.0), gain * col["multiword"], gain * col["capitalised"],
        gain * col["function_only"],
    ]
    return np.column_stack([x, *derived])


def expand_features(rows: Sequence[Sequence[float]], edges: Sequence[Sequence[float]]) -> Any:
    """The model's columns: the raw features, then for each feature one 0/1 step per edge."""
    import numpy as np

    x = np.asarray(rows, dtype=float)
    steps = [(x[:, [j]] > np.asarray(e)[None, :]).astype(float) for j, e in enumerate(edges) if len(e)]
    return np.hstack([x, *steps])


def bin_edges(rows: Sequence[Sequence[float]], bins: int) -> tuple[tuple[float, ...], ...]:
    """Quantile edges of each feature (distinct values only)."""
    import numpy as np

    x = np.asarray(rows, dtype=float)
    quantiles = np.linspace(0, 1, bins + 1)[1:-1]
    return tuple(tuple(float(v) for v in np.unique(np.quantile(x[:, j], quantiles))) for j in range(x.shape[1]))


@dataclass(frozen=True)
class ScreenedSite:
    """A site the screener reports: its likeliest original and how sure it is of a swap."""

    span: Span
    observed: str
    suggestion: str
    swap_probability: float
    alternatives: tuple[Alternative, ...]
    evidence: dict[str, Any]


@dataclass(frozen=True)
class Screening:
    """One document's screening: its word count, sites reported as findings, document evidence."""

    words: int
    findings: tuple[ScreenedSite, ...]
    features: dict[str, float]


@dataclass
class _Site:
    start: int  # token indices into the sentence
    end: int
    sentence: list[Token]
    observed: str
    ranked: list[tuple[float, float, "_Candidate"]]  # (gain, lm gain, candidate), best first, top RANKED
    features: tuple  # RAW_FEATURES


@dataclass(frozen=True)
class _Candidate:
    original: str
    log_q: float
    zipf: float
    logp: float  # unigram log-probability (nats)
    words: int
    sources: tuple[str, ...]
    first: str
    last: str
    pair_words: float  # half the web log counts of its outer words (see WebBigrams.support)


@dataclass(frozen=True)
class _Candidates:
    """A site's shortlist, with the per-candidate terms of its features laid out for fast loops."""

    items: tuple[_Candidate, ...]
    originals: tuple[str, ...]
    channel: tuple[float, ...]  # 0.6 log q
    pmi: tuple[float, ...]  # -0.5 log p(original) + 0.3 log q
    single: tuple[bool, ...]  # one-word originals

    @classmethod
    def of(cls, items: Sequence[_Candidate]) -> "_Candidates":
        return cls(tuple(items), tuple(c.original for c in items), tuple(0.6 * c.log_q for c in items),
                   tuple(-0.5 * c.logp + 0.3 * c.log_q for c in items), tuple(c.words == 1 for c in items))

    def __len__(self) -> int:
        return len(self.items)


class Screener:
    """Site evidence from the engine's lexicon and n-gram model; optional web bigram counts."""

    def __init__(self, lexicon: ReverseIndex, lm, bigrams=None, site_model: SiteModel | None = None) -> None:
        self.lexicon = lexicon
        self.lm = lm
        self.bigrams = bigrams
        self.site_model = site_model
        self._score = lm.log10_score
        self._candidates = lru_cache(maxsize=200_000)(self._candidates_uncached)
        self._phrase_prefix = lru_cache(maxsize=200_000)(lexicon.phrase_prefix)
        self._unigram = lru_cache(maxsize=200_000)(self._unigram_uncached)

    # ------------------------------------------------------------ public

    def screen(self, text: str) -> Screening:
        if self.site_model is None:
            raise ValueError("a Screener needs a site model to screen (see load_screener)")
        sites, words = self.sites(text)
        logits = self.site_model.logits([s.features for s in sites])
        features = document_features([s.observed for s in sites], logits, words, self.site_model.prior_logodds())
        findings = self._findings(text, sites, logits)
        return Screening(words, tuple(findings), features)

    def sites(self, text: str) -> tuple[list[_Site], int]:
        """Every site of the text with its raw feature row (`RAW_FEATURES`), and the word count."""
        tokens = tokenize(text)
        counts = Counter(t.lower for t in tokens if t.is_word)
        out: list[_Site] = []
        for sent in sentences(tokens, text):
            if sent:
                out.extend(self._sentence_sites(sent, counts))
        return out, sum(counts.values())

    # ------------------------------------------------------------ sites

    def _sentence_sites(self, sent: list[Token], counts: Counter) -> list[_Site]:
        words = [lm_word(t.text) for t in sent]
        lowers = [t.lower for t in sent]
        is_word = [t.is_word for t in sent]
        out = []
        for i, word in enumerate(lowers):
            if not is_word[i]:
                continue
            candidates = self._candidates(word)
            if candidates:
                out.append(self._site(sent, words, i, i + 1, word, candidates, counts))
            if self._phrase_prefix(word):
                out.extend(self._phrase_sites(sent, words, lowers, is_word, i, counts))
        return out

    def _phrase_sites(self, sent, words, lowers, is_word, i: int, counts: Counter) -> list[_Site]:
        out = []
        for end in range(i + 2, min(len(sent), i + self.lexicon.max_words) + 1):
            if not is_word[end - 1]:
                break
            observed = " ".join(lowers[i:end])
            prefix = self.lexicon.phrase_prefix(observed)  # phrases rarely repeat: no cache
            if prefix or self.lexicon.last_word_lemma_prefix(observed):
                candidates = self._candidates(observed)
                if candidates:
                    out.append(self._site(sent, words, i, end, observed, candidates, counts))
            if not prefix:
                break
        return out

    def _site(self, sent, words, start, end, observed, candidates: _Candidates, counts) -> _Site:
        left, right = max(0, start - WINDOW), min(len(words), end + WINDOW)
        before, after = " ".join(words[left:start]), " ".join(words[end:right])
        before, after = before + " " if before else "", " " + after if after else ""
        bos, eos = left == 0, right == len(words)
        score = self._score
        base = score(before + " ".join(words[start:end]) + after, bos, eos)
        lms = [(score(before + o + after, bos, eos) - base) * LOG10_TO_LN for o in candidates.originals]
        gains = [lm + q for lm, q in zip(lms, candidates.channel)]
        observed_logp, observed_zipf = self._unigram(observed), phrase_zipf(observed)
        pmi_gain = max([lm + p for lm, p in zip(lms, candidates.pmi)]) + 0.5 * observed_logp
        raw_gain = max(lms)
        elsewhere = max([g for g, o, single in zip(gains, candidates.originals, candidates.single) if single and o in counts],
                        default=NOTHING_ELSEWHERE)
        order = sorted(range(len(gains)), key=gains.__getitem__, reverse=True)[:RANKED]
        ranked = [(gains[i], lms[i], candidates.items[i]) for i in order]
        gain, _, best = ranked[0]
        n = end - start
        features = (
            gain, pmi_gain, raw_gain, observed_logp, observed_zipf, n > 1, n == 1 and observed_zipf >= FUNCTION_ONLY_ZIPF,
            start > 0 and sent[start].text[:1].isupper(), len(candidates), best.zipf - observed_zipf, start == 0,
            n - best.words, best.original in observed.split(), math.log(counts.get(observed, 1) or 1), elsewhere,
            *self._pair_features(words, start, end, ranked),
        )
        return _Site(start, end, sent, observed, ranked, features)

    def _pair_features(self, words: list[str], start: int, end: int, scored) -> list[float]:
        if self.bigrams is None:
            return [0.0] * 5
        pair = self.bigrams.pair_table
        left = words[start - 1] if start > 0 else "<s>"
        right = words[end] if end < len(words) else "</s>"
        a, b = pair.get(f"{left} {words[start]}", 0.0), pair.get(f"{words[end - 1]} {right}", 0.0)
        known = (a > 0) + (b > 0)
        assoc = a + b - 0.5 * (self.bigrams.word(words[start]) + self.bigrams.word(words[end - 1]))
        best_known = best_assoc = best_known_lm = -math.inf
        for _, lm_gain, c in scored[:PAIR_CANDIDATES]:
            a, b = pair.get(f"{left} {c.first}", 0.0), pair.get(f"{c.last} {right}", 0.0)
            k = (a > 0) + (b > 0)
            if k > best_known:
                best_known = k
            if a + b - c.pair_words > best_assoc:
                best_assoc = a + b - c.pair_words
            if k + (lm_gain > 0) > best_known_lm:
                best_known_lm = k + (lm_gain > 0)
        return [float(known), assoc, best_known - known, best_assoc - assoc, best_known_lm - known]

    def _candidates_uncached(self, observed: str) -> _Candidates | None:
        if " " not in observed and phrase_zipf(observed) >= FUNCTION_ONLY_ZIPF:
            # a handful of very common words: only the hand-written table's candidates
            found = [c for c in self.lexicon.candidates(observed) if "function" in c.sources]
            ranked = sorted(found, key=prior, reverse=True)[:CANDIDATES]
        else:
            ranked = list(self.lexicon.top_candidates(observed, CANDIDATES))
        return _Candidates.of([self._candidate(c.original, c.weight, c.sources) for c in ranked]) if ranked else None

    def _candidate(self, original: str, weight: float, sources: tuple[str, ...]) -> _Candidate:
        words = original.split()
        pair_words = 0.5 * (self.bigrams.word(words[0]) + self.bigrams.word(words[-1])) if self.bigrams is not None else 0.0
        return _Candidate(original, math.log(weight), phrase_zipf(original), self._unigram(original), len(words), sources,
                          words[0], words[-1], pair_words)

    def _unigram_uncached(self, phrase: str) -> float:
        return self._score(" ".join(lm_word(w) for w in phrase.split()), bos=False, eos=False) * LOG10_TO_LN

    # ------------------------------------------------------------ findings

    def _findings(self, text: str, sites: list[_Site], logits: list[float]) -> list[ScreenedSite]:
        assert self.site_model is not None
        cut = self.site_model.finding_threshold
        chosen: list[tuple[float, _Site]] = []
        for site, logit in sorted(zip(sites, logits), key=lambda p: -p[1]):
            if sigmoid(logit) < cut:
                break
            if not any(_overlap(site, other) for _, other in chosen):
                chosen.append((logit, site))
        return sorted((_screened(text, site, logit) for logit, site in chosen), key=lambda f: f.span.start)


def _screened(text: str, site: _Site, logit: float) -> ScreenedSite:
    start, end = site.sentence[site.start].start, site.sentence[site.end - 1].end
    observed = text[start:end]
    probability = sigmoid(logit)
    gain, lm_gain, best = site.ranked[0]
    weights = _softmax([g for g, _, _ in site.ranked])
    alternatives = tuple(Alternative(match_case(observed, c.original), round(w * probability, 4)) for (_, _, c), w in zip(site.ranked[1:], weights[1:]))
    evidence = {"sources": list(best.sources), "lm_gain": round(lm_gain, 3), "channel": round(best.log_q, 3),
                "gain": round(gain, 3), "swap_logit": round(logit, 3)}
    return ScreenedSite(Span(start, end), observed, match_case(observed, best.original), round(probability, 4),
                        alternatives + (Alternative(observed, round(1 - probability, 4)),), evidence)


def document_features(observed: Sequence[str], logits: Sequence[float], words: int, prior_logodds: float) -> dict[str, float]:
    """Mixture log-likelihood ratios per 100 words, one per assumed spin rate, and the site rate.

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
    return out


def _first(item: tuple) -> float:
    return item[0]


def _overlap(a: _Site, b: _Site) -> bool:
    return a.sentence is b.sentence and a.start < b.end and b.start < a.end


def _join(before: str, middle: str, after: str) -> str:
    return " ".join(p for p in (before, middle, after) if p)


def _softmax(values: Sequence[float]) -> list[float]:
    if not values:
        return []
    top = max(values)
    exps = [math.exp(v - top) for v in values]
    total = sum(exps)
    return [e / total for e in exps]


_SCREENERS: dict[tuple, Screener] = {}


def load_screener(site_model: SiteModel | None = None, *, fitted: bool = True, bigrams: bool = True) -> Screener:
    """A cached screener sharing the n-gram restorer's lexicon and model. The site model comes
    from the scan calibration unless given; `fitted=False` gives one without (site features only,
    for calibration)."""
    key = (id(site_model), fitted, bigrams)
    if key not in _SCREENERS:
        from .decode import load_restorer
        from .detect import load_calibration
        from .model.bigrams import load_bigrams

        if site_model is None and fitted:
            site_model = SiteModel.from_dict(load_calibration()["site_model"])
        engine = load_restorer(lm="ngram")
        _SCREENERS[key] = Screener(engine.lexicon, engine.lm, load_bigrams() if bigrams else None, site_model)
    return _SCREENERS[key]


__all__ = ["RAW_FEATURES", "SITE_FEATURES", "site_matrix", "MIXTURE_RATES", "bin_edges", "expand_features", "Screener", "Screening", "ScreenedSite", "SiteModel", "document_features", "load_screener"]
