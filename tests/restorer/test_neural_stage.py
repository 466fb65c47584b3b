"""The neural stage on a fake LM, a tiny lexicon and scripted models: which rows are rescored,
their windows and features, and the decision."""

from types import SimpleNamespace

import pytest

from unspin.restorer.candidates import CANDIDATE_FEATURES
from unspin.restorer.neural_stage import NEURAL_FEATURES, NeuralStage, rescored, stage_rows
from unspin.restorer.site_model import SPUN_PASSES, ModelRestorer
from fakes import ContextSpy, Unsure

GAIN = CANDIDATE_FEATURES.index("lm_gain")
NEURAL_GAIN = NEURAL_FEATURES.index("neural_gain")
TEXT = "The corporate stated sales fell."


class RowModel:
    """The n-gram site model's stand-in: 0.5 for a row with a positive LM gain, else 0.01; its cut
    (0.9) edits nothing alone."""

    cut = 0.9

    def probabilities(self, rows):
        return [0.5 if row[GAIN] > 0 else 0.01 for row in rows]


class StageModel:
    """The stage's stand-in: 0.9 where the neural gain is positive, else 0.2."""

    cut = 0.5

    def probabilities(self, rows):
        return [0.9 if row[NEURAL_GAIN] > 0 else 0.2 for row in rows]


class NeuralLM:
    """Prefers any window that says "company"; counts its batched calls."""

    def __init__(self):
        self.calls = []

    def score_texts(self, texts):
        self.calls.append(list(texts))
        return [5.0 if "company" in t.lower() else 0.0 for t in texts]


def _rows(builder, text):
    doc = builder.build(text)
    return doc, RowModel().probabilities([row for site in doc.sites for row in site.rows])


def test_rows_over_the_floor_are_rescored_in_windows_of_the_text(builder):
    doc, probs = _rows(builder, TEXT)
    picked = rescored(doc, probs, floor=0.1, per_site=2, window=(1, 1))
    pairs = {(doc.sites[s].observed, doc.sites[s].candidates[i].original) for s, i in picked.keys}
    assert ("corporate", "company") in pairs
    for (s, i), b, o in zip(picked.keys, picked.base, picked.own):
        site = doc.sites[s]
        assert site.observed in picked.texts[b].lower()
        assert site.candidates[i].original in picked.texts[o].lower()
    corporate = picked.keys.index(next(k for k in picked.keys if doc.sites[k[0]].observed == "corporate"))
    assert picked.texts[picked.base[corporate]] == "The corporate stated"  # one token either side
    assert picked.texts[picked.own[corporate]] == "The company stated"
    assert rescored(doc, probs, floor=0.6).keys == ()  # nothing reaches a higher floor


def test_a_candidate_takes_the_observed_capitals_in_its_window(builder):
    doc = builder.build("Corporate stated sales fell.")
    probs = [0.5] * sum(len(site.rows) for site in doc.sites)
    picked = rescored(doc, probs, floor=0.1, window=(2, 1))
    assert "Company stated" in picked.texts


def test_at_most_per_site_rows_the_likeliest_first(builder):
    doc = builder.build(TEXT)
    rows = [row for site in doc.sites for row in site.rows]
    probs = [1.0 - 0.01 * k for k in range(len(rows))]  # earlier rows likelier
    picked = rescored(doc, probs, floor=0.0, per_site=1)
    assert len(picked.keys) == len(doc.sites) and all(i == 0 for _, i in picked.keys)


def test_stage_rows_pool_the_neural_gain_over_every_occurrence(builder):
    doc, probs = _rows(builder, "The corporate stated sales fell. Profits of the corporate rose.")
    picked = rescored(doc, probs, floor=0.1, per_site=2)
    gains = [float(k) for k in range(len(picked.keys))]
    rows = stage_rows(doc, probs, picked, gains)
    assert len(rows) == len(picked.keys) and all(len(r) == len(NEURAL_FEATURES) for r in rows)
    at = [k for k, (s, _) in enumerate(picked.keys) if doc.sites[s].observed == "corporate"]
    assert len(at) == 2
    pooled = NEURAL_FEATURES.index("neural_pooled")
    assert rows[at[0]][pooled] == rows[at[1]][pooled] == pytest.approx((gains[at[0]] + gains[at[1]]) / 2)
    site_p = NEURAL_FEATURES.index("site_model_p")
    assert all(r[site_p] == 0.5 for r in rows)


