"""Noisy-channel decoding: which words were swapped, and what stood there before.

For every sentence the decoder lists *sites* (a word or a 2-4 word phrase the lexicon knows as a
spinner's output), scores each candidate original by language-model gain plus channel log-odds,
and decides sites jointly by iterated conditional modes (neighbouring decisions are re-scored
with each other applied; adjacent pairs are also tried together). A document is decoded twice
or more: after each pass the channel is re-estimated from the confident edits (EM).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from typing import Sequence

from ..engine.channel import Channel
from ..engine.gains import window_gains
from ..engine.shortlist import lm_shortlist, prefix_test, ranked_candidates
from ..engine.sites import find_spans, is_capitalised_inside
from ..lexicon.index import Candidate, ReverseIndex
from ..model.base import lm_word
from ..stats import softmax
from ..text import Token, apply_restoration, match_case, sentences, tokenize
from ..types import Alternative, Edit, Evidence, Restoration, Span
from .rerank import rerank_sites

NEAR_MARGIN = 2.0  # a site this close to the threshold is document-level evidence of spinning
BATCH_CONFIDENCE = 0.9  # edits this sure count as evidence for the rest of a batch


@dataclass(frozen=True)
class DecodeConfig:
    threshold: float = 2.0  # nats an edit must win by (chosen on clean dev text)
    rho: float = 0.05
    q_exponent: float = 0.5
    shortlist: int = 20
    name_penalty: float = 6.0  # nats against editing a capitalised word inside a sentence
    em_passes: int = 2
    length_cost: float = 4.0  # nats per word an edit removes: shorter wording always scores higher
    detection_rate: float = 1.0  # share of swaps one pass finds, for the EM estimate of the spin rate
    neural_weight: float = 0.7  # share of the neural LM in the LM gain when a reranker is set
    rerank_margin: float = 6.0  # sites this close below the threshold get a neural second look
    learned_prior: float = 1.0  # weight of a learned pair's corpus-level log-odds (0: use rho * q as before)

    @classmethod
    def calibrated(cls, kind: str = "ngram") -> "DecodeConfig":
        """Parameters chosen on dev text by `unspin bench tune` for "ngram" or "neural" decoding."""
        try:
            raw = resources.files("unspin.data").joinpath(f"decoder_calibration.{kind}.json").read_text()
        except FileNotFoundError:
            return cls()
        params = json.loads(raw).get("params", {})
        return cls(**{k: v for k, v in params.items() if k in cls.__dataclass_fields__})


@dataclass
class Site:
    """A span of one sentence that may be a spinner's output, with its shortlisted originals."""

    start: int  # token index in the sentence
    end: int
    observed: str  # lower-case observed phrase
    candidates: list[Candidate]
    penalty: float  # extra nats against editing (names)
    choice: int = -1  # index into candidates, -1 = keep
    gains: tuple[float, ...] = ()


