"""Learn a spinner's dictionary from its output alone: two streaming passes and decipherment.

    pass 1  count_ngrams per chunk of documents, merged          (unspin.learn.counts)
    select  pairs (observed -> candidate original) whose frequency evidence says "spun"
    pass 2  LM gains of those candidates at each occurrence, merged
    decide  EM shares, one-to-one consistency, calibrated confidence (unspin.learn.decipher)

Chunks run in worker processes (`jobs`), at most 2 x jobs chunks in flight, so memory holds
one chunk per worker plus counts bounded by the vocabulary. The merged statistics are the
learner's state: saved next to a lexicon, they let a later run add documents and re-decide
(`LearnState`), so more documents only sharpen the dictionary. `learn_with` runs the selection
and the decision around passes someone else runs: `unspin.engines.spark_learn` runs them on Spark.
"""

from __future__ import annotations

import gzip
import json
import math
import multiprocessing
import time
from collections import deque
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from ..errors import ArtifactError
from .counts import CorpusCounts, GainStats, count_ngrams, occurrence_gains, outside
from .decipher import LearnConfig, Pair, confidence, confidences, cooccurrence_evidence, em_shares, expected, explain_originals, frequency_evidence

CHUNK_DOCS = 40
FUNCTION_ZIPF = 5.0  # words this frequent key phrase rules ("in the" -> "inside the")
SUBSTITUTE_ZIPF = 5.4  # and may stand in for a word of an observed bigram
PHRASE_MIN_COUNT = 3
MISSING_MIN_EXPECTED = 4.0  # a common word is "missing" when clean text would have it this often
MISSING_WORD_SHARE = 0.2  # ... and the corpus has at most this share of that
COMMON_WORDS = 3000
MISSING_CANDIDATES = 6  # missing common words tried per surplus form
MISSING_SHARE = 0.75  # at most this share of the expected count left (a half-spun corpus keeps half)
MIN_EXPECTED = 1.0  # an original clean text would have fewer times cannot be seen missing
PHRASE_SURPLUS = 4.0  # observed / expected count of a bigram before it is deciphered as a phrase
INSERTION = "insertion"  # a pair's source where the original is the observed bigram less one word
STATE_VERSION = 1
# Documents scan gives less are not learned from. On dev text (200 documents each) 0.5 keeps 3.5%
# of clean ones, 47-81% of those the training families spun lightly, all that they spun densely.
MIN_SPIN_PROBABILITY = 0.5


@dataclass
class Toolkit:
    """What the learner consults: candidates (a ReverseIndex-like `candidates(phrase)` and
    `is_spin_output(phrase)`), a language model (`score_window`, `order`), a Reference of
    clean frequencies, and which words are function words."""

    lexicon: object
    lm: object
    reference: object
    function_words: frozenset[str]
    substitutes: tuple[str, ...]
    common_words: tuple[str, ...] = ()  # candidates for any surplus form when the corpus lacks them
    keep: Callable[[str], bool] | None = None  # which documents are learned from (None: all)

    def is_function(self, word: str) -> bool:
        return word in self.function_words

    def kept(self, texts: Iterable[str]) -> tuple[list[str], int]:
        """The documents to learn from, and how many were screened out."""
        texts = list(texts)
        if self.keep is None:
            return texts, 0
        kept = [t for t in texts if self.keep(t)]
        return kept, len(texts) - len(kept)


def default_toolkit(min_spin_probability: float = MIN_SPIN_PROBABILITY) -> Toolkit:
    """The installed artifacts: reverse-synonym index, KenLM 5-gram, wordfreq; with
    `min_spin_probability` > 0, only documents scan gives that spin probability are learned
    from (a crawl's clean pages would hide the originals a spinner removes)."""
    from wordfreq import top_n_list, zipf_frequency

    from ..lexicon.index import ReverseIndex
    from ..model.ngram import NgramModel
    from .reference import LanguageReference

    lm = NgramModel()
    common = [w for w in top_n_list("en", COMMON_WORDS) if w.isalpha()]
    function_words = frozenset(w for w in common if zipf_frequency(w, "en") >= FUNCTION_ZIPF)
    substitutes = tuple(w for w in common if zipf_frequency(w, "en") >= SUBSTITUTE_ZIPF)
    keep = SpinScreen(min_spin_probability) if min_spin_probability > 0 else None
    return Toolkit(ReverseIndex.load(), lm, LanguageReference(lm), function_words, substitutes, tuple(common), keep)