def test_the_stage_edits_what_the_neural_lm_backs_in_one_batched_call(builder):
    lm = NeuralLM()
    alone = ModelRestorer(builder, RowModel())
    staged = ModelRestorer(builder, RowModel(), neural=NeuralStage(lm, StageModel(), floor=0.1, per_site=2, window=(2, 2)))
    assert alone.restore(TEXT).edits == ()  # the site model's cut is not reached
    result = staged.restore(TEXT)
    assert [(e.observed, e.suggestion) for e in result.edits] == [("corporate", "company")]
    assert result.edits[0].confidence == 0.9 and TEXT[result.edits[0].span.start : result.edits[0].span.end] == "corporate"
    assert len(lm.calls) == 1  # every window of the document in one call
    assert staged.restore(TEXT, threshold=0.95).edits == ()  # an explicit cut applies to the stage


def test_clean_text_reaches_the_neural_lm_only_where_the_site_model_doubts(builder):
    lm = NeuralLM()
    staged = ModelRestorer(builder, RowModel(), neural=NeuralStage(lm, StageModel()))
    assert staged.restore("The company said sales fell.").edits == ()


def test_a_cut_for_spun_documents_is_refused_with_a_neural_stage(builder):
    staged = ModelRestorer(builder, RowModel(), neural=NeuralStage(NeuralLM(), StageModel()))
    with pytest.raises(ValueError, match="n-gram site model only"):
        staged.with_document_prior(lambda text: 1.0, flag_at=0.5, spun_cut=0.5)


@pytest.mark.parametrize(("spin", "builds"), [(0.99, SPUN_PASSES), (0.1, 1)])
def test_a_flagged_document_reaches_the_stage_after_the_flagged_passes(builder, spin, builds):
    spy = ContextSpy(builder)
    stage = NeuralStage(NeuralLM(), StageModel())
    restorer = ModelRestorer(spy, Unsure(), neural=stage).with_document_prior(lambda text: spin, flag_at=0.5)
    assert restorer.neural is stage
    result = restorer.restore(TEXT)
    assert len(spy.contexts) == builds  # the unsure guesses become context only when flagged
    assert result.signals["spin_probability"] == spin
    assert ("corporate", "company") in [(e.observed, e.suggestion) for e in result.edits]  # the stage still decides


def test_a_neural_restorer_handed_a_spin_probability_does_not_ask_its_prior(builder):
    asked = []
    spy = ContextSpy(builder)
    restorer = ModelRestorer(spy, Unsure(), neural=NeuralStage(NeuralLM(), StageModel())).with_document_prior(
        lambda text: asked.append(text) or 0.0, flag_at=0.5)
    result = restorer.restore_given(TEXT, 0.99)
    assert asked == [] and len(spy.contexts) == SPUN_PASSES and result.signals["spin_probability"] == 0.99


class SuffixLM(NeuralLM):
    """An LM that scores what follows a shared context (as `NeuralModel.score_suffixes`)."""

    def score_suffixes(self, texts, starts):
        self.calls.append([(t[:s], t[s:]) for t, s in zip(texts, starts)])
        return [5.0 if "company" in t[s:].lower() else 0.0 for t, s in zip(texts, starts)]


def test_a_sites_windows_share_the_context_before_the_site(builder):
    doc, probs = _rows(builder, TEXT)
    picked = rescored(doc, probs, floor=0.1, per_site=2, window=(1, 1))
    assert len(picked.starts) == len(picked.texts)
    for (s, i), b, o in zip(picked.keys, picked.base, picked.own):
        base, own = picked.texts[b], picked.texts[o]
        assert base[: picked.starts[b]] == own[: picked.starts[o]]  # the same context
        assert base[picked.starts[b] :].strip().lower().startswith(doc.sites[s].observed)
        assert own[picked.starts[o] :].strip().lower().startswith(doc.sites[s].candidates[i].original)


def test_an_lm_that_scores_suffixes_gives_the_same_edits_in_one_call(builder):
    lm = SuffixLM()
    staged = ModelRestorer(builder, RowModel(), neural=NeuralStage(lm, StageModel(), floor=0.1, per_site=2, window=(2, 2)))
    result = staged.restore(TEXT)
    assert [(e.observed, e.suggestion) for e in result.edits] == [("corporate", "company")]
    assert len(lm.calls) == 1 and ("The", " company stated sales") in lm.calls[0]


