"""Restore's learned decision: a gradient-boosted model over candidate rows picks, per site, one
candidate original or keeps the observed words.

Every (site, candidate) row (`restorer.candidates.CANDIDATE_FEATURES`) gets a calibrated
probability that the site is a spinner's swap of exactly that candidate. A site is edited to its
best candidate when that probability reaches the cut chosen on dev text (`unspin bench
train-restore`: >= 95% edit precision, <= 1 false edit per 1,000 clean words); overlapping
choices keep the likelier one. A second pass puts the first pass's edits into the context of the
other sites (dense spinning leaves swaps side by side) and decides again.

With a neural LM (`restore --lm smollm2`), a neural stage (`restorer.neural_stage`) re-judges the
rows the site model finds likeliest and decides in its place.

The document can decide first (`with_document_prior`): given the scan's calibrated spin
probability of the whole text, a document scan flags as spun may be edited at a lower cut
(`spun_cut`), while every other document keeps the default cut and its near-zero edit rate. In a
flagged document each later pass puts the previous pass's likelier guesses into context, not only
its edits (`SPUN_CONTEXT_CUT`), and there is a third pass (`SPUN_PASSES`): swaps sit side by side
there, and a neighbour's probable original is better context than its spun form.

A batch restored with its own learned dictionary can hand the restorer the pairs its first pages
edited often (`with_confirmed`, `restorer.confirmed`): those are edited from a lower probability.
`restore_pending` restores a page with that decision left open, so a batch is restored once.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Sequence

from ..errors import ArtifactError
from ..text import apply_replacements, match_case
from ..types import Alternative, Edit, Evidence, Restoration, Span
from .candidates import CANDIDATE_FEATURES, CandidateBuilder, CandidateSite, DocumentSites
from .confirmed import CONFIRMED_CUT

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
MODEL_PATH = DATA_DIR / "restore_model.txt"
RECORD_PATH = DATA_DIR / "restore_model.json"
# the model for restoring with a learned lexicon: trained with lexicons learned from dev text
LEARNED_MODEL_PATH = DATA_DIR / "restore_model.learned.txt"
LEARNED_RECORD_PATH = DATA_DIR / "restore_model.learned.json"
# the neural stage over the site model's likeliest rows (`restorer.neural_stage`, `bench train-neural`)
NEURAL_MODEL_PATH = DATA_DIR / "restore_model.neural.txt"
NEURAL_RECORD_PATH = DATA_DIR / "restore_model.neural.json"
# ... and the one fitted for a learned lexicon, on the learned site model's rows (`train-neural --learned`)
NEURAL_LEARNED_MODEL_PATH = DATA_DIR / "restore_model.neural.learned.txt"
NEURAL_LEARNED_RECORD_PATH = DATA_DIR / "restore_model.neural.learned.json"
PASSES = 2
# In a document scan flags as spun, a pass's choices at this probability or over become the next
# pass's context (edits are still made at the cut). Chosen on dev (20 dev articles,
# the training families, 0.7 to 0.05 swept: dense edits right 515 -> 572 of 8,909 swaps, light
# 84 -> 86 with no wrong edit added, clean none) and confirmed on unseen test articles
# (BENCHMARKS, 2026-12-06).
SPUN_CONTEXT_CUT = 0.3
# ... and decides in this many passes, each with the previous one's guesses in context. Chosen on
# the same dev articles: dense edits right 573 -> 626 -> 630 -> 630 with 2, 3, 4 and 6 passes,
# light and clean unchanged.
SPUN_PASSES = 3


@dataclass(frozen=True)
class CandidateModel:
    """A LightGBM model (`model.trees.TreeModel`) and its isotonic calibration (x -> y knots)."""

    booster: Any
    knots_x: tuple[float, ...]
    knots_y: tuple[float, ...]
    cut: float
    cut_learned: float | None = None  # the cut when a learned lexicon is given (None: the same cut)
    columns: tuple[int, ...] | None = None  # the model's features as indices into CANDIDATE_FEATURES (None: all)

    @classmethod
    def load(cls, model_path: Path = MODEL_PATH, record_path: Path = RECORD_PATH,
             names: tuple[str, ...] = CANDIDATE_FEATURES) -> "CandidateModel":
        """`names`: the features of the rows it will be given (the model may use fewer)."""
        from ..model.trees import load_tree_model

        reading = record_path
        try:
            record = json.loads(record_path.read_text(encoding="utf-8"))
            # a cross-fitted model (`bench train-restore --cross-fit`) is several, averaged
            paths = [record_path.parent / name for name in record["members"]] if "members" in record else [model_path]
            members = []
            for reading in paths:
                members.append(load_tree_model(reading.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            raise ArtifactError(f"cannot load the restore site model: {exc}", source=str(reading)) from exc
        booster = members[0] if len(members) == 1 else MeanOfModels(tuple(members))
        features = tuple(record["features"])
        if not set(features) <= set(names):
            raise ArtifactError("the model's features are not all in its rows: retrain", source=str(record_path))
        columns = None if features == names else tuple(names.index(f) for f in features)
        calibration = record["calibration"]
        metrics = record["metrics_held_out_half"]
        cut_learned = metrics.get("cut_learned")
        checked = (record.get("crawl_check") or {}).get("cut")  # `bench learned-cut`: it only raises the cut
        if cut_learned is not None and checked is not None:
            cut_learned = max(cut_learned, checked)
        return cls(booster, tuple(calibration["x"]), tuple(calibration["y"]), float(metrics["cut"]),
                   None if cut_learned is None else float(cut_learned), columns)

    def probabilities(self, rows: Sequence[Sequence[float]]) -> list[float]:
        import numpy as np

        if not rows:
            return []
        x = np.asarray(rows, dtype=float)
        if self.columns is not None:  # a model trained on fewer features (one without the learned ones)
            x = x[:, list(self.columns)]
        raw = self.booster.predict(x, num_threads=1)
        return np.interp(raw, self.knots_x, self.knots_y).tolist()


@dataclass(frozen=True)
class MeanOfModels:
    """Models whose predicted probabilities are averaged (the two halves of a cross-fitted model)."""

    members: tuple[Any, ...]

    def predict(self, x: Any, num_threads: int = 1) -> Any:
        return sum(m.predict(x, num_threads=num_threads) for m in self.members) / len(self.members)


@dataclass
class _Choice:
    site: CandidateSite
    index: int
    probability: float
    probabilities: list[float]


class ModelRestorer:
    """The restoration engine with the learned decision: same interface as `decode.Restorer`."""

    def __init__(self, builder: CandidateBuilder, model: CandidateModel, cut: float | None = None, passes: int = PASSES,
                 neural: Any = None) -> None:
        self.builder = builder
        self.model = model
        self.neural = neural  # a `neural_stage.NeuralStage` that re-judges the likeliest rows (or None)
        model_cut = model.cut
        if builder.learned is not None and getattr(model, "cut_learned", None) is not None:
            model_cut = model.cut_learned  # chosen on dev documents restored with a learned lexicon
        self.cut = model_cut if cut is None else cut
        self.passes = passes
        self.lexicon = builder.lexicon
        self.learned = builder.learned
        self._phrase_decoder = None
        self.document_prior: Callable[[str], float] | None = None
        self.flag_at = 1.0
        self.spun_cut: float | None = None
        self.confirmed: Any = None  # a `confirmed.ConfirmedPairs` of the batch being restored (or None)

    def with_document_prior(self, prior: Callable[[str], float], flag_at: float, spun_cut: float | None = None) -> "ModelRestorer":
        """A restorer sharing this one's models that first asks `prior(text)` how likely the whole
        text is spun. Where that is over `flag_at`, it decides in `SPUN_PASSES` passes, each later
        one taking the previous one's likelier guesses as context (`SPUN_CONTEXT_CUT`), and edits
        at `spun_cut` if one is given (else at the default cut). With a neural stage, the stage then
        judges the last of those passes' rows (no `spun_cut`: it was measured for the site model
        alone). Its restorations carry the probability as the signal "spin_probability"."""
        if spun_cut is not None and not 0.0 < spun_cut <= 1.0:
            raise ValueError(f"the cut for spun documents is a probability in (0, 1], not {spun_cut}")
        if self.neural is not None and spun_cut is not None:
            raise ValueError("a cut for spun documents was measured for the n-gram site model only, not with a neural stage")
        other = self._copy()
        other.document_prior, other.flag_at, other.spun_cut = prior, flag_at, spun_cut
        return other

    def with_confirmed(self, confirmed: Any) -> "ModelRestorer":
        """A restorer sharing this one's models (and document prior) that, at its default cuts,
        also edits a choice of a pair `confirmed` (`confirmed.ConfirmedPairs`: pairs the batch's
        sample edited often) from `confirmed.cut` up."""
        other = self._copy()
        other.confirmed = confirmed
        return other

    def _copy(self) -> "ModelRestorer":
        """A restorer sharing this one's models, document prior and confirmed pairs."""
        other = ModelRestorer(self.builder, self.model, self.cut, self.passes, neural=self.neural)
        other.document_prior, other.flag_at, other.spun_cut = self.document_prior, self.flag_at, self.spun_cut
        other.confirmed = self.confirmed
        return other

    def restore(self, text: str, threshold: float | None = None) -> Restoration:
        """`threshold`: the probability cut (default: the model's, set on dev; or `spun_cut` in a
        document the prior flags; with a neural stage, the stage's cut)."""
        return self._restore_with_spin(text, threshold, self._spin_of(text))

    def _spin_of(self, text: str) -> float | None:
        return self.document_prior(text) if self.document_prior is not None else None

    def restore_given(self, text: str, spin_probability: float) -> Restoration:
        """`restore(text)` where the caller already has the document's spin probability (a thorough
        scan has its own): the prior is not asked again. A restorer without a document prior
        restores as `restore` does."""
        if self.document_prior is None:
            return self.restore(text)
        return self._restore_with_spin(text, None, spin_probability)

    def _restore_with_spin(self, text: str, threshold: float | None, spin: float | None) -> Restoration:
        if threshold is None:
            return self._pending_with_spin(text, spin).decided(self.confirmed)
        if self.neural is not None:
            return self._restore_neural_at(text, threshold, spin)
        doc, probs, chosen = self.final_rows(text, threshold, *self._passes_for(spin, threshold))
        return self._restoration(doc, chosen, _signals(spin))

    def restore_pending(self, text: str) -> "PendingRestoration":
        """`restore(text)` with its decision left open for the pairs a batch may confirm: every
        choice down to `CONFIRMED_CUT` (or this restorer's confirmed pairs' cut, if lower), which
        `PendingRestoration.decided` takes at the cuts without restoring again (`restore_many`
        restores each page once, counts its first pages' edits, then decides every page)."""
        return self._pending_with_spin(text, self._spin_of(text))

    def _pending_with_spin(self, text: str, spin: float | None) -> "PendingRestoration":
        """At the default cuts. With a neural stage: the n-gram passes at the site model's own cut,
        then the stage decides at its cut; a site the stage does not edit keeps the site model's
        own edit, so this path restores at least what the n-gram path does. In a document the
        prior flags, the n-gram passes are those of a flagged document (their likelier guesses as
        context, `SPUN_PASSES`), so the stage judges rows seen in a truer context."""
        floor = min(CONFIRMED_CUT, self.confirmed.cut) if self.confirmed is not None else CONFIRMED_CUT
        if self.neural is not None:
            doc, probs, fallback = self.staged_rows(text, spin)
            cut = self.neural.cut
            low = self._choose_neural(doc, probs, min(cut, floor))
        else:
            cut = self.spun_cut if self.spun_cut is not None and self._flagged(spin) else self.cut
            doc, probs, _ = self.final_rows(text, cut, *self._passes_for(spin, cut))
            low, fallback = self._choose(doc, probs, min(cut, floor)), []
        return PendingRestoration(doc.text, doc.word_count, self._signals_of(doc, spin), cut, min(cut, floor),
                                  tuple((_edit(doc.text, c), c.probability) for c in low),
                                  tuple(_edit(doc.text, c) for c in fallback))

    def _restore_neural_at(self, text: str, threshold: float, spin: float | None) -> Restoration:
        """The neural path at an explicit `threshold`, both decisions' cut."""
        doc, probs, _ = self.staged_rows(text, spin)
        chosen = self._choose(doc, probs, threshold)
        staged = self._choose_neural(doc, probs, threshold)
        return self._restoration(doc, _with_fallback(staged, chosen), _signals(spin))

    def staged_edits(self, text: str) -> tuple[tuple[Edit, ...], tuple[Edit, ...]]:
        """What the neural stage would edit at any cut, for choosing one (`bench learned-cut --lm`):
        its likeliest candidate at every site it rescored (the edit's confidence: the stage's
        probability), and the site model's own edits, which `restore` keeps where no stage edit
        overlaps them; the text seen as `restore` sees it (the prior asked)."""
        doc, probs, chosen = self.staged_rows(text, self._spin_of(text))
        return tuple(_edit(doc.text, c) for c in self._choose_neural(doc, probs, 0.0)), tuple(_edit(doc.text, c) for c in chosen)

    def staged_rows(self, text: str, spin: float | None) -> tuple[DocumentSites, list[float], list["_Choice"]]:
        """The rows a neural stage judges: `final_rows` at the site model's cut, with a flagged
        document's passes where `spin` is over `flag_at` (what `train-neural` fits the stage
        on)."""
        return self.final_rows(text, self.cut, *self._passes_for(spin, self.cut))

    def _flagged(self, spin: float | None) -> bool:
        return spin is not None and spin > self.flag_at

    def _passes_for(self, spin: float | None, cut: float) -> tuple[float | None, int | None]:
        """`final_rows`' (context cut, passes) for a document of spin probability `spin`: a flagged
        document's (`SPUN_CONTEXT_CUT`, `SPUN_PASSES`), else the restorer's own (None, None)."""
        if self._flagged(spin):
            return min(SPUN_CONTEXT_CUT, cut), max(self.passes, SPUN_PASSES)
        return None, None

    def final_rows(self, text: str, cut: float, context_cut: float | None = None,
                   passes: int | None = None) -> tuple[DocumentSites, list[float], list["_Choice"]]:
        """The last pass's sites, the site model's probability of every row (in row order) and its
        choices at `cut`: each of the `passes` (default: the restorer's) after the first puts the
        previous pass's choices at `context_cut` (default: `cut`, its edits) into context."""
        doc = self.builder.build(text)
        probs = self.model.probabilities([row for site in doc.sites for row in site.rows])
        for _ in range((self.passes if passes is None else passes) - 1):
            context = self._choose(doc, probs, cut if context_cut is None else context_cut)
            if not context:
                break
            applied = {(c.site.sentence, c.site.start): (c.site.end, c.site.candidates[c.index].original) for c in context}
            doc = self.builder.build(text, applied, previous=doc)
            probs = self.model.probabilities([row for site in doc.sites for row in site.rows])
        return doc, probs, self._choose(doc, probs, cut)

    def restore_many(self, texts: Sequence[str], threshold: float | None = None, share: bool = True) -> list[Restoration]:
        return [self.restore(t, threshold) for t in texts]

    def restore_phrase(self, phrase: str) -> str:
        """Best original for a phrase already known to be tortured: a forced choice with no
        context, which the phrase decoder and the noisy-channel decoder make better than the
        site model (`Restorer.restore_phrase`; PPS test half top-1 in BENCHMARKS.md)."""
        from .decode import DecodeConfig, Restorer

        if self._phrase_decoder is None:
            self._phrase_decoder = Restorer(self.lexicon, self.builder.lm, None, DecodeConfig.calibrated("ngram"), self.learned)
        return self._phrase_decoder.restore_phrase(phrase)

    def _choose(self, doc: DocumentSites, probs: Sequence[float], cut: float) -> list[_Choice]:
        per_site, k = [], 0
        for site in doc.sites:
            per_site.append((site, list(probs[k : k + len(site.rows)])))
            k += len(site.rows)
        return _best_over(per_site, cut)

    def _choose_neural(self, doc: DocumentSites, probs: Sequence[float], cut: float) -> list[_Choice]:
        """The neural stage's choices: per site, its likeliest rescored candidate at `cut` or over."""
        picked, staged = self.neural.probabilities(doc, probs)
        per_site: dict[int, list[float]] = {}
        for (s, i), p in zip(picked.keys, staged):
            per_site.setdefault(s, [0.0] * len(doc.sites[s].candidates))[i] = p
        return _best_over([(doc.sites[s], p) for s, p in per_site.items()], cut)

    def _restoration(self, doc: DocumentSites, chosen: list[_Choice], signals: dict[str, float]) -> Restoration:
        edits = tuple(_edit(doc.text, c) for c in chosen)
        return _restored(doc.text, edits, doc.word_count, self._signals_of(doc, None) | signals)

    @staticmethod
    def _signals_of(doc: DocumentSites, spin: float | None) -> dict[str, float]:
        near = sum(1 for site in doc.sites if site.gains and max(site.gains) > 0)
        return {"sites": float(len(doc.sites)), "near_sites": float(near), **_signals(spin)}