default_toolkit.requires = ("lexicon", "ngram")  # type: ignore[attr-defined]  # what a Spark executor needs to build it


@dataclass
class LearnState:
    """Merged corpus statistics: everything a later run needs to add documents and re-decide."""

    counts: CorpusCounts = field(default_factory=CorpusCounts)
    gains: GainStats = field(default_factory=GainStats)

    def save(self, path: str | Path) -> None:
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        payload = {
            "version": STATE_VERSION,
            "docs": self.counts.docs,
            "tokens": self.counts.tokens,
            "screened_out": self.counts.screened_out,
            "ngrams": dict(self.counts.ngrams),
            "samples": self.gains.samples,
            "seen": dict(self.gains.seen),
            "extra": dict(self.gains.extra),
            "docs_with": dict(self.gains.docs_with),
            "docs_with_both": dict(self.gains.docs_with_both),
            "docs_with_outside": dict(self.gains.docs_with_outside),
        }
        with gzip.open(tmp, "wt", encoding="utf-8") as out:
            json.dump(payload, out)
        tmp.replace(path)

    @classmethod
    def load(cls, path: str | Path) -> "LearnState":
        try:
            with gzip.open(path, "rt", encoding="utf-8") as f:
                payload = json.load(f)
        except (OSError, json.JSONDecodeError) as exc:
            raise ArtifactError(f"unreadable learner state ({exc})", source=str(path)) from None
        if payload.get("version") != STATE_VERSION:
            raise ArtifactError("learner state of another version", source=str(path))
        from collections import Counter

        counts = CorpusCounts(Counter(payload["ngrams"]), payload["docs"], payload["tokens"], payload.get("screened_out", 0))
        gains = GainStats(
            payload["samples"], Counter(payload["seen"]), Counter(payload["extra"]),
            Counter(payload["docs_with"]), Counter(payload["docs_with_both"]), Counter(payload.get("docs_with_outside", {})),
        )
        return cls(counts, gains)


@dataclass(frozen=True)
class LearnResult:
    pairs: tuple[Pair, ...]  # every deciphered pair, most confident first
    documents: int  # learned from
    tokens: int
    seconds: float
    state: LearnState
    screened_out: int = 0  # documents read but not learned from: scan found them too clean


