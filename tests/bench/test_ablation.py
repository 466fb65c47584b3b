"""The ablation bench's pieces on hand-made rows: which columns a signal group blanks, what counts
as reachable, each family judged at a refit's cut, where a swap stands, and the gold context."""

import math
from types import SimpleNamespace

import numpy as np
import pytest

from unspin.bench.ablation import (
    LOSSES, SIGNAL_GROUPS, feature_groups, gold_context, judge, loss_of, reachable, recall_at_precision, refit, spread, table,
    without,
)
from unspin.restorer.candidates import CANDIDATE_FEATURES


def _doc(family, labels, groups, density="", swaps=0, width=3):
    rows = np.arange(len(labels) * width, dtype=np.float32).reshape(len(labels), width)
    return {"family": family, "density": density, "labels": labels, "groups": groups, "words": 100, "swaps": swaps, "rows": rows}


def test_every_signal_group_names_model_features_and_none_is_in_two_groups():
    named = [f for group in SIGNAL_GROUPS.values() for f in group]
    assert set(named) <= set(CANDIDATE_FEATURES)
    assert len(named) == len(set(named))
    assert feature_groups(["consistency"], CANDIDATE_FEATURES) == {
        "consistency": (CANDIDATE_FEATURES.index("pooled_gain"), CANDIDATE_FEATURES.index("pooled_best_share"))}


@pytest.mark.parametrize(("groups", "features", "message"), [
    (["gazetteer"], CANDIDATE_FEATURES, "unknown signal group 'gazetteer'"),
    (["consistency"], ("pooled_gain", "lm_gain"), "lacks: pooled_best_share"),
])
def test_a_group_the_model_cannot_leave_out_is_an_error(groups, features, message):
    with pytest.raises(ValueError, match=message):
        feature_groups(groups, features)


def test_without_blanks_only_the_named_columns_and_leaves_the_input_alone():
    doc = _doc("f", [0, 1], [0, 0])
    [blank] = without([doc], (0, 2))
    assert all(math.isnan(v) for v in blank["rows"][:, 0]) and all(math.isnan(v) for v in blank["rows"][:, 2])
    assert blank["rows"][:, 1].tolist() == [1.0, 4.0]
    assert not np.isnan(doc["rows"]).any()
    assert blank["labels"] == doc["labels"]


def test_a_swap_is_reachable_when_some_candidate_of_its_site_is_the_original():
    spun = _doc("f", [0, 1, 1, 0, 0], [0, 0, 1, 2, 2], swaps=4)  # sites 0 and 1 hold the original; two swaps have no site
    clean = _doc("clean", [0, 0], [0, 1])
    assert reachable([spun, clean]) == {"swaps": 4, "reachable": 2, "share": 0.5}


class _Fixed:
    """A 'model' whose probability is the row's first column, and an identity calibration."""

    def predict_proba(self, rows):
        return np.column_stack([1 - rows[:, 0], rows[:, 0]])

    def predict(self, p):
        return p


def test_each_family_is_judged_with_the_clean_documents_at_the_refits_cut():
    spun = _doc("holdout", [1, 0], [0, 1], density="dense", swaps=2)
    spun["rows"][:, 0] = [0.9, 0.8]  # at cut 0.85 one right edit; at 0.5 also a wrong one
    light = _doc("holdout", [0], [0], density="light", swaps=1)
    light["rows"][:, 0] = [0.2]
    clean = _doc("clean", [0], [0])
    clean["rows"][:, 0] = [0.95]
    judged = judge(_Fixed(), _Fixed(), 0.85, [spun, light, clean])
    assert set(judged) == {"holdout dense", "holdout light"}
    assert (judged["holdout dense"]["edits"], judged["holdout dense"]["precision"], judged["holdout dense"]["recall"]) == (1, 1.0, 0.5)
    assert judged["holdout light"]["edits"] == 0
    assert judged["holdout dense"]["clean_false_per_1k"] == judged["holdout light"]["clean_false_per_1k"] == 10.0


