"""The learner's confidence: the boosted model's features and batch, and how calibration picks its threshold."""

import math

import pytest

from unspin.learn import decipher
from unspin.learn.decipher import FEATURES, MODEL_FEATURES, LearnConfig, Pair, confidences, model_features


def _pair(observed="stated", original="said", share=0.9, **kw):
    p = Pair(observed, original, observed_count=100, original_count=0, expected_observed=5.0, expected_original=90.0, share=share, **kw)
    return p


def test_model_features_extend_the_logistic_ones_and_place_the_pair_among_its_rivals():
    p = _pair(docs_observed=40, docs_both=2, apart=30.0)
    decipher.confidence(p, LearnConfig())
    row = model_features(p, best_share=0.9, candidates=3)
    assert len(row) == len(MODEL_FEATURES) and row[: len(FEATURES)] == p.features
    named = dict(zip(MODEL_FEATURES, row))
    assert named["share_vs_best"] == 0.0 and named["log_candidates"] == pytest.approx(math.log(3))
    assert named["apart"] == 12.0  # clipped like the logistic features
    assert named["docs_both_share"] == pytest.approx(0.05)
    assert model_features(_pair(share=0.09), best_share=0.9, candidates=3)[MODEL_FEATURES.index("share_vs_best")] == pytest.approx(math.log(0.1))


class _Booster:
    """Stands in for LightGBM: the confidence is the share (so the batch order is visible)."""

    def predict(self, rows, num_threads=1):
        return [row[MODEL_FEATURES.index("share")] for row in rows]


def test_a_named_model_scores_every_pair_in_one_batch_else_the_logistic_weights(monkeypatch):
    monkeypatch.setitem(decipher._BOOSTERS, "fake.txt", _Booster())
    pairs = [_pair(share=0.9), _pair(original="stated", share=0.3)]
    confidences(pairs, LearnConfig(model="fake.txt"))
    assert [p.confidence for p in pairs] == [0.9, 0.3]
    plain = [_pair(share=0.9)]
    confidences(plain, LearnConfig())
    assert plain[0].confidence == pytest.approx(decipher._sigmoid(sum(w * f for w, f in zip(LearnConfig().weights, plain[0].features))))


def test_the_shipped_calibration_names_a_model_that_loads_and_has_its_features():
    config = LearnConfig.calibrated()
    if not config.model:
        pytest.skip("the shipped calibration is logistic")
    booster = decipher._booster(config.model)
    assert booster.num_feature() == len(MODEL_FEATURES)


def test_calibration_keeps_the_lowest_threshold_that_stays_precise():
    from unspin.bench.calibrate_learn import _threshold

    scores = [0.9, 0.8, 0.7, 0.6, 0.5]
    labels = [1, 1, 0, 1, 0]
    assert _threshold(scores, labels, 0.75) == 0.6  # 3 of the top 4 are right
    assert _threshold(scores, labels, 1.0) == 0.8


def test_family_selection_counts_only_families_the_pooled_cut_keeps_precise():
    from unspin.bench.calibrate_learn import _selection_score

    sound = {"per_family": {"a": {"precision": 0.95, "true_kept": 100}, "b": {"precision": 0.9, "true_kept": 50}}}
    one_broken = {"per_family": {"a": {"precision": 0.99, "true_kept": 400}, "b": {"precision": 0.2, "true_kept": 10}}}
    assert _selection_score(sound) == (150, 0.9)
    assert _selection_score(one_broken) == (400, 0.2)
    assert _selection_score(one_broken) > _selection_score(sound)  # the family's pairs that hold count, the broken one's do not
    worse_floor = {"per_family": {"a": {"precision": 0.95, "true_kept": 100}, "b": {"precision": 0.86, "true_kept": 50}}}
    assert _selection_score(sound) > _selection_score(worse_floor)


def test_fold_report_scores_each_family_at_one_pooled_cut():
    import numpy as np

    from unspin.bench.calibrate_learn import _fold_report

    oof = np.array([0.9, 0.8, 0.7, 0.95, 0.6, 0.1])
    y = np.array([1, 1, 0, 0, 1, 0])
    fold = np.array([0, 0, 0, 1, 1, 1])
    report = _fold_report(oof, y, fold, ["a", "b"], 0.6)
    assert report["cut"] == 0.6  # 3 of the top 5 right; all 6 would be 0.5
    assert report["per_family"]["a"] == {"kept": 3, "precision": 0.6667, "true_pairs": 2, "true_kept": 2}
    assert report["per_family"]["b"] == {"kept": 2, "precision": 0.5, "true_pairs": 1, "true_kept": 1}


def test_monotone_settings_constrain_only_the_evidence_features():
    from unspin.bench.calibrate_learn import CANDIDATE_PARAMS, _params

    constraints = _params(CANDIDATE_PARAMS["monotone"], 1)["monotone_constraints"]
    assert len(constraints) == len(MODEL_FEATURES)
    assert constraints[MODEL_FEATURES.index("share")] == 1
    assert constraints[MODEL_FEATURES.index("original_ratio")] == -1
    assert constraints[MODEL_FEATURES.index("log_candidates")] == 0
    assert "monotone_constraints" not in _params(CANDIDATE_PARAMS["base"], 1)