@dataclass(frozen=True)
class PendingRestoration:
    """A restoration whose choices under its cut wait on the pairs a batch confirms
    (`ModelRestorer.restore_pending`): each choice down to `floor` with its probability, and on
    the neural path the site model's own edits, kept where no chosen stage edit overlaps them."""

    text: str
    words: int
    signals: dict[str, float]
    cut: float
    floor: float
    choices: tuple[tuple[Edit, float], ...]
    fallback: tuple[Edit, ...] = ()

    def decided(self, confirmed: Any = None) -> Restoration:
        """The choices at `cut`, and with `confirmed` (`confirmed.ConfirmedPairs`) those of a pair
        it confirms from its own cut up: what `restore` gives with those pairs."""
        if confirmed is not None and confirmed.cut < self.floor:
            raise ValueError(f"choices were kept down to {self.floor}, not to the confirmed cut {confirmed.cut}")
        kept = [e for e, p in self.choices if p >= self.cut
                or (confirmed is not None and p >= confirmed.cut and confirmed.confirms(e.observed, e.suggestion))]
        spans = [(e.span.start, e.span.end) for e in kept]
        kept += [e for e in self.fallback if not any(a < e.span.end and e.span.start < b for a, b in spans)]
        return _restored(self.text, tuple(sorted(kept, key=lambda e: e.span.start)), self.words, dict(self.signals))