class Restorer:
    """The restoration engine: the engine core's sites and shortlists, language model(s) and a
    channel, behind `restore(text)`."""

    def __init__(self, lexicon: ReverseIndex, lm, reranker=None, config: DecodeConfig | None = None, learned=None) -> None:
        self.lexicon = lexicon
        self.learned = learned  # LearnedLexicon of swaps seen in traced pairs, or None
        self.lm = lm
        self.reranker = reranker
        self.config = config or DecodeConfig.calibrated("ngram" if reranker is None else "neural")
        self._prefix = prefix_test(lexicon, learned)
        self._phrase_model = None  # engine.phrases' decoder, built on the first restore_phrase

    def restore(self, text: str, threshold: float | None = None) -> Restoration:
        config = self.config if threshold is None else replace(self.config, threshold=threshold)
        return self._restore(text, config)

    def _learned_priors(self, config: DecodeConfig) -> dict:
        """Pairs deciphered over a corpus (`unspin learn --from-spun`) carry their own prior."""
        if self.learned is None or not config.learned_prior or not hasattr(self.learned, "prior_logodds"):
            return {}
        priors = ((o, r, self.learned.prior_logodds(o, r)) for o, r, _ in self.learned.pairs())
        return {(o, r): config.learned_prior * p for o, r, p in priors if p is not None}

    def restore_phrase(self, phrase: str) -> str:
        """Best original for a phrase already known to be tortured (no context, forced choice):
        the phrase decoder's (`engine.phrases`: which combination of the words' originals
        writers use together); where it keeps the phrase, or a learned lexicon is loaded (its
        pairs are evidence the phrase decoder does not weigh), the noisy-channel decoder's.
        That combination was chosen on the PPS learn half (4.4% decoder, 8.6% phrase decoder, 9.2%
        both, top-1); the test half's top-1 is in BENCHMARKS.md."""
        if self.learned is None:
            guess = self._phrases().best(phrase)
            if guess != phrase.lower():
                return match_case(phrase, guess)
        config = replace(self.config, rho=0.5, threshold=0.0, em_passes=1, name_penalty=0.0)
        return self._restore(phrase, config).restored

    def _phrases(self):
        if self._phrase_model is None:
            from ..engine.phrases import decoder_over
            from ..engine.resources import technical_pairs, web_pairs

            self._phrase_model = decoder_over(self.lexicon, web_pairs(), technical_pairs())
        return self._phrase_model

    def _restore(self, text: str, config: DecodeConfig, batch_pairs: Counter | None = None) -> Restoration:
        tokens = tokenize(text)
        sents = [s for s in sentences(tokens, text) if s]
        words = [[lm_word(t.text) for t in s] for s in sents]
        surfaces = [[t.text for t in s] for s in sents]
        sites = [self._sites(s, w) for s, w in zip(sents, words)]
        channel = Channel(rho=config.rho, q_exponent=config.q_exponent, length_cost=config.length_cost, batch=Counter(batch_pairs or {}), pair_logodds=self._learned_priors(config))
        for _ in range(max(1, config.em_passes)):
            for sent_words, sent_sites in zip(words, sites):
                _decide_sentence(self.lm, sent_words, sent_sites, channel, config.threshold)
            if self.reranker is not None:
                rerank_sites(self.reranker, surfaces, sites, channel, config)
            channel = _reestimate(channel, sites, config.detection_rate)
        edits = [e for s, ss in zip(sents, sites) for e in _edits(text, s, ss, channel, config.threshold)]
        restored = apply_restoration(text, [(e.span.start, e.span.end, e.suggestion) for e in edits])
        words_in = sum(t.is_word for t in tokens)
        return Restoration(text, restored, tuple(edits), words_in, _signals(sites, config.threshold))

    def restore_many(self, texts: Sequence[str], threshold: float | None = None, share: bool = True) -> list[Restoration]:
        """Restore a batch. With `share`, swaps restored confidently in earlier documents raise
        the prior for the same swap in later ones (one spinner, one dictionary)."""
        config = self.config if threshold is None else replace(self.config, threshold=threshold)
        seen: Counter = Counter()
        out = []
        for text in texts:
            result = self._restore(text, config, seen if share else None)
            out.append(result)
            seen.update({(e.observed.lower(), e.original.lower()) for e in result.edits if e.confidence >= BATCH_CONFIDENCE})
        return out

    def _sites(self, sent: list[Token], words: list[str]) -> list[Site]:
        lowers = [t.lower for t in sent]
        surfaces = [t.text for t in sent]
        is_word = [t.is_word for t in sent]
        out = []
        for start, end, observed in find_spans(lowers, is_word, self.lexicon.max_words, self._prefix, self.lexicon.last_word_lemma_prefix):
            candidates = self._shortlist(observed, words, start, end)
            if candidates:
                penalty = self.config.name_penalty if is_capitalised_inside(surfaces, is_word, start, end) else 0.0
                out.append(Site(start, end, observed, candidates, penalty))
        return out

    def _shortlist(self, observed: str, words: list[str], start: int, end: int) -> list[Candidate]:
        """Cheap prior (q times word frequency), then the n-gram model on a two-word context."""
        ranked = ranked_candidates(self.lexicon, self.learned, observed)
        return lm_shortlist(self.lm, words, start, end, ranked, self.config.shortlist, self.config.q_exponent)


