"""The restore site model's training harness: the decision and the cut, on hand-made rows; the
shipped model's record against the code."""

import json

import pytest

from unspin.bench.train_restore import (
    LEARNED_RECORD_PATH, RECORD_PATH, choose_cut, common_cut, cross_fit, decide, evaluate, member_paths,
)
from unspin.restorer.candidates import CANDIDATE_FEATURES


def _doc(family, labels, groups, words=100, swaps=0):
    return {"family": family, "labels": labels, "groups": groups, "words": words, "swaps": swaps, "rows": [[0.0]] * len(labels)}


def test_each_site_edits_its_best_candidate_over_the_cut():
    doc = _doc("f", [0, 1, 0, 0], [0, 0, 1, 1], swaps=1)
    assert sorted(decide(doc, [0.2, 0.9, 0.6, 0.7], 0.5)) == [(0, 1, 0.9), (1, 1, 0.7)]
    assert decide(doc, [0.2, 0.9, 0.6, 0.7], 0.95) == []


def test_the_cut_is_the_lowest_that_keeps_edits_precise_and_clean_text_clean():
    spun = _doc("f", [1, 0, 0], [0, 1, 2], swaps=2)
    clean = _doc("clean", [0], [0], words=1000)
    probs = [[0.9, 0.5, 0.3], [0.45]]
    m = evaluate([spun, clean], probs, 0.4)
    assert (m["edits"], m["precision"], m["clean_false_per_1k"]) == (2, 0.5, 1.0)
    cut, metrics = choose_cut([spun, clean], probs, 0.95)
    assert cut == 0.51 and metrics["precision"] == 1.0 and metrics["recall"] == 0.5


def test_a_cut_for_several_kinds_of_lexicon_holds_on_each():
    spun = _doc("f", [1, 0, 0], [0, 1, 2], swaps=2)
    clean = _doc("clean", [0], [0], words=1000)
    others = ([spun, clean], [[0.9, 0.5, 0.3], [0.45]])  # alone: 0.51
    own = ([spun, clean], [[0.9, 0.7, 0.3], [0.45]])  # alone: 0.71
    assert common_cut([others], 0.95) == choose_cut(*others, 0.95)[0] == 0.51
    assert common_cut([others, own], 0.95) == 0.71
    assert common_cut([others, ([spun], [[0.2, 0.9, 0.9]])], 0.95) == 0.99  # never precise: the highest cut


class _Constant:
    """A 'fitted model' that gives every row one probability and remembers what it was fitted on."""

    def __init__(self, p, docs):
        self.p, self.docs = p, docs

    def predict_proba(self, rows):
        import numpy as np

        return np.column_stack([np.full(len(rows), 1 - self.p), np.full(len(rows), self.p)])


def test_a_cross_fit_scores_each_document_with_the_model_fitted_without_it(monkeypatch):
    monkeypatch.setattr("unspin.bench.train_restore._fitted", lambda docs, seed: _Constant(0.9 if docs[0]["half"] == 0 else 0.2, docs))
    monkeypatch.setattr("unspin.bench.train_restore._feature_gain", lambda models: {})
    first = [{**_doc("f", [0, 0], [0, 1], swaps=2), "half": 0} for _ in range(3)]  # scored 0.2, by the second half's model
    second = [{**_doc("f", [1, 1], [0, 1], swaps=2), "half": 1} for _ in range(3)]  # scored 0.9, by the first half's
    models, iso, metrics = cross_fit(first + second, 0.95)
    assert [m.docs for m in models] == [first, second]
    assert iso.predict([0.2, 0.9]).tolist() == [0.0, 1.0]  # calibrated on both halves, each by the other's model
    assert metrics["edits"] == 6 and metrics["swaps"] == 12 and metrics["precision"] == 1.0 and metrics["cut"] == 0.2


def test_a_models_members_are_written_beside_it(tmp_path):
    assert member_paths(tmp_path / "m.txt", 1) == [tmp_path / "m.txt"]
    assert member_paths(tmp_path / "m.txt", 2) == [tmp_path / "m.txt", tmp_path / "m.fold2.txt"]


def test_the_shipped_model_matches_the_features_and_never_saw_the_holdout():
    record = json.loads(RECORD_PATH.read_text(encoding="utf-8"))
    assert set(record["features"]) <= set(CANDIDATE_FEATURES)  # a model without the learned features picks its columns
    assert record["data"]["split"] == "dev" and record["data"]["held_out_family_used"] is False
    assert "holdout" not in record["data"]["families"]
    assert 0.0 < record["metrics_held_out_half"]["cut"] < 1.0 and record["calibration"]["x"]


def test_the_shipped_model_was_trained_with_lexicons_learned_from_training_families_only():
    from unspin.bench.families.training import training_family_names

    record = json.loads(LEARNED_RECORD_PATH.read_text(encoding="utf-8"))
    assert tuple(record["features"]) == CANDIDATE_FEATURES and "holdout" not in record["data"]["families"]
    learned = record["data"]["learned_lexicons"]
    assert record["trained_with_learned"] is True and learned["split"] == "dev"
    assert learned["families"] and set(learned["families"]) <= set(training_family_names())
    assert 0.0 < record["metrics_held_out_half"]["cut_learned"] < 1.0