def test_whole_windows_on_request_give_the_same_edits(builder):
    lm = SuffixLM()
    stage = NeuralStage(lm, StageModel(), floor=0.1, per_site=2, window=(2, 2))
    stage.shared_context = False  # `bench restore --full-windows`: the speed comparison's other side
    result = ModelRestorer(builder, RowModel(), neural=stage).restore(TEXT)
    assert [(e.observed, e.suggestion) for e in result.edits] == [("corporate", "company")]
    assert all(isinstance(t, str) for t in lm.calls[0])  # whole windows, through score_texts


class EagerRowModel(RowModel):
    cut = 0.4  # the site model alone edits every row with a positive LM gain


class SilentStageModel(StageModel):
    def probabilities(self, rows):
        return [0.2 for _ in rows]


def test_a_site_the_stage_leaves_keeps_the_site_models_own_edit(builder):
    alone = ModelRestorer(builder, EagerRowModel()).restore(TEXT)
    staged = ModelRestorer(builder, EagerRowModel(), neural=NeuralStage(NeuralLM(), SilentStageModel())).restore(TEXT)
    assert alone.edits and [(e.observed, e.suggestion) for e in staged.edits] == [(e.observed, e.suggestion) for e in alone.edits]


@pytest.mark.parametrize(("spin", "builds"), [(0.99, SPUN_PASSES), (0.1, 1)])
def test_the_stage_is_trained_on_the_rows_restore_gives_it(builder, spin, builds):
    """train-neural builds each document's rows as `restore --lm smollm2` does: scan asked first,
    a flagged document's passes where it flags."""
    from unspin.bench import train_neural

    spy = ContextSpy(builder)
    restorer = ModelRestorer(spy, Unsure()).with_document_prior(lambda text: spin, flag_at=0.5)
    train_neural._PLAN.update(plan=[(None, TEXT)], restorer=restorer)
    try:
        doc = train_neural._ngram_one(0)
    finally:
        train_neural._PLAN.clear()
    assert len(spy.contexts) == builds and doc["family"] == "clean" and len(doc["labels"]) == len(doc["picked"].keys)


@pytest.mark.parametrize("cut", [0.5, 0.95])
def test_staged_edits_give_what_restore_edits_at_any_stage_cut(builder, cut):
    """`bench learned-cut --lm` reads restore's edits at every cut off one pass: the stage's choices
    at their probabilities, and the site model's own edits where no stage edit at the cut overlaps."""
    stage_model = StageModel()
    staged = ModelRestorer(builder, EagerRowModel(), neural=NeuralStage(NeuralLM(), stage_model, floor=0.1, per_site=2, window=(2, 2)))
    stage, fallback = staged.staged_edits(TEXT)
    assert stage and fallback
    kept = [e for e in stage if e.confidence >= cut]
    expected = kept + [f for f in fallback if not any(k.span.start < f.span.end and f.span.start < k.span.end for k in kept)]
    stage_model.cut = cut
    got = staged.restore(TEXT).edits
    assert sorted((e.span.start, e.suggestion) for e in got) == sorted((e.span.start, e.suggestion) for e in expected)


@pytest.mark.parametrize(("learned", "cut"), [(None, 0.5), ("spinner.tsv", 0.97)])
def test_the_stage_edits_at_its_crawl_checked_cut_when_a_learned_lexicon_is_given(monkeypatch, learned, cut):
    from unspin.restorer import site_model

    record = {"stage": {"floor": 0.1, "per_site": 2, "window_tokens": [6, 3]}, "learned_crawl_check": {"cut": 0.97}}
    monkeypatch.setattr(site_model, "neural_stage_record", lambda learned=False: None if learned else record)
    monkeypatch.setattr(site_model.CandidateModel, "load", classmethod(lambda cls, *a, **k: cls(None, (0.0,), (0.0,), 0.5)))
    builder = SimpleNamespace(learned=None, lexicon=None)
    monkeypatch.setattr(site_model, "load_model_restorer", lambda learned=None: ModelRestorer(builder, RowModel()))
    assert site_model.load_neural_restorer(NeuralLM(), learned).neural.cut == cut


