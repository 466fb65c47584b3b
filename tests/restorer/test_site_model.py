"""The learned decision on a fake LM, a tiny lexicon and a scripted model: rows, cuts, overlaps."""

import math

import pytest

from unspin.restorer.candidates import CANDIDATE_FEATURES, CandidateBuilder
from unspin.restorer.site_model import SPUN_CONTEXT_CUT, SPUN_PASSES, ModelRestorer
from fakes import ContextSpy, Unsure

GAIN = CANDIDATE_FEATURES.index("lm_gain")
ABSENT = CANDIDATE_FEATURES.index("candidate_absent")
POOLED = CANDIDATE_FEATURES.index("pooled_gain")


class GainModel:
    """Probability 0.9 when the candidate's LM gain is positive, else 0.1 (stands in for LightGBM)."""

    cut = 0.5

    def probabilities(self, rows):
        return [0.9 if row[GAIN] > 0 else 0.1 for row in rows]


def test_every_candidate_gets_one_row_of_every_feature(builder):
    doc = builder.build("The corporate stated sales fell.")
    by_observed = {s.observed: s for s in doc.sites}
    site = by_observed["corporate"]
    assert [c.original for c in site.candidates] == ["company"]
    assert len(site.rows) == 1 and len(site.rows[0]) == len(CANDIDATE_FEATURES)
    assert site.rows[0][GAIN] > 0 and site.rows[0][ABSENT] == 1  # "company" occurs nowhere in the text
    assert (site.char_start, site.char_end) == (4, 13)


def test_evidence_is_pooled_over_every_occurrence_of_the_observed_form(builder):
    doc = builder.build("The corporate said sales fell. Profits of the corporate rose.")
    rows = [s.rows[0] for s in doc.sites if s.observed == "corporate"]
    assert len(rows) == 2 and rows[0][POOLED] == rows[1][POOLED] == pytest.approx((rows[0][GAIN] + rows[1][GAIN]) / 2)


def test_the_restorer_edits_sites_over_the_cut_with_offsets_and_alternatives(builder):
    restorer = ModelRestorer(builder, GainModel())
    text = "The corporate stated sales fell."
    result = restorer.restore(text)
    assert result.restored == "The company said sales fell."
    for edit in result.edits:
        assert text[edit.span.start : edit.span.end] == edit.observed
        assert edit.confidence == 0.9 and edit.alternatives[-1].text == edit.observed
    assert restorer.restore(text, threshold=0.95).edits == ()  # nothing reaches a higher cut


def test_clean_text_is_left_alone(builder):
    assert ModelRestorer(builder, GainModel()).restore("The company said sales fell.").edits == ()


class Prior:
    """A document prior that says `p` for every text and counts its calls."""

    def __init__(self, p):
        self.p, self.calls = p, 0

    def __call__(self, text):
        self.calls += 1
        return self.p


def test_a_flagged_document_is_edited_at_the_spun_cut_and_others_at_the_default(builder):
    text = "The corporate stated sales fell."
    strict = ModelRestorer(builder, GainModel(), cut=0.95)  # the default cut edits nothing here
    assert strict.restore(text).edits == ()
    flagged = strict.with_document_prior(Prior(0.99), flag_at=0.9, spun_cut=0.5)
    result = flagged.restore(text)
    assert result.restored == "The company said sales fell." and result.signals["spin_probability"] == 0.99
    unflagged = strict.with_document_prior(Prior(0.9), flag_at=0.9, spun_cut=0.5)  # not over the flag
    assert unflagged.restore(text).edits == () and unflagged.restore(text).signals["spin_probability"] == 0.9
    assert flagged.restore(text, threshold=0.95).edits == ()  # an explicit threshold wins
    assert strict.document_prior is None  # the original engine is unchanged