def test_lexicon_documents_share_no_ten_word_run_with_the_training_documents():
    from unspin.bench.train_restore import _shingles

    text = " ".join(f"w{i}" for i in range(30))
    assert _shingles(text) & _shingles(" ".join(f"w{i}" for i in range(15, 40)))  # 15 words in common
    assert not _shingles(text) & _shingles(" ".join(f"w{i}" for i in range(21, 40)))  # 9 words in common


def test_each_family_can_be_scored_by_the_confidence_model_that_never_saw_it(tmp_path):
    from unspin.bench.calibrate_learn import fold_model_name
    from unspin.bench.train_restore import _config_without
    from unspin.errors import ArtifactError
    from unspin.learn.decipher import LearnConfig, _booster

    assert _config_without("twohop", None) == LearnConfig.calibrated()
    with pytest.raises(ArtifactError, match="twohop"):
        _config_without("twohop", str(tmp_path))
    shipped = LearnConfig.calibrated().model
    if not shipped:
        pytest.skip("the shipped calibration is logistic")
    from importlib import resources

    (tmp_path / fold_model_name("twohop")).write_text(resources.files("unspin.data").joinpath(shipped).read_text())
    config = _config_without("twohop", str(tmp_path))
    assert config.model == str((tmp_path / fold_model_name("twohop")).resolve())
    assert _booster(config.model).num_feature() == _booster(shipped).num_feature()


@pytest.mark.parametrize("cross", [False, True])
def test_the_seed_asked_for_reaches_every_fit_and_the_record(monkeypatch, capsys, cross):
    import argparse

    from unspin.bench import train_restore

    seeds = []

    def fake_fitted(docs, seed):
        seeds.append(seed)
        return _Constant(0.9, docs)

    docs = [{**_doc("f", [1, 0], [0, 1], swaps=1), "half": h} for h in (0, 1, 0, 1)]
    monkeypatch.setattr("unspin.engine.resources.lexicon", lambda: None)
    monkeypatch.setattr("unspin.engine.resources.ngram", lambda: None)
    monkeypatch.setattr("unspin.engine.resources.web_pairs", lambda: None)
    monkeypatch.setattr("unspin.restorer.candidates.CandidateBuilder", lambda *args, **kwargs: None)
    monkeypatch.setattr("unspin.bench.restore_scoring.clean_chunks", lambda *args: [])
    monkeypatch.setattr(train_restore, "cached_rows", lambda path, make: docs)
    monkeypatch.setattr(train_restore, "_fitted", fake_fitted)
    monkeypatch.setattr(train_restore, "_feature_gain", lambda models: {})
    parser = argparse.ArgumentParser()
    train_restore.add_bench_parser(parser.add_subparsers())
    argv = ["train-restore", "--dry-run", "--docs", "2"] + (["--cross-fit"] if cross else [])
    train_restore.run(parser.parse_args(argv + ["--seed", "3"]))
    assert seeds == ([3, 3] if cross else [3])
    assert json.loads(capsys.readouterr().out)["command"].endswith("--seed 3")
    train_restore.run(parser.parse_args(argv))
    assert seeds[-1] is None  # left out: LightGBM's own random state, as shipped


def test_a_family_left_out_never_reaches_its_fit_and_is_judged_at_the_others_cut(monkeypatch):
    from unspin.bench.train_restore import SELF, family_left_out

    fitted_on = []

    def fake_fitted(docs, seed):
        fitted_on.append(docs)
        return _Constant(0.9, docs)

    monkeypatch.setattr("unspin.bench.train_restore._fitted", fake_fitted)
    monkeypatch.setattr("unspin.bench.train_restore._feature_gain", lambda models: {})

    def docs_of(family):  # spun by the family, spun again and restored with its lexicon, a clean one with its lexicon
        right = [1, 0] if family != "bad" else [0, 1]
        return [{**_doc(family, [1, 0], [0, 0], swaps=1), "half": h, "learned": ""} for h in (0, 1)] + \
               [{**_doc(family, right, [0, 0], swaps=1), "half": h, "learned": family} for h in (0, 1)] + \
               [{**_doc("clean", [0, 0], [0, 0], words=1000), "half": h, "learned": family + SELF} for h in (0, 1)]

    report = family_left_out(docs_of("good") + docs_of("bad"), 0.95)
    assert [{d["family"] for d in docs} | {d["learned"] for d in docs} for docs in fitted_on] == \
           [{"good", "", "clean", "good" + SELF}, {"bad", "", "clean", "bad" + SELF}]  # "bad" left out, then "good"
    assert report["bad"]["edits"] == 1 and report["bad"]["precision"] == 0.0  # its lexicon rows, at good's cut
    assert report["bad"]["clean_false_per_1k"] == 1.0  # its clean document with its lexicon counts too
    assert report["good"]["edits"] == 0  # bad's rows never reach the precision: the highest cut, nothing edited
