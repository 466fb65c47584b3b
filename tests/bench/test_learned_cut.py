"""`bench learned-cut`: the cut chosen from a crawl's edits, and where it is recorded and read."""

import json

import pytest

from unspin.bench.learned_cut import at_cut, choose_cut, choose_staged_cut, staged_at, trained_cut, write_check
from unspin.restorer.site_model import MODEL_PATH, CandidateModel

EDITS = [(0.99, True), (0.97, True), (0.95, True), (0.93, False), (0.91, True), (0.88, False), (0.6, True)]


def test_the_cut_is_the_lowest_at_or_above_the_trained_one_that_is_precise_enough():
    assert choose_cut(EDITS, 0.85, 0.75) == 0.91  # 4 of 5 right from 0.91 up; from 0.88 up 4 of 6
    assert choose_cut(EDITS, 0.85, 0.66) == 0.85  # the trained cut itself is precise enough
    assert choose_cut(EDITS, 0.85, 0.8) == 0.91
    assert choose_cut(EDITS, 0.85, 0.9) == 0.95
    assert choose_cut(EDITS, 0.96, 0.5) == 0.96  # never below the trained cut, even where lower would do
    assert choose_cut([(0.9, False)], 0.5, 0.95) is None


def test_figures_at_a_cut_count_the_edits_kept():
    assert at_cut(EDITS, 10, 0.9) == {"cut": 0.9, "right": 4, "edits": 5, "precision": 0.8, "recall": 0.4}
    assert at_cut([], 0, 0.9)["precision"] == 0.0


@pytest.fixture
def record(tmp_path):
    path = tmp_path / "restore_model.learned.json"
    path.write_text(json.dumps({"features": ["lm_gain"], "calibration": {"x": [0.0, 1.0], "y": [0.0, 1.0]},
                                "metrics_held_out_half": {"cut": 0.9, "cut_learned": 0.87}}))
    return path


def report(cut):
    return {"date": "d", "machine": "m", "command": "c", "data": {}, "trained_cut": 0.87, "precision_asked": 0.95,
            "cut": cut, "pooled": []}


@pytest.mark.parametrize("checked, used", [(0.91, 0.91), (0.8, 0.87), (None, 0.87)])
def test_a_recorded_check_only_raises_the_learned_cut(record, checked, used):
    write_check(record, report(checked))
    assert json.loads(record.read_text())["crawl_check"]["cut"] == checked
    assert CandidateModel.load(MODEL_PATH, record).cut_learned == used
    assert trained_cut(record) == 0.87  # a rerun starts from train-restore's cut, not the raised one


# one document: the stage's choices (probability, span, right) and the site model's own edits (span, right)
STAGED = [([(0.99, 0, 5, True), (0.96, 10, 15, False), (0.92, 20, 25, True)], [(10, 15, True), (30, 35, False)])]


def test_the_stage_at_a_cut_keeps_the_site_models_edits_that_no_stage_edit_overlaps():
    # at 0.95: two stage edits (one wrong); the site model's edit at 10-15 gives way to the stage's
    assert staged_at(STAGED, 10, 0.95) == {"cut": 0.95, "right": 1, "edits": 3, "precision": 0.3333, "recall": 0.1}
    # at 0.97 the stage's wrong choice at 10-15 falls under the cut, and the site model's right edit there comes back
    assert staged_at(STAGED, 10, 0.97) == {"cut": 0.97, "right": 2, "edits": 3, "precision": 0.6667, "recall": 0.2}
    assert staged_at(STAGED, 10, 0.9)["edits"] == 4


def test_the_stages_cut_is_the_lowest_at_or_above_its_own_that_is_precise_enough():
    assert choose_staged_cut(STAGED, 10, 0.9, 0.6) == 0.99  # from 0.99 up: the stage's right edit and the site model's two, 2 of 3
    assert choose_staged_cut(STAGED, 10, 0.98, 0.6) == 0.98  # never under the stage's own cut
    assert choose_staged_cut(STAGED, 10, 0.9, 0.5) == 0.9  # 2 of 4 right there
    assert choose_staged_cut(STAGED, 10, 0.9, 0.9) is None


@pytest.mark.parametrize("learned_stage", [False, True])
def test_the_stages_check_reads_and_writes_the_stage_restore_takes_with_a_learned_lexicon(monkeypatch, tmp_path, learned_stage):
    from unspin.bench import learned_cut
    from unspin.restorer import site_model

    paths = {flag: (tmp_path / f"stage{int(flag)}.txt", tmp_path / f"stage{int(flag)}.json") for flag in (False, True)}
    for flag, (_, record_path) in paths.items():
        record_path.write_text(json.dumps({"metrics_held_out_half": {"cut": 0.9 if flag else 0.95}}), encoding="utf-8")
    monkeypatch.setattr(site_model, "neural_stage_paths", lambda learned=False: paths[learned])
    monkeypatch.setattr(site_model, "neural_stage_record", lambda learned=False: {} if learned_stage or not learned else None)
    check = learned_cut._check_for("smollm2")
    assert check.record_path == paths[learned_stage][1] and check.trained == (0.9 if learned_stage else 0.95)


def test_a_mixed_crawl_learns_from_every_other_page_clean_and_counts_edits_there_as_wrong(monkeypatch):
    from types import SimpleNamespace

    from unspin import steps
    from unspin.bench import learn_scoring, learned_cut
    from unspin.bench.families import public
    from unspin.learn import from_spun
    from unspin.restorer import site_model

    texts = [f"page {k}" for k in range(6)]
    swap = SimpleNamespace(start=0, end=4, original="page")
    family = SimpleNamespace(spin=lambda text: SimpleNamespace(text=text.upper(), swaps=(swap,)))
    monkeypatch.setattr(public, "RECIPES", (SimpleNamespace(name="upper", family=lambda density: family),))
    monkeypatch.setattr(learn_scoring, "corpus_docs", lambda split, n: texts[:n])
    learned_from = []
    monkeypatch.setattr(from_spun, "decipher_texts", lambda docs, toolkit, jobs=1: (learned_from.extend(docs()) or ["pair"], None))
    edit = SimpleNamespace(span=SimpleNamespace(start=0, end=4), original="page", confidence=0.9)
    engine = SimpleNamespace(restore=lambda text, cut: SimpleNamespace(edits=[edit]))
    monkeypatch.setattr(site_model, "model_restorer_with", lambda lexicon: SimpleNamespace(cut=0.9))
    monkeypatch.setattr(steps, "with_scan_prior", lambda restorer: engine)
    crawl = learned_cut.crawl_edits("upper", "dense", 4, 1, mixed=True)
    assert learned_from == ["PAGE 1", "page 2", "PAGE 3", "page 4"]
    assert crawl["swaps"] == 2 and crawl["edits"] == [(0.9, True), (0.9, False), (0.9, True), (0.9, False)]
