"""Candidate rows: one feature row per (site, candidate original) of a document, for the learned
site model (`restorer.site_model`).

Sites and shortlists come from the engine core (`engine.sites`, `engine.shortlist`); LM gains
from `engine.gains`. On top, the signals a deterministic spinner leaves behind:

- absent originals: a spinner that swaps a word swaps every occurrence of it, so a true original
  tends not to occur anywhere in the document while its replacement recurs;
- consistency: one observed form maps back to one original across the document (and a batch),
  so a candidate's evidence is pooled over every occurrence of the observed form;
- collocations: web word-pair counts of the candidate and of the observed words with their
  neighbours ("White House" against "White Home");
- names: a capitalised word inside a sentence, and whether web text knows the capitalised
  sequence around it as a collocation.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Sequence

from ..engine.features import RAW_FEATURES, SiteAnalyser
from ..engine.gains import context, window_gains
from ..engine.shortlist import is_function_only, lm_shortlist, prefix_test, ranked_candidates
from ..engine.sites import find_spans, is_capitalised_inside
from ..lexicon.index import Candidate, phrase_zipf
from ..model.base import lm_word
from ..text import Token, sentences, tokenize

WINDOW = 4  # context words each side for the LM gain (order - 1 of the 5-gram model)
SHORTLIST = 12  # candidates per site that get a row

CANDIDATE_FEATURES = (
    "lm_gain",  # n-gram gain of the candidate over the observed words, WINDOW words of context (nats)
    "lm_gain_margin",  # its gain minus the best other candidate's
    "lm_rank",  # rank of its gain among the site's candidates (0 = best)
    "pooled_gain",  # mean gain of the same (observed -> candidate) over every occurrence in the document
    "pooled_best_share",  # share of those occurrences where it is the best candidate
    "log_q",  # channel weight q(observed | candidate) from the lexicon
    "q_rank",  # rank by prior (channel x frequency) in the lexicon
    "observed_zipf",
    "candidate_zipf",
    "zipf_gain",
    "observed_words",
    "candidate_words",
    "function_only",  # a very frequent single observed word (hand-written candidates only)
    "function_source",  # the candidate comes from the function-word table
    "sources",  # how many lexicon sources list the pair
    "learned",  # the pair is in a learned lexicon
    # a dictionary deciphered over a corpus (`unspin learn --from-spun`): the pair's own evidence
    "learned_confidence",  # the learner's calibrated probability that the spinner has this rule (0: not learned)
    "learned_share",  # share of the observed form's corpus occurrences the rule accounts for (count / seen)
    "learned_log_count",  # log(1 + the rule's estimated occurrences in the learning corpus)
    "learned_site",  # the highest confidence of any learned rule writing this observed form (this candidate or another)
    "capitalised",  # a capitalised word inside a sentence (a name?)
    "sentence_start",
    "observed_repeats",  # log occurrences of the observed form in the document
    "candidate_absent",  # the candidate occurs nowhere in the document (as words)
    "candidate_count",  # log(1 + occurrences of the candidate in the document)
    "pairs_known_gain",  # web pairs known with the neighbours: candidate minus observed (0-2)
    "pairs_assoc_gain",  # web pair association: candidate minus observed (nats)
    "observed_pairs_known",
    "candidates",  # shortlist size
    "doc_sites_per_100",  # sites per 100 words of the document
    "doc_best_gain_mean",  # the document's mean best gain over its sites: how spun it looks
    "doc_share_gain_over_3",  # share of the document's sites whose best gain is over 3 nats
    "doc_absent_share",  # share of sites whose best candidate is absent from the document
    # the screener's view of the same site (`engine.features.RAW_FEATURES`), shared by every candidate
    *(f"site_{name}" for name in RAW_FEATURES),
)


@dataclass
class CandidateSite:
    """A site of one sentence, its shortlisted candidates, and one feature row per candidate."""

    sentence: int  # index into the document's sentences
    start: int  # token indices into the sentence
    end: int
    char_start: int
    char_end: int
    observed: str  # lower-case
    candidates: list[Candidate]
    gains: list[float] = field(default_factory=list)
    rows: list[list[float]] = field(default_factory=list)


@dataclass
class DocumentSites:
    text: str
    sentences: list[list[Token]]
    words: list[list[str]]  # lm_word forms per sentence
    sites: list[CandidateSite]
    word_count: int
    counts: Counter = field(default_factory=Counter)  # phrase counts of the document
    screened: dict = field(default_factory=dict)  # the screener's view by character span


class CandidateBuilder:
    """Sites, shortlists, gains and feature rows for a document."""

    def __init__(self, lexicon: Any, lm: Any, bigrams: Any = None, learned: Any = None, shortlist: int = SHORTLIST,
                 analyser: SiteAnalyser | None = None) -> None:
        # `analyser`: one over the same lexicon, model and pairs that a screener shares
        self.analyser = analyser if analyser is not None else SiteAnalyser(lexicon, lm, bigrams)
        self.lexicon = lexicon
        self.lm = lm
        self.bigrams = bigrams
        self.learned = learned
        self.shortlist = shortlist
        self._prefix = prefix_test(lexicon, learned)
        self._ranked: dict[str, list[Candidate]] = {}  # per observed phrase: it depends on nothing else

    def build(self, text: str, applied: dict[tuple[int, int], tuple[int, str]] | None = None,
              previous: DocumentSites | None = None) -> DocumentSites:
        """Every site of the text with candidate rows. `applied`: chosen edits by (sentence,
        token start) -> (token end, original words), put into the context of the other sites (a
        second pass). `previous`: an earlier build of the same text, whose sites, shortlists and
        screener view a second pass reuses (they do not depend on `applied`; only gains and rows do)."""
        if previous is not None and previous.text == text:
            doc = previous
        else:
            tokens = tokenize(text)
            sents = [s for s in sentences(tokens, text) if s]
            words = [[lm_word(t.text) for t in s] for s in sents]
            sites = [site for i, (s, w) in enumerate(zip(sents, words)) for site in self._sentence_sites(i, s, w)]
            doc = DocumentSites(text, sents, words, sites, sum(t.is_word for t in tokens), _phrase_counts(words),
                                {s.char_span: s.features for s in self.analyser.sites(text)[0]})
        for site in doc.sites:
            site.gains = self._gains(doc.words[site.sentence], site, doc.sites, applied)
        self._rows(doc, doc.counts, doc.screened)
        return doc

    def _ranked_candidates(self, observed: str) -> list[Candidate]:
        ranked = self._ranked.get(observed)
        if ranked is None:
            if len(self._ranked) >= 200_000:
                self._ranked.clear()
            ranked = self._ranked[observed] = ranked_candidates(self.lexicon, self.learned, observed)
        return ranked

    def _sentence_sites(self, index: int, sent: list[Token], words: list[str]) -> list[CandidateSite]:
        lowers = [t.lower for t in sent]
        is_word = [t.is_word for t in sent]
        out = []
        for start, end, observed in find_spans(lowers, is_word, self.lexicon.max_words, self._prefix, self.lexicon.last_word_lemma_prefix):
            ranked = self._ranked_candidates(observed)
            candidates = lm_shortlist(self.lm, words, start, end, ranked, self.shortlist, 0.5)
            if self.learned is not None:  # a learned rule is always weighed, however the n-gram model ranks it
                candidates = candidates + [c for c in ranked if "learned" in c.sources and c not in candidates]
            if candidates:
                out.append(CandidateSite(index, start, end, sent[start].start, sent[end - 1].end, observed, candidates))
        return out

    def _gains(self, words: list[str], site: CandidateSite, sites: list[CandidateSite], applied) -> list[float]:
        left, right = context(words, site.start, site.end, WINDOW)
        before, after = words[left : site.start], words[site.end : right]
        if applied:
            before = _with_applied(words, left, site.start, site.sentence, applied)
            after = _with_applied(words, site.end, right, site.sentence, applied)
        return window_gains(self.lm, before, words[site.start : site.end], after, left == 0, right == len(words),
                            [c.original.split() for c in site.candidates])

    def _rows(self, doc: DocumentSites, counts: Counter, screened: dict[tuple[int, int], tuple]) -> None:
        pooled = _pooled(doc.sites)
        per_100 = 100.0 / max(doc.word_count, 1)
        best = [max(s.gains) for s in doc.sites] or [0.0]
        absent_best = [counts.get(s.candidates[max(range(len(s.gains)), key=s.gains.__getitem__)].original, 0) == 0 for s in doc.sites]
        doc_features = [len(doc.sites) * per_100, sum(best) / len(best), sum(g > 3 for g in best) / len(best),
                        sum(absent_best) / max(len(absent_best), 1)]
        for site in doc.sites:
            sent = doc.sentences[site.sentence]
            surfaces = [t.text for t in sent]
            is_word = [t.is_word for t in sent]
            capitalised = is_capitalised_inside(surfaces, is_word, site.start, site.end)
            sentence_start = site.start == 0 or (site.start == 1 and not is_word[0])
            observed_zipf = phrase_zipf(site.observed)
            repeats = math.log(max(counts.get(site.observed, 1), 1))
            order = sorted(range(len(site.gains)), key=lambda i: -site.gains[i])
            rank = {i: r for r, i in enumerate(order)}
            observed_pairs = self._pairs(doc.words[site.sentence], site.start, site.end, site.observed.split())
            site_view = [float(v) for v in screened.get((site.char_start, site.char_end), _NO_SITE_VIEW)]
            learned = [self._learned(site.observed, c.original) for c in site.candidates]
            learned_site = max((lf[0] for lf in learned), default=0.0)
            site.rows = []
            for i, cand in enumerate(site.candidates):
                others = [g for j, g in enumerate(site.gains) if j != i]
                share, mean_gain = pooled[(site.observed, cand.original)]
                cand_words = cand.original.split()
                cand_count = counts.get(cand.original, 0)
                pairs = self._pairs(doc.words[site.sentence], site.start, site.end, cand_words)
                site.rows.append([
                    site.gains[i], site.gains[i] - max(others, default=-10.0), rank[i], mean_gain, share,
                    math.log(cand.weight), i, observed_zipf, phrase_zipf(cand.original),
                    phrase_zipf(cand.original) - observed_zipf, site.end - site.start, len(cand_words),
                    is_function_only(site.observed), "function" in cand.sources, len(cand.sources),
                    "learned" in cand.sources, *learned[i], learned_site, capitalised, sentence_start, repeats, cand_count == 0,
                    math.log1p(cand_count), pairs[0] - observed_pairs[0], pairs[1] - observed_pairs[1],
                    observed_pairs[0], len(site.candidates), *doc_features, *site_view,
                ])

    def _learned(self, observed: str, original: str) -> tuple[float, float, float]:
        """(confidence, share of the observed form's occurrences, log count) of a learned pair."""
        learned = self.learned
        if learned is None:
            return 0.0, 0.0, 0.0
        count = learned.count(observed, original)
        if not count:
            return 0.0, 0.0, 0.0
        seen = learned.seen(observed) if hasattr(learned, "seen") else 0
        confidence = learned.confidence(observed, original) if hasattr(learned, "confidence") else 1.0
        return confidence, min(count / seen, 1.0) if seen else 1.0, math.log1p(count)

    def _pairs(self, words: list[str], start: int, end: int, middle: Sequence[str]) -> tuple[float, float]:
        if self.bigrams is None:
            return 0.0, 0.0
        left = words[start - 1] if start > 0 else "<s>"
        right = words[end] if end < len(words) else "</s>"
        a, b = self.bigrams.pair(left, middle[0]), self.bigrams.pair(middle[-1], right)
        return float((a > 0) + (b > 0)), a + b - 0.5 * (self.bigrams.word(middle[0]) + self.bigrams.word(middle[-1]))


_NO_SITE_VIEW = (0.0,) * len(RAW_FEATURES)


def _phrase_counts(words: list[list[str]], longest: int = 4) -> Counter:
    """Occurrences of every word and word n-gram (up to `longest`) of the document."""
    counts: Counter = Counter()
    for sent in words:
        for n in range(1, longest + 1):
            counts.update(" ".join(sent[i : i + n]) for i in range(len(sent) - n + 1))
    return counts


def _pooled(sites: list[CandidateSite]) -> dict[tuple[str, str], tuple[float, float]]:
    """(observed, candidate) -> (share of the observed form's occurrences where the candidate
    is the best, its mean gain over them): one spinner, one dictionary."""
    gains: dict[tuple[str, str], list[float]] = defaultdict(list)
    wins: Counter = Counter()
    occurrences: Counter = Counter()
    for site in sites:
        occurrences[site.observed] += 1
        best = max(range(len(site.gains)), key=site.gains.__getitem__)
        for i, cand in enumerate(site.candidates):
            gains[(site.observed, cand.original)].append(site.gains[i])
        wins[(site.observed, site.candidates[best].original)] += 1
    return {key: (wins[key] / occurrences[key[0]], sum(g) / len(g)) for key, g in gains.items()}


def _with_applied(words: list[str], lo: int, hi: int, sentence: int, applied: dict[tuple[int, int], tuple[int, str]]) -> list[str]:
    """words[lo:hi] with the chosen edits that lie inside it applied."""
    out: list[str] = []
    i = lo
    while i < hi:
        edit = applied.get((sentence, i))
        if edit is not None and edit[0] <= hi:
            out.extend(edit[1].split())
            i = edit[0]
        else:
            out.append(words[i])
            i += 1
    return out