def test_a_given_spin_probability_stands_in_for_the_prior(builder):
    text = "The corporate stated sales fell."
    prior = Prior(0.1)  # would not flag
    restorer = ModelRestorer(builder, GainModel(), cut=0.95).with_document_prior(prior, flag_at=0.9, spun_cut=0.5)
    given = restorer.restore_given(text, 0.99)  # a thorough scan's own probability flags it
    assert given.restored == "The company said sales fell." and given.signals["spin_probability"] == 0.99
    assert prior.calls == 0  # the prior is not asked again
    assert restorer.restore_given(text, 0.5).edits == () and prior.calls == 0
    bare = ModelRestorer(builder, GainModel(), cut=0.95)  # no prior: restores as restore() does
    assert bare.restore_given(text, 0.99) == bare.restore(text)


@pytest.mark.parametrize(("spin", "contexts"), [
    (0.99, [None, {"company", "said"}, {"company", "said"}]),  # flagged: the unsure guesses are the later passes' context
    (0.5, [None]),  # not flagged: nothing reaches the cut, so no second pass
])
def test_a_flagged_documents_later_passes_take_the_likelier_guesses_as_context(builder, spin, contexts):
    spy = ContextSpy(builder)
    restorer = ModelRestorer(spy, Unsure()).with_document_prior(Prior(spin), flag_at=0.9, spun_cut=0.5)
    assert restorer.restore("The corporate stated sales fell.").edits == ()  # edits still need the cut
    seen = [None if applied is None else {original for _, original in applied.values()} for applied in spy.contexts]
    assert seen == contexts
    assert SPUN_CONTEXT_CUT < Unsure.cut and len(contexts) in (1, SPUN_PASSES)


def test_a_spun_cut_outside_the_probabilities_is_refused(builder):
    with pytest.raises(ValueError, match="probability"):
        ModelRestorer(builder, GainModel()).with_document_prior(Prior(1.0), flag_at=0.5, spun_cut=0.0)


LEARNED_CONF = CANDIDATE_FEATURES.index("learned_confidence")
LEARNED_SHARE = CANDIDATE_FEATURES.index("learned_share")
LEARNED_COUNT = CANDIDATE_FEATURES.index("learned_log_count")
LEARNED_SITE = CANDIDATE_FEATURES.index("learned_site")


def _learned_builder(builder, rows):
    from unspin.lexicon.learned import LearnedLexicon

    learned = LearnedLexicon()
    for observed, original, count, confidence, seen in rows:
        learned.add(observed, original, count, confidence, seen)
    return CandidateBuilder(builder.lexicon, builder.lm, learned=learned)


def test_a_deciphered_pair_brings_its_confidence_share_and_count_to_its_rows(builder):
    learned = _learned_builder(builder, [("corporate", "firm", 30, 0.8, 40)])
    site = next(s for s in learned.build("The corporate stated sales fell.").sites if s.observed == "corporate")
    rows = {c.original: r for c, r in zip(site.candidates, site.rows)}
    assert rows["firm"][LEARNED_CONF] == pytest.approx(0.8) and rows["firm"][LEARNED_SHARE] == pytest.approx(0.75)
    assert rows["firm"][LEARNED_COUNT] == pytest.approx(math.log1p(30))
    # the other candidate of the same site: not learned, but the site's observed form is a learned output
    assert rows["company"][LEARNED_CONF] == 0 and rows["company"][LEARNED_SITE] == pytest.approx(0.8)
    # without a learned lexicon every learned feature is 0
    plain = next(s for s in builder.build("The corporate stated sales fell.").sites if s.observed == "corporate")
    assert all(r[k] == 0 for r in plain.rows for k in (LEARNED_CONF, LEARNED_SHARE, LEARNED_COUNT, LEARNED_SITE))


def test_a_learned_original_is_always_shortlisted(builder):
    # a shortlist of one: the n-gram model prefers "company", yet the learned "firm" gets its row too
    learned = _learned_builder(builder, [("corporate", "firm", 5, 0.9, 5)])
    learned.shortlist = 1
    site = next(s for s in learned.build("The corporate stated sales fell.").sites if s.observed == "corporate")
    assert "firm" in [c.original for c in site.candidates]


