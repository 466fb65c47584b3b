"""Site features: one row of numbers per site, computed once, for every decision layer.

`SiteAnalyser.sites(text)` finds every site (`engine.sites`), shortlists its best CANDIDATES
originals by prior (`engine.shortlist.top_candidates`), scores each against the observed words
with the n-gram model on a WINDOW-word context (`engine.gains`), checks the best few against web
word pairs, and returns the sites with their candidates ranked and their `RAW_FEATURES` row.
`site_matrix` derives the model columns (`SITE_FEATURES`) for a whole document at once.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Sequence

from ..lexicon.index import phrase_zipf
from ..model.base import lm_word
from ..text import Token, sentences, tokenize
from .gains import LOG10_TO_LN, context, string_window_gains
from .shortlist import top_candidates
from .sites import FUNCTION_ONLY_ZIPF, find_spans

CANDIDATES = 10  # originals per site, by channel prior x word frequency
RANKED = 5  # candidates kept per site, best first: the suggestion and its alternatives
PAIR_CANDIDATES = 3  # of which the best few are checked against web word pairs
WINDOW = 4  # context words on each side (order - 1 of the 5-gram model)
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


@dataclass
class ScoredSite:
    """A site with its best candidates (gain, lm gain, candidate; best first) and feature row."""

    start: int  # token indices into the sentence
    end: int
    sentence: list[Token]
    observed: str
    ranked: list[tuple[float, float, "SiteCandidate"]]
    features: tuple  # RAW_FEATURES

    @property
    def char_span(self) -> tuple[int, int]:
        return self.sentence[self.start].start, self.sentence[self.end - 1].end

    def overlaps(self, other: "ScoredSite") -> bool:
        return self.sentence is other.sentence and self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class SiteCandidate:
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
class Shortlist:
    """A site's shortlist, with the per-candidate terms of its features laid out for fast loops."""

    items: tuple[SiteCandidate, ...]
    originals: tuple[str, ...]
    channel: tuple[float, ...]  # 0.6 log q
    pmi: tuple[float, ...]  # -0.5 log p(original) + 0.3 log q
    single: tuple[bool, ...]  # one-word originals

    @classmethod
    def of(cls, items: Sequence[SiteCandidate]) -> "Shortlist":
        return cls(tuple(items), tuple(c.original for c in items), tuple(0.6 * c.log_q for c in items),
                   tuple(-0.5 * c.logp + 0.3 * c.log_q for c in items), tuple(c.words == 1 for c in items))

    def __len__(self) -> int:
        return len(self.items)


class SiteAnalyser:
    """Every site of a text with its ranked candidates and raw feature row (`RAW_FEATURES`):
    the lexicon, the n-gram model and (optionally) web word-pair counts."""

    def __init__(self, lexicon: Any, lm: Any, bigrams: Any = None) -> None:
        self.lexicon = lexicon
        self.lm = lm
        self.bigrams = bigrams
        self._score = lm.log10_score
        self._shortlist = lru_cache(maxsize=200_000)(self._shortlist_uncached)
        self._word_prefix = lru_cache(maxsize=200_000)(lexicon.phrase_prefix)
        self._unigram = lru_cache(maxsize=200_000)(self._unigram_uncached)
        self._last: tuple[str, tuple[ScoredSite, ...], int] | None = None

    def sites(self, text: str) -> tuple[list[ScoredSite], int]:
        """Every site of the text, and the text's word count. The last text's are kept: a
        restorer that asks scan first analyses each document once (one tuple, so a thread
        reading it never sees half of another's)."""
        last = self._last
        if last is not None and last[0] == text:
            return list(last[1]), last[2]
        tokens = tokenize(text)
        counts = Counter(t.lower for t in tokens if t.is_word)
        out: list[ScoredSite] = []
        for sent in sentences(tokens, text):
            if sent:
                out.extend(self._sentence_sites(sent, counts))
        words = sum(counts.values())
        self._last = (text, tuple(out), words)
        return out, words

    def _sentence_sites(self, sent: list[Token], counts: Counter) -> list[ScoredSite]:
        words = [lm_word(t.text) for t in sent]
        lowers = [t.lower for t in sent]
        is_word = [t.is_word for t in sent]
        out = []
        for start, end, observed in find_spans(lowers, is_word, self.lexicon.max_words, self._prefix, self.lexicon.last_word_lemma_prefix):
            candidates = self._shortlist(observed)
            if candidates:
                out.append(self._site(sent, words, start, end, observed, candidates, counts))
        return out

    def _prefix(self, phrase: str) -> bool:
        # single words repeat and are cached; phrases rarely repeat
        return self._word_prefix(phrase) if " " not in phrase else self.lexicon.phrase_prefix(phrase)

    def _site(self, sent, words, start, end, observed, candidates: Shortlist, counts) -> ScoredSite:
        left, right = context(words, start, end, WINDOW)
        before, after = " ".join(words[left:start]), " ".join(words[end:right])
        before, after = before + " " if before else "", " " + after if after else ""
        lms = string_window_gains(self._score, before, " ".join(words[start:end]), after, left == 0, right == len(words),
                                  candidates.originals)
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
        return ScoredSite(start, end, sent, observed, ranked, features)

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

    def _shortlist_uncached(self, observed: str) -> Shortlist | None:
        ranked = top_candidates(self.lexicon, observed, CANDIDATES)
        return Shortlist.of([self._candidate(c.original, c.weight, c.sources) for c in ranked]) if ranked else None

    def _candidate(self, original: str, weight: float, sources: tuple[str, ...]) -> SiteCandidate:
        words = original.split()
        pair_words = 0.5 * (self.bigrams.word(words[0]) + self.bigrams.word(words[-1])) if self.bigrams is not None else 0.0
        return SiteCandidate(original, math.log(weight), phrase_zipf(original), self._unigram(original), len(words), sources,
                             words[0], words[-1], pair_words)

    def _unigram_uncached(self, phrase: str) -> float:
        return self._score(" ".join(lm_word(w) for w in phrase.split()), bos=False, eos=False) * LOG10_TO_LN