def _decide_sentence(lm, words: list[str], sites: list[Site], channel: Channel, threshold: float) -> None:
    """Iterated conditional modes over the sites of one sentence, plus adjacent pairs."""
    for site in sites:
        site.choice = -1
    for _ in range(2):
        changed = False
        for site in sites:
            gains = _site_gains(lm, words, sites, site, channel)
            site.gains = gains
            best = max(range(len(gains)), key=gains.__getitem__)
            choice = best if gains[best] - site.penalty > threshold and not _blocked(sites, site) else -1
            changed |= choice != site.choice
            site.choice = choice
        _try_pairs(lm, words, sites, channel, threshold)
        if not changed:
            break


def _blocked(sites: list[Site], site: Site) -> bool:
    """Another site overlapping this span already carries an edit."""
    return any(o is not site and o.choice >= 0 and o.start < site.end and site.start < o.end for o in sites)


def _site_gains(lm, words: list[str], sites: list[Site], site: Site, channel: Channel) -> tuple[float, ...]:
    """Gain in nats of each candidate over keeping the observed words, other sites as decided."""
    order = lm.order
    left = max(0, site.start - order + 1)
    right = min(len(words), site.end + order - 1)
    context = _applied(words, sites, exclude=site, lo=left, hi=right)
    before, after = context[: site.start - left], context[site.end - left :]
    bos, eos = left == 0, right == len(words)
    lm_gains = window_gains(lm, before, words[site.start : site.end], after, bos, eos,
                            [c.original.split() for c in site.candidates], channel.length_cost)
    return tuple(g + channel.edit_logodds(c.weight, site.observed, c.original) - _self_boost(channel, site, c)
                 for g, c in zip(lm_gains, site.candidates))


def _self_boost(channel: Channel, site: Site, cand: Candidate) -> float:
    """A site's own earlier decision must not count as evidence for itself."""
    own = 1 if site.choice >= 0 and site.candidates[site.choice] is cand else 0
    if not own:
        return 0.0
    count = channel.sightings(site.observed, cand.original)
    return (min(count, 2) - min(count - 1, 2)) * channel.pair_boost


def _applied(words: list[str], sites: list[Site], exclude: Site | None, lo: int, hi: int) -> list[str]:
    """words[lo:hi] with every other chosen edit inside the window applied."""
    out: list[str] = []
    i = lo
    chosen = sorted((s for s in sites if s.choice >= 0 and s is not exclude and lo <= s.start and s.end <= hi), key=lambda s: s.start)
    for s in chosen:
        if s.start < i:
            continue
        out.extend(words[i : s.start])
        out.extend(s.candidates[s.choice].original.split())
        i = s.end
    out.extend(words[i:hi])
    # keep positions aligned with the observed words: pad or trim applied phrases at the edges
    return out if len(out) == hi - lo else _align(words, sites, exclude, lo, hi)


def _align(words, sites, exclude, lo, hi) -> list[str]:
    """Fallback when an applied phrase changes length: apply only same-length edits."""
    out = list(words[lo:hi])
    for s in sites:
        if s.choice >= 0 and s is not exclude and lo <= s.start and s.end <= hi:
            new = s.candidates[s.choice].original.split()
            if len(new) == s.end - s.start:
                out[s.start - lo : s.end - lo] = new
    return out