def test_restoring_with_a_learned_lexicon_takes_the_cut_chosen_for_it(builder):
    class TwoCuts(GainModel):
        cut_learned = 0.3

    learned = _learned_builder(builder, [("corporate", "firm", 5, 0.9, 5)])
    assert ModelRestorer(learned, TwoCuts()).cut == 0.3
    assert ModelRestorer(builder, TwoCuts()).cut == 0.5  # without one: the default cut
    assert ModelRestorer(learned, GainModel()).cut == 0.5  # a model with one cut uses it for both


def test_a_model_trained_on_fewer_features_reads_only_its_columns():
    from unspin.restorer.site_model import CandidateModel

    class Booster:
        def predict(self, x, num_threads=1):
            assert x.shape[1] == 2
            return x[:, 0] + x[:, 1]

    model = CandidateModel(Booster(), (0.0, 10.0), (0.0, 1.0), 0.5, columns=(2, 0))
    assert model.probabilities([[1.0, 5.0, 3.0]]) == [0.4]  # columns 2 and 0: 3 + 1, on knots 0..10 -> 0..1


def test_a_cross_fitted_model_averages_its_members(tmp_path, monkeypatch):
    import json

    from unspin.errors import ArtifactError
    from unspin.restorer.site_model import CandidateModel

    class Scaled:
        def __init__(self, text):
            self.scale = float(text)

        def predict(self, x, num_threads=1):
            return x[:, 0] * self.scale

    monkeypatch.setattr("unspin.model.trees.load_tree_model", Scaled)
    (tmp_path / "m.txt").write_text("1.0")
    (tmp_path / "m.fold2.txt").write_text("3.0")
    record = {"features": list(CANDIDATE_FEATURES), "calibration": {"x": [0.0, 10.0], "y": [0.0, 1.0]},
              "metrics_held_out_half": {"cut": 0.5}}
    (tmp_path / "m.json").write_text(json.dumps(record))
    single = CandidateModel.load(tmp_path / "m.txt", tmp_path / "m.json")
    (tmp_path / "m.json").write_text(json.dumps({**record, "members": ["m.txt", "m.fold2.txt"]}))
    both = CandidateModel.load(tmp_path / "m.txt", tmp_path / "m.json")
    row = [1.0] * len(CANDIDATE_FEATURES)
    assert single.probabilities([row]) == [pytest.approx(0.1)]
    assert both.probabilities([row]) == [pytest.approx(0.2)]  # (1 + 3) / 2, on knots 0..10 -> 0..1
    (tmp_path / "m.fold2.txt").unlink()
    with pytest.raises(ArtifactError) as missing:
        CandidateModel.load(tmp_path / "m.txt", tmp_path / "m.json")
    assert missing.value.source == str(tmp_path / "m.fold2.txt")  # the member that is missing, by name


def test_a_builder_sharing_the_screeners_analyser_reuses_its_view_of_the_text(builder, monkeypatch):
    from unspin.engine.features import SiteAnalyser

    shared = SiteAnalyser(builder.lexicon, builder.lm, None)
    sharing = CandidateBuilder(builder.lexicon, builder.lm, analyser=shared)
    screened = {s.char_span: s.features for s in shared.sites("The corporate stated sales fell.")[0]}
    monkeypatch.setattr(shared, "_sentence_sites", lambda *a: pytest.fail("the text was analysed twice"))
    doc = sharing.build("The corporate stated sales fell.")
    assert doc.screened == screened and sharing.analyser is shared


class SureOf:
    """Probability `p` when the candidate's LM gain is positive, else 0.1."""

    cut = 0.95

    def __init__(self, p):
        self.p = p

    def probabilities(self, rows):
        return [self.p if row[GAIN] > 0 else 0.1 for row in rows]