class SpunLearner:
    def __init__(self, toolkit: Toolkit, config: LearnConfig | None = None) -> None:
        self.kit = toolkit
        self.config = config or LearnConfig.calibrated()

    # --- selection: which pairs deserve the LM pass -----------------------------------------

    def candidate_pairs(self, counts: CorpusCounts) -> dict[str, list[Pair]]:
        """observed -> its most promising candidate pairs, by frequency evidence."""
        out: dict[str, list[Pair]] = {}
        missing = self.missing_words(counts)
        for observed, n in counts.ngrams.items():
            if n < self.config.min_count:
                continue
            originals = self._originals(observed, counts, n)
            pairs = self._ranked([self._pair(observed, o, counts, source=source) for o, source in originals.items()
                                  if self._missing(o, observed, counts, source)])
            if missing and self._surplus(observed, counts, n):
                pairs += self._balanced(observed, n, counts, [m for m in missing if m != observed and m not in originals])
            if pairs:
                out[observed] = pairs
        return out

    def _ranked(self, pairs: list[Pair]) -> list[Pair]:
        pairs = [p for p in pairs if p.deficit + p.excess >= self.config.prefilter]
        pairs.sort(key=lambda p: -(p.deficit + p.excess))
        return pairs[: self.config.max_candidates]

    def _balanced(self, observed: str, n: int, counts: CorpusCounts, missing: list[str]) -> list[Pair]:
        """The missing common words whose missing occurrences best match the observed form's
        surplus (a rule moves one word's mass to another), beyond the lexicon's candidates."""
        surplus = max(n - expected(counts, self.kit.reference, observed), 1.0)
        gaps = {m: max(expected(counts, self.kit.reference, m) - counts.count(m), 1.0) for m in missing}
        closest = sorted(missing, key=lambda m: abs(math.log(gaps[m] / surplus)))[:MISSING_CANDIDATES]
        pairs = [self._pair(observed, m, counts) for m in closest]
        for p in pairs:
            p.source = "missing"
        return self._ranked(pairs)

    def _originals(self, observed: str, counts: CorpusCounts, n: int) -> dict[str, str]:
        """Candidate originals of an observed form, each with where it came from."""
        found = [c.original for c in self.kit.lexicon.candidates(observed)]
        inserted: list[str] = []
        words = observed.split()
        if len(words) == 2 and self._surplus_phrase(observed, counts, n):
            # a phrase rule keyed on a function word ("in the" -> "inside the"): swap the other word
            a, b = words
            if self.kit.is_function(b):
                found += [f"{o} {b}" for o in self._word_substitutes(a)]
            if self.kit.is_function(a):
                found += [f"{a} {o}" for o in self._word_substitutes(b)]
            if self.config.insertions:  # or a word added beside the original ("other" -> "various other")
                inserted = [a, b]
        out = {o: "lexicon" for o in found if o != observed}
        out.update({o: INSERTION for o in inserted if o not in out})
        return out

    def _missing(self, original: str, observed: str, counts: CorpusCounts, source: str = "lexicon") -> bool:
        """Cheap first test: the original occurs at most MISSING_SHARE of the times clean text has
        it. (Uncounted phrases pass; pass 2 counts them.) A word added beside the original counts
        only its occurrences outside the observed form, against the stricter MISSING_WORD_SHARE:
        a rule keyed on the word alone leaves no bare occurrence of it, where a frequent word that
        merely lost some occurrences to another rule ("in the" -> "inside the") keeps most."""
        e_o = expected(counts, self.kit.reference, original)
        if e_o < MIN_EXPECTED:
            return False
        if not (original in counts.ngrams or _counted_in_pass1(original)):
            return True
        if source == INSERTION:
            return outside(counts.count(original), counts.count(observed), original, observed) <= MISSING_WORD_SHARE * e_o
        return counts.count(original) <= MISSING_SHARE * e_o

    def missing_words(self, counts: CorpusCounts) -> list[str]:
        """Common words the corpus nearly lacks: the sources of a spinner's rules, whatever
        its thesaurus (decipherment pairs surplus forms with these, not only with the
        lexicon's candidates)."""
        out = []
        for word in self.kit.common_words:
            e = expected(counts, self.kit.reference, word)
            if e >= MISSING_MIN_EXPECTED and counts.count(word) <= MISSING_WORD_SHARE * e:
                out.append(word)
        return out

    def _surplus(self, observed: str, counts: CorpusCounts, n: int) -> bool:
        """Far more frequent than clean text has it: what a spinner's output looks like."""
        return n >= PHRASE_MIN_COUNT and (n + 0.5) / (expected(counts, self.kit.reference, observed) + 0.5) >= PHRASE_SURPLUS

    def _surplus_phrase(self, observed: str, counts: CorpusCounts, n: int) -> bool:
        """A bigram in surplus (only those can hide a phrase rule)."""
        return self._surplus(observed, counts, n)

    def _word_substitutes(self, word: str) -> list[str]:
        return [c.original for c in self.kit.lexicon.candidates(word) if " " not in c.original] + list(self.kit.substitutes)

    def _pair(self, observed: str, original: str, counts: CorpusCounts, extra: dict | None = None, source: str = "lexicon") -> Pair:
        reference = self.kit.reference
        e_o = expected(counts, reference, original)
        c_o = counts.count(original) if original in counts.ngrams or _counted_in_pass1(original) else (extra or {}).get(original, 0)
        if source == INSERTION:
            c_o = outside(c_o, counts.count(observed), original, observed)
        pair = Pair(observed, original, counts.count(observed), c_o, expected(counts, reference, observed), e_o, source=source)
        frequency_evidence(pair, self.config)
        return pair

    # --- decision ----------------------------------------------------------------------------

    def decide(self, state: LearnState, selected: dict[str, list[Pair]] | None = None) -> list[Pair]:
        counts, gains = state.counts, state.gains
        selected = self.candidate_pairs(counts) if selected is None else selected
        decided: list[Pair] = []
        for observed, pairs in selected.items():
            pairs = [self._pair(observed, p.original, counts, gains.extra, p.source) for p in pairs]
            pairs = [p for p in pairs if p.deficit + p.excess >= self.config.prefilter]
            for p in pairs:
                both = gains.docs_with_outside if p.source == INSERTION else gains.docs_with_both
                cooccurrence_evidence(p, gains.docs_with[observed], both[f"{observed}\t{p.original}"], counts.docs, self.config)
            rows = _gain_rows(gains.samples.get(observed, []), [p.original for p in pairs])
            em_shares(pairs, rows, self.config)
            decided.extend(pairs)
        explain_originals(decided)
        for pair in decided:
            confidence(pair, self.config)
        decided = _drop_redundant_phrases(decided)
        if self.config.model:  # the boosted model weighs the pairs that remain, beside one another
            confidences(decided, self.config)
        decided.sort(key=lambda p: (-p.confidence, -p.count, p.observed))
        return decided