def _restored(text: str, edits: tuple[Edit, ...], words: int, signals: dict[str, float]) -> Restoration:
    restored = apply_replacements(text, [(e.span.start, e.span.end, e.suggestion) for e in edits])
    return Restoration(text, restored, edits, words, signals)


def _signals(spin: float | None) -> dict[str, float]:
    return {} if spin is None else {"spin_probability": round(spin, 6)}


def _best_over(per_site: list[tuple[CandidateSite, list[float]]], cut: float) -> list[_Choice]:
    """Each site's likeliest candidate where its probability reaches `cut`; overlapping choices
    keep the likelier one; in text order."""
    choices = []
    for site, p in per_site:
        best = max(range(len(p)), key=p.__getitem__)
        if p[best] >= cut:
            choices.append(_Choice(site, best, p[best], p))
    kept: list[_Choice] = []
    for c in sorted(choices, key=lambda c: -c.probability):
        if not any(o.site.sentence == c.site.sentence and o.site.start < c.site.end and c.site.start < o.site.end for o in kept):
            kept.append(c)
    return sorted(kept, key=lambda c: c.site.char_start)


def _with_fallback(first: list[_Choice], fallback: list[_Choice]) -> list[_Choice]:
    """`first`'s choices, and `fallback`'s where none of them overlaps; in text order."""
    taken = [(c.site.sentence, c.site.start, c.site.end) for c in first]
    extra = [c for c in fallback if not any(s == c.site.sentence and a < c.site.end and c.site.start < b for s, a, b in taken)]
    return sorted(first + extra, key=lambda c: c.site.char_start)