def _try_pairs(lm, words: list[str], sites: list[Site], channel: Channel, threshold: float, top: int = 4) -> None:
    """Adjacent swaps ("counterfeit consciousness") can each look wrong alone; try them together."""
    for a in sites:
        for b in sites:
            if b.start != a.end or a.choice >= 0 or b.choice >= 0 or not a.gains or not b.gains:
                continue
            if _blocked(sites, a) or _blocked(sites, b):
                continue
            left, right = max(0, a.start - lm.order + 1), min(len(words), b.end + lm.order - 1)
            before, after = words[left : a.start], words[b.end : right]
            bos, eos = left == 0, right == len(words)
            base = lm.score_window(before + words[a.start : b.end] + after, bos, eos)
            best, best_pair = 2 * threshold + a.penalty + b.penalty, None
            for i in _top(a.gains, top):
                for j in _top(b.gains, top):
                    ca, cb = a.candidates[i], b.candidates[j]
                    new = ca.original.split() + cb.original.split()
                    lm_gain = lm.score_window(before + new + after, bos, eos) - base - channel.length_cost * (b.end - a.start - len(new))
                    gain = lm_gain + channel.edit_logodds(ca.weight, a.observed, ca.original) + channel.edit_logodds(cb.weight, b.observed, cb.original)
                    if gain > best:
                        best, best_pair = gain, (i, j)
            if best_pair:
                a.choice, b.choice = best_pair


def _top(gains: tuple[float, ...], n: int) -> list[int]:
    return sorted(range(len(gains)), key=lambda i: -gains[i])[:n]


def _reestimate(channel: Channel, all_sites: list[list[Site]], detection_rate: float) -> Channel:
    confident = [(s.observed, s.candidates[s.choice].original) for sites in all_sites for s in sites if s.choice >= 0]
    swappable = len({(id(sites), s.start) for sites in all_sites for s in sites})
    return channel.reestimate(confident, max(swappable, 1), detection_rate)


def _drop_overlaps(sites: list[Site]) -> None:
    """Keep the higher-gain edit where two chosen sites overlap."""
    chosen = sorted((s for s in sites if s.choice >= 0), key=lambda s: -s.gains[s.choice] if s.gains else 0.0)
    kept: list[Site] = []
    for site in chosen:
        if any(k.start < site.end and site.start < k.end for k in kept):
            site.choice = -1
        else:
            kept.append(site)


def _edits(text: str, sent: list[Token], sites: list[Site], channel: Channel, threshold: float) -> list[Edit]:
    _drop_overlaps(sites)
    out = []
    for site in sites:
        if site.choice < 0:
            continue
        start, end = sent[site.start].start, sent[site.end - 1].end
        observed = text[start:end]
        cand = site.candidates[site.choice]
        scores = _posterior(site.gains, threshold + site.penalty)
        ranked = sorted(range(len(site.candidates)), key=lambda i: -scores[i + 1])
        alternatives = tuple(
            Alternative(match_case(observed, site.candidates[i].original), round(scores[i + 1], 4)) for i in ranked[:5] if i != site.choice
        )
        gain = site.gains[site.choice] if site.gains else 0.0
        channel_term = channel.edit_logodds(cand.weight, site.observed, cand.original)
        out.append(
            Edit(
                span=Span(start, end),
                observed=observed,
                suggestion=match_case(observed, cand.original),
                confidence=round(scores[site.choice + 1], 4),
                alternatives=alternatives + (Alternative(observed, round(scores[0], 4)),),
                evidence=Evidence(
                    sources=cand.sources,
                    lm_gain=round(gain - channel_term, 3),
                    channel=round(math.log(cand.weight), 3),
                    doc_prior=round(channel.doc_prior(site.observed, cand.original), 3),
                ),
            )
        )
    return out


def _signals(all_sites: list[list[Site]], threshold: float) -> dict[str, float]:
    flat = [s for sites in all_sites for s in sites]
    near = sum(1 for s in flat if s.gains and max(s.gains) - s.penalty >= threshold - NEAR_MARGIN)
    return {"sites": float(len(flat)), "near_sites": float(near)}