def _counted_in_pass1(phrase: str) -> bool:
    """Unigrams and bigrams are counted in pass 1 (bigrams only with a function word; an
    unkept bigram is counted in pass 2 as an extra)."""
    return " " not in phrase


def _gain_rows(samples: list[dict[str, float]], originals: Sequence[str]) -> list[tuple[float, ...]]:
    full = [row for row in samples if all(o in row for o in originals)]
    rows = full if len(full) >= 5 else samples
    return [tuple(row.get(o, 0.0) for o in originals) for row in rows]


def _drop_redundant_phrases(pairs: list[Pair], confident: float = 0.5) -> list[Pair]:
    """A phrase pair whose changed word is the observed side of a confident word pair either
    repeats it in a fixed context ("stated that" -> "said that" beside "stated" -> "said") or
    contradicts it ("stated the" -> "in the"): a spinner's output word has one source. Keep
    the word pair."""
    explained = {p.observed for p in pairs if " " not in p.observed and p.confidence >= confident}
    out = []
    for p in pairs:
        ow, rw = p.observed.split(), p.original.split()
        if len(ow) == len(rw) > 1 and any(a in explained for a, b in zip(ow, rw) if a != b):
            continue
        out.append(p)
    return out


# --- the two passes, streaming, in parallel ------------------------------------------------

_WORKER: dict = {}


def _chunks(texts: Iterable[str], size: int) -> Iterator[list[str]]:
    chunk: list[str] = []
    for text in texts:
        chunk.append(text)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def count_texts(kit: Toolkit, texts: Iterable[str]) -> CorpusCounts:
    """Pass 1 over the documents the toolkit keeps, with its lexicon and function words."""
    kept, screened_out = kit.kept(texts)
    counts = count_ngrams(kept, kit.lexicon.is_spin_output, kit.is_function, _max_words(kit))
    counts.screened_out += screened_out
    return counts


def weigh_texts(kit: Toolkit, texts: Iterable[str], suspects: dict[str, tuple[str, ...]], extra: frozenset[str]) -> GainStats:
    """Pass 2 over the same documents (the screen is deterministic) with the toolkit's LM."""
    kept, _ = kit.kept(texts)
    return occurrence_gains(kept, suspects, kit.lm, extra, _max_words(kit))


class SpinScreen:
    """Is a document spun enough to learn from? The calibrated spin probability `scan` reports."""

    def __init__(self, min_probability: float) -> None:
        from ..scanner.detect import scan_text
        from ..scanner.screen import load_screener

        self.min_probability = min_probability
        self.screener = load_screener()
        self._scan = scan_text  # imported here, not per document: the scanner loads only when a screen is asked for

    def __call__(self, text: str) -> bool:
        return self._scan(text, screener=self.screener).spin_probability >= self.min_probability


def _pass1(chunk: list[str]) -> CorpusCounts:
    return count_texts(_WORKER["kit"], chunk)


def _pass2(chunk: list[str]) -> GainStats:
    return weigh_texts(_WORKER["kit"], chunk, _WORKER["suspects"], _WORKER["extra"])


def _max_words(kit: Toolkit) -> int:
    return min(getattr(kit.lexicon, "max_words", 4), 4)