def _edit(text: str, choice: _Choice) -> Edit:
    site = choice.site
    observed = text[site.char_start : site.char_end]
    cand = site.candidates[choice.index]
    others = sorted((i for i in range(len(site.candidates)) if i != choice.index), key=lambda i: -choice.probabilities[i])[:4]
    alternatives = tuple(Alternative(match_case(observed, site.candidates[i].original), round(choice.probabilities[i], 4)) for i in others)
    keep = max(0.0, 1.0 - choice.probability - sum(a.score for a in alternatives))
    return Edit(
        span=Span(site.char_start, site.char_end),
        observed=observed,
        suggestion=match_case(observed, cand.original),
        confidence=round(choice.probability, 4),
        alternatives=alternatives + (Alternative(observed, round(keep, 4)),),
        evidence=Evidence(sources=cand.sources, lm_gain=round(site.gains[choice.index], 3), channel=round(math.log(cand.weight), 3)),
    )


def load_model_restorer(learned: str | None = None) -> ModelRestorer:
    from ..engine import resources

    return model_restorer_with(resources.learned(learned) if learned else None)


def model_restorer_with(learned: Any = None) -> ModelRestorer:
    """A site-model restorer over the shared engine resources and a learned lexicon object (or
    none): the one a batch builds after deciphering its own spinner, uncached."""
    from ..engine import resources

    builder = CandidateBuilder(resources.lexicon(), resources.ngram(), resources.web_pairs(), learned,
                               analyser=resources.site_analyser())
    return ModelRestorer(builder, _candidate_model(learned is not None and LEARNED_MODEL_PATH.exists()))