def test_a_refit_is_fitted_and_judged_without_its_columns_and_reports_its_own_cut(monkeypatch):
    fitted, seeds = [], []

    def fake_fit(docs, precision, seed=None):
        fitted.append(docs)
        seeds.append(seed)
        return _Fixed(), _Fixed(), {"cut": 0.85, "precision": 1.0, "recall": 0.5, "edits": 1, "clean_false_per_1k": 0.0, "other": 7}

    monkeypatch.setattr("unspin.bench.train_restore.fit", fake_fit)
    dev = [_doc("f", [1, 0], [0, 1], swaps=2)]
    test = [_doc("holdout", [1], [0], density="dense", swaps=1)]
    test[0]["rows"][:, 0] = [0.9]
    result = refit("names", (0,), dev, test, 0.95, quiet=True)
    assert np.isnan(fitted[0][0]["rows"][:, 0]).all() and not np.isnan(dev[0]["rows"]).any()
    assert (result["without"], result["cut"], result["features"]) == ("names", 0.85, [CANDIDATE_FEATURES[0]])
    assert set(result["dev_held_out_half"]) == {"precision", "recall", "edits", "clean_false_per_1k"}
    assert result["test"]["holdout dense"]["edits"] == 0  # its first column is blank: NaN never reaches the cut
    assert seeds == [None] and result["seed"] is None  # LightGBM's own random state, as shipped
    assert refit("names", (0,), dev, test, 0.95, quiet=True, seed=2)["seed"] == 2 and seeds[-1] == 2


def _fitted(name, seed, dev_recall, best, clean=0.1):
    return {"without": name, "seed": seed, "cut": 0.9, "dev_held_out_half": {"recall": dev_recall, "precision": 0.95},
            "test": {"holdout dense": {"recall": 0.1, "precision": 0.9, "recall_at_precision": best, "clean_false_per_1k": clean}}}


def test_the_spread_over_seeds_is_each_refits_mean_lowest_and_highest():
    refits = [_fitted("none", None, 0.06, 0.02), _fitted("none", 1, 0.08, 0.05, clean=0.5), _fitted("names", None, 0.05, 0.03)]
    out = spread(refits)
    assert out["none"]["dev recall"] == {"mean": 0.07, "min": 0.06, "max": 0.08}
    assert out["none"]["clean false edits per 1k"] == {"mean": 0.3, "min": 0.1, "max": 0.5}
    assert out["none"]["holdout dense best"] == {"mean": 0.035, "min": 0.02, "max": 0.05}
    assert out["names"]["dev recall"] == {"mean": 0.05, "min": 0.05, "max": 0.05}
    shown = table({"precision_target": 0.95, "reachable": {"dev": {"share": 0.5}, "test": {"share": 0.5}},
                   "refits": refits, "spread": out})
    assert "none (seed 1) | 0.90 | 8.0% / 95.0%" in shown
    assert "none over seeds (mean, lowest-highest): dev recall 7.0% (6.0%-8.0%); clean false edits per 1k 0.30 (0.10-0.50)" in shown


def test_recall_at_precision_sweeps_every_cut_over_each_sites_likeliest_candidate():
    doc = _doc("f", [1, 0, 0, 1, 1, 0], [0, 0, 1, 1, 2, 3], swaps=5)
    # site edits by probability: site 0 right (0.9), site 1 wrong (0.8; its right candidate 0.5 never edits),
    # site 2 right (0.7), site 3 wrong (0.6)
    probs = [[0.9, 0.1, 0.8, 0.5, 0.7, 0.6]]
    assert recall_at_precision([doc], probs, 0.95) == 0.2  # only the first edit keeps 95%
    assert recall_at_precision([doc], probs, 0.6) == 0.4  # 2 of 3
    assert recall_at_precision([doc], probs, 0.4) == 0.4  # 2 of 4 adds nothing right


def _site(*originals):
    return SimpleNamespace(candidates=[SimpleNamespace(original=o) for o in originals])


@pytest.mark.parametrize(("site", "full", "ranked", "stands"), [
    (_site("company", "firm"), ["company"], ["company"], "shortlisted"),
    (_site("firm"), ["company", "firm"], ["company", "firm"], "cut_by_ngram_shortlist"),
    (_site("firm"), ["company", "firm"], ["firm"], "cut_by_prior"),
    (None, [], [], "no_site"),
    (_site("firm"), ["firm"], ["firm"], "lexicon_lacks_original"),
    (None, ["firm"], ["firm"], "lexicon_lacks_original"),
])
def test_where_a_swap_stands(site, full, ranked, stands):
    swap = SimpleNamespace(original="Company")
    assert loss_of(swap, "corporate", site, full, ranked) == stands
    assert stands in LOSSES


def test_gold_context_puts_every_swap_into_its_neighbours_windows_by_token():
    tokens = [SimpleNamespace(start=a, end=b) for a, b in ((0, 3), (4, 13), (14, 22), (23, 30))]  # "The corporate stated profits"
    doc = SimpleNamespace(sentences=[tokens[:2], tokens[2:]])
    swaps = [SimpleNamespace(start=4, end=13, original="Company"), SimpleNamespace(start=14, end=30, original="said profits"),
             SimpleNamespace(start=5, end=13, original="x")]  # not on token boundaries: left out
    assert gold_context(doc, swaps) == {(0, 1): (2, "company"), (1, 0): (2, "said profits")}