def _run(fn: Callable, texts: Iterable[str], jobs: int, merge: Callable, tick: Callable[[int], None]) -> None:
    """fn over chunks of texts, in `jobs` forked workers (bounded in flight), merged in order."""
    chunks = _chunks(texts, CHUNK_DOCS)
    if jobs <= 1:
        for chunk in chunks:
            merge(fn(chunk))
            tick(len(chunk))
        return
    ctx = multiprocessing.get_context("fork")  # workers share the loaded lexicon and LM
    with ctx.Pool(jobs) as pool:
        pending: deque = deque()
        for chunk in chunks:
            pending.append((pool.apply_async(fn, (chunk,)), len(chunk)))
            while len(pending) >= 2 * jobs:
                result, n = pending.popleft()
                merge(result.get())
                tick(n)
        while pending:
            result, n = pending.popleft()
            merge(result.get())
            tick(n)


def learn_from_spun(
    texts: Callable[[], Iterable[str]],
    learner: SpunLearner,
    jobs: int = 1,
    state: LearnState | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> LearnResult:
    """Learn from the documents `texts()` yields (called twice: one streaming pass each).
    `state` (from an earlier run) is merged with them; `progress(pass_name, docs)` ticks."""
    kit = learner.kit
    tick1 = (lambda n: progress("counting", n)) if progress else (lambda n: None)
    tick2 = (lambda n: progress("weighing", n)) if progress else (lambda n: None)

    def count() -> CorpusCounts:
        new = CorpusCounts()
        _run(_pass1, texts(), jobs, new.merge, tick1)
        return new

    def weigh(suspects: dict[str, tuple[str, ...]], extra: frozenset[str]) -> GainStats:
        new = GainStats()
        _WORKER["suspects"], _WORKER["extra"] = suspects, extra
        _run(_pass2, texts(), jobs, new.merge, tick2)
        return new

    _WORKER.clear()
    _WORKER["kit"] = kit
    try:
        return learn_with(learner, count, weigh, state)
    finally:
        _WORKER.clear()


def learn_with(
    learner: SpunLearner,
    count: Callable[[], CorpusCounts],
    weigh: Callable[[dict[str, tuple[str, ...]], frozenset[str]], GainStats],
    state: LearnState | None = None,
) -> LearnResult:
    """The learner's two passes, whoever runs them: `count()` gives pass 1's counts of the new
    documents; `weigh(suspects, extra)` pass 2's gains over the same documents in the same
    order (first samples first). Both are merged into `state`; then `decide` runs here. The
    local runner (`learn_from_spun`) and `unspin.engines.spark_learn` both go through this."""
    started = time.perf_counter()
    state = state or LearnState()
    state.counts.merge(count())
    selected = learner.candidate_pairs(state.counts)
    suspects = {o: tuple(p.original for p in ps) for o, ps in selected.items()}
    extra = frozenset(p.original for ps in selected.values() for p in ps if not _counted_in_pass1(p.original) and p.original not in state.counts.ngrams)
    state.gains.merge(weigh(suspects, extra))
    pairs = learner.decide(state, selected)
    counts = state.counts
    return LearnResult(tuple(pairs), counts.docs, counts.tokens, time.perf_counter() - started, state, counts.screened_out)


def to_lexicon(result: LearnResult, min_confidence: float):
    """The pairs at or above `min_confidence` as a LearnedLexicon (count, confidence, seen)."""
    from ..lexicon.learned import LearnedLexicon

    lexicon = LearnedLexicon()
    for p in result.pairs:
        if p.confidence >= min_confidence:
            lexicon.add(p.observed, p.original, p.count, p.confidence, p.observed_count)
    lexicon.documents = result.documents
    return lexicon


def decipher_texts(texts: Callable[[], Iterable[str]], toolkit: Toolkit, *, jobs: int = 1,
                   min_confidence: float | None = None) -> tuple[object, LearnResult]:
    """A batch's own spinner, deciphered: (its LearnedLexicon at `min_confidence`, default the
    calibrated one; the learner's result). `texts` is called once per pass."""
    result = learn_from_spun(texts, SpunLearner(toolkit), jobs=max(1, jobs))
    return to_lexicon(result, default_min_confidence() if min_confidence is None else min_confidence), result


@lru_cache(maxsize=1)
def default_min_confidence() -> float:
    """The confidence a pair needs to be written, chosen on dev text with the weights."""
    from importlib import resources

    try:
        raw = resources.files("unspin.data").joinpath("learn_calibration.json").read_text()
        return float(json.loads(raw).get("min_confidence", 0.5))
    except (FileNotFoundError, ValueError):
        return 0.5