@lru_cache(maxsize=2)
def _candidate_model(with_learned: bool) -> CandidateModel:
    return CandidateModel.load(LEARNED_MODEL_PATH, LEARNED_RECORD_PATH) if with_learned else CandidateModel.load()


def neural_stage_paths(learned: bool = False) -> tuple[Path, Path]:
    """(model, record) of the neural stage, or of the one fitted for a learned lexicon."""
    return (NEURAL_LEARNED_MODEL_PATH, NEURAL_LEARNED_RECORD_PATH) if learned else (NEURAL_MODEL_PATH, NEURAL_RECORD_PATH)


@lru_cache(maxsize=2)
def neural_stage_record(learned: bool = False) -> dict[str, Any] | None:
    """The shipped neural stage's record (its LM, floor, windows), or None when there is none;
    `learned`: the stage fitted for a learned lexicon's."""
    model_path, record_path = neural_stage_paths(learned)
    try:
        return json.loads(record_path.read_text(encoding="utf-8")) if model_path.exists() else None
    except (OSError, ValueError) as exc:
        raise ArtifactError(f"cannot read the neural stage's record: {exc}", source=str(record_path)) from exc


def load_neural_restorer(lm: Any, learned: str | None = None) -> ModelRestorer:
    """The n-gram site model (with a `learned` lexicon file: the learned site model) with the
    shipped neural stage over `lm` (a loaded neural model of the kind the stage was trained with)."""
    base = load_model_restorer(learned)
    return ModelRestorer(base.builder, base.model, passes=base.passes, neural=load_neural_stage(lm, learned is not None))