@pytest.mark.parametrize(("learned", "cut"), [(None, 0.5), ("spinner.tsv", 0.8)])
def test_a_learned_lexicon_takes_the_stage_fitted_for_it_where_one_is_shipped(monkeypatch, learned, cut):
    """`train-neural --learned` writes a second stage; restore takes it, at its own cut, only with a learned lexicon."""
    from unspin.restorer import site_model

    records = {False: {"stage": {"floor": 0.1, "per_site": 2, "window_tokens": [6, 3]}},
               True: {"stage": {"floor": 0.2, "per_site": 2, "window_tokens": [6, 3]}, "trained_with_learned": True}}
    monkeypatch.setattr(site_model, "neural_stage_record", lambda learned=False: records[learned])
    monkeypatch.setattr(site_model.CandidateModel, "load", classmethod(
        lambda cls, model_path, *a, **k: cls(None, (0.0,), (0.0,), 0.8 if model_path == site_model.NEURAL_LEARNED_MODEL_PATH else 0.5)))
    builder = SimpleNamespace(learned=None, lexicon=None)
    monkeypatch.setattr(site_model, "load_model_restorer", lambda learned=None: ModelRestorer(builder, RowModel()))
    stage = site_model.load_neural_restorer(NeuralLM(), learned).neural
    assert (stage.cut, stage.floor) == ((0.8, 0.2) if learned else (0.5, 0.1))


def test_stage_rows_carry_the_site_models_learned_features(builder):
    from unspin.lexicon.learned import LearnedLexicon
    from unspin.restorer.candidates import CandidateBuilder
    from unspin.restorer.neural_stage import CARRIED, LEARNED_CARRIED

    learned = LearnedLexicon()
    learned.add("corporate", "company", 30, 0.8, 40)
    doc = CandidateBuilder(builder.lexicon, builder.lm, learned=learned).build(TEXT)
    probs = [0.5] * sum(len(site.rows) for site in doc.sites)
    picked = rescored(doc, probs, floor=0.1, per_site=2, window=(2, 2))
    rows = stage_rows(doc, probs, picked, [0.0] * len(picked.keys))
    for (s, i), row in zip(picked.keys, rows):
        for name in (*CARRIED, *LEARNED_CARRIED):
            assert row[NEURAL_FEATURES.index(name)] == pytest.approx(doc.sites[s].rows[i][CANDIDATE_FEATURES.index(name)])
    company = next(k for k, (s, i) in enumerate(picked.keys) if doc.sites[s].candidates[i].original == "company")
    assert rows[company][NEURAL_FEATURES.index("learned_confidence")] == pytest.approx(0.8)


@pytest.mark.parametrize("learned", [None, "a learned lexicon"])
def test_a_site_model_restorer_takes_the_stage_for_its_own_lexicon(monkeypatch, learned):
    """`with_neural_stage` (a batch restored with the dictionary it gives away): the stage fitted
    for a learned lexicon where the restorer has one; the site model, its cut and passes kept."""
    from unspin.restorer import site_model

    records = {False: {"stage": {"floor": 0.1, "per_site": 2, "window_tokens": [6, 3]}},
               True: {"stage": {"floor": 0.2, "per_site": 2, "window_tokens": [6, 3]}}}
    monkeypatch.setattr(site_model, "neural_stage_record", lambda learned=False: records[learned])
    monkeypatch.setattr(site_model.CandidateModel, "load", classmethod(lambda cls, *a, **k: cls(None, (0.0,), (0.0,), 0.5)))
    plain = ModelRestorer(SimpleNamespace(learned=learned, lexicon=None), RowModel(), cut=0.7, passes=3)
    staged = site_model.with_neural_stage(plain, NeuralLM())
    assert staged.neural.floor == (0.2 if learned else 0.1)
    assert (staged.builder, staged.model, staged.cut, staged.passes) == (plain.builder, plain.model, 0.7, 3)


def test_a_pair_the_batch_confirms_is_edited_under_the_stages_cut(builder):
    from unspin.restorer.confirmed import ConfirmedPairs

    stage_model = StageModel()
    stage_model.cut = 0.95  # the stage's 0.9 for "company" is under it
    staged = ModelRestorer(builder, RowModel(), neural=NeuralStage(NeuralLM(), stage_model, floor=0.1, per_site=2, window=(2, 2)))
    assert staged.restore(TEXT).edits == ()
    confirmed = staged.with_confirmed(ConfirmedPairs({("corporate", "company"): 3}, min_count=3, cut=0.8))
    assert [(e.observed, e.suggestion) for e in confirmed.restore(TEXT).edits] == [("corporate", "company")]
    unconfirmed = staged.with_confirmed(ConfirmedPairs({("stated", "said"): 3}, min_count=3, cut=0.8))
    assert unconfirmed.restore(TEXT).edits == ()