def _posterior(gains: tuple[float, ...], keep_score: float) -> list[float]:
    """Softmax over [keep, candidates...]; keeping scores the threshold an edit must beat."""
    return softmax([keep_score, *gains])


_ENGINES: dict[tuple, Restorer] = {}


@lru_cache(maxsize=1)
def _model_knows_learned() -> bool:
    """A site model trained on rows built with learned lexicons is shipped."""
    from .site_model import LEARNED_MODEL_PATH, LEARNED_RECORD_PATH

    try:
        return LEARNED_MODEL_PATH.exists() and bool(json.loads(LEARNED_RECORD_PATH.read_text(encoding="utf-8")).get("trained_with_learned"))
    except (OSError, ValueError):
        return False


def _neural_stage_lm() -> str | None:
    from .site_model import neural_stage_record

    record = neural_stage_record()
    return record["lm"] if record else None


def load_restorer(lm: str = "ngram", learned: str | None = None, decision: str = "auto", device: str | None = None,
                  **options) -> Restorer:
    """A cached engine. lm: "ngram" (KenLM only), "smollm2" (the site model with its SmolLM2 stage), "gemma3"
    (KenLM + Gemma-3-270M, optional package), or any Hugging Face causal LM name/path (KenLM +
    that model). learned: a learned-lexicon file (`unspin learn`) whose swaps join the
    candidates. decision: "model" (the learned site model, `restorer.site_model`; n-gram only),
    "decoder" (this module's noisy-channel decoder), or "auto" (the model for lm="ngram" with no
    decoder options, and with a learned lexicon only when the model was trained with learned
    lexicons; for the neural LM that the shipped neural stage was trained with and no decoder
    options, the site model with that stage, `restorer.neural_stage` (with a learned lexicon, the
    learned site model with it, where the site model was trained with learned lexicons);
    other LMs rerank the decoder's choices). device: where a neural lm runs, "auto" (CUDA when present), "cpu", "cuda" or
    "cuda:N" (default $UNSPIN_DEVICE, else auto; unused by lm="ngram"). options: DecodeConfig fields."""
    if decision not in ("auto", "model", "decoder"):
        raise ValueError(f"unknown decision {decision!r}: choose auto, model or decoder")
    if lm != "ngram":
        from ..model.neural import resolve_device

        device = resolve_device(device)  # before anything loads: a missing GPU fails at once
    else:
        if device:
            from ..config import device_setting

            device_setting(device)  # a misspelt device is an error even where no neural LM runs
        device = None
    from .site_model import MODEL_PATH

    # a learned lexicon goes to the site model only if it was trained with learned lexicons
    # (its learned features); else to the decoder, whose channel takes the learned pairs' priors
    use_model = decision == "model" or (decision == "auto" and lm == "ngram" and not options and MODEL_PATH.exists()
                                        and (learned is None or _model_knows_learned()))
    # the site model with its neural stage, for the LM the stage was trained with
    staged = (decision != "decoder" and lm != "ngram" and not options and lm == _neural_stage_lm()
              and (learned is None or _model_knows_learned()))
    key = (lm, learned, use_model or staged, device, tuple(sorted(options.items())))
    if key not in _ENGINES and staged:
        from ..engine import resources
        from .site_model import load_neural_restorer

        _ENGINES[key] = load_neural_restorer(resources.neural(lm, device), learned)  # type: ignore[assignment]
    if key not in _ENGINES and use_model:
        from .site_model import load_model_restorer

        _ENGINES[key] = load_model_restorer(learned)  # type: ignore[assignment]
    if key not in _ENGINES:
        from ..engine import resources

        reranker = None if lm == "ngram" else resources.neural(lm, device)
        config = replace(DecodeConfig.calibrated("ngram" if reranker is None else "neural"), **options)
        learned_lexicon = resources.learned(learned) if learned else None
        _ENGINES[key] = Restorer(resources.lexicon(), resources.ngram(), reranker, config, learned_lexicon)
    return _ENGINES[key]