def with_neural_stage(restorer: ModelRestorer, lm: Any) -> ModelRestorer:
    """A site-model `restorer` (no document prior yet) with the shipped neural stage over `lm` (a
    loaded neural model): the stage fitted for a learned lexicon where `restorer` has one."""
    stage = load_neural_stage(lm, with_learned=restorer.learned is not None)
    return ModelRestorer(restorer.builder, restorer.model, restorer.cut, restorer.passes, neural=stage)


def load_neural_stage(lm: Any, with_learned: bool = False) -> Any:
    """The shipped neural stage (`neural_stage.NeuralStage`) over `lm`; `with_learned`: for a site
    model restoring with a learned lexicon, the stage fitted for that where one is shipped (else
    the other), at the cut `bench learned-cut --lm` checked for it."""
    from .neural_stage import NEURAL_FEATURES, NeuralStage

    learned_stage = with_learned and neural_stage_record(True) is not None
    record = neural_stage_record(learned_stage)
    if record is None:
        raise ArtifactError("no neural stage is shipped: run unspin bench train-neural", source=str(NEURAL_MODEL_PATH))
    stage = record["stage"]
    model = CandidateModel.load(*neural_stage_paths(learned_stage), NEURAL_FEATURES)
    learned_cut = (record.get("learned_crawl_check") or {}).get("cut")
    if with_learned and learned_cut is not None:
        model = replace(model, cut=max(model.cut, float(learned_cut)))
    return NeuralStage(lm, model, stage["floor"], stage["per_site"], tuple(stage["window_tokens"]))