def test_a_pair_the_batch_confirms_is_edited_from_the_lower_cut_and_no_other(builder):
    from unspin.restorer.confirmed import ConfirmedPairs

    text = "The corporate stated sales fell."
    strict = ModelRestorer(builder, SureOf(0.85)).with_document_prior(Prior(0.1), flag_at=0.9)
    assert strict.restore(text).edits == ()  # 0.85 is under the cut 0.95
    confirmed = strict.with_confirmed(ConfirmedPairs({("corporate", "company"): 3, ("stated", "said"): 2}, min_count=3, cut=0.8))
    result = confirmed.restore(text)
    assert [(e.observed, e.suggestion) for e in result.edits] == [("corporate", "company")]
    assert result.signals["spin_probability"] == 0.1  # the document prior is kept
    assert confirmed.restore(text, threshold=0.95).edits == ()  # an explicit threshold stays exact
    lower = strict.with_confirmed(ConfirmedPairs({("corporate", "company"): 3}, min_count=3, cut=0.9))
    assert lower.restore(text).edits == ()  # 0.85 is under the confirmed cut too
    looser = strict.with_confirmed(ConfirmedPairs({("corporate", "company"): 3}, min_count=3, cut=0.5))
    assert [e.observed for e in looser.restore(text).edits] == ["corporate"]  # a cut under the default one is kept to
    assert strict.confirmed is None


def test_a_batch_restored_once_and_decided_gives_what_restoring_with_its_confirmed_pairs_gives(builder):
    from unspin.restorer.confirmed import CONFIRM_DOCS, confirmed_in, restore_confirmed

    restorer = ModelRestorer(builder, SureOf(0.85)).with_document_prior(Prior(0.1), flag_at=0.9)
    texts = ["The corporate stated sales fell."] * 3 + ["Sales of the corporate rose."] * (CONFIRM_DOCS + 2)
    sure = ModelRestorer(builder, SureOf(0.97)).with_document_prior(Prior(0.1), flag_at=0.9)
    mixed = [sure if i < 3 else restorer for i in range(len(texts))]

    class Batch:  # the first texts sure of their edits, the rest not: only a confirmed pair edits those
        calls = 0

        def restore(self, text):
            return self.restore_pending(text).decided()

        def restore_pending(self, text):
            Batch.calls += 1
            return mixed[Batch.calls - 1].restore_pending(text)

    once = restore_confirmed(Batch(), texts)
    assert Batch.calls == len(texts)
    confirmed = confirmed_in(sure.restore(t) for t in texts[:3])
    expected = [sure.restore(t) for t in texts[:3]] + [restorer.with_confirmed(confirmed).restore(t) for t in texts[3:]]
    assert once == expected
    assert [(e.observed, e.suggestion) for e in once[-1].edits] == [("corporate", "company")]


def test_a_pending_restoration_keeps_the_site_models_edits_where_no_stage_edit_overlaps_them():
    from unspin.restorer.confirmed import ConfirmedPairs
    from unspin.restorer.site_model import PendingRestoration
    from unspin.types import Edit, Span

    text = "The corporate stated sales fell."

    def edit(start, end, original, confidence):
        return Edit(span=Span(start, end), observed=text[start:end], suggestion=original, confidence=confidence)

    stage = ((edit(4, 13, "company", 0.85), 0.85), (edit(14, 20, "said", 0.97), 0.97))
    pending = PendingRestoration(text, 5, {}, 0.95, 0.8, stage, fallback=(edit(4, 13, "firm", 0.99), edit(14, 26, "said sales", 0.99)))
    assert pending.decided().restored == "The firm said sales fell."  # "stated sales" overlaps the stage's "said"
    confirmed = ConfirmedPairs({("corporate", "company"): 3}, min_count=3, cut=0.8)
    assert pending.decided(confirmed).restored == "The company said sales fell."
    with pytest.raises(ValueError, match="confirmed cut 0.7"):
        pending.decided(ConfirmedPairs({}, cut=0.7))


