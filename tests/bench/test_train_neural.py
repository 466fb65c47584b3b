"""The neural stage's training harness on synthetic rows, and the shipped stage's record against the code."""

import json
import random
from types import SimpleNamespace

import numpy as np

from unspin.bench.train_neural import NEURAL_ONLY, RECORD_PATH, fit, out_of_family_cut
from unspin.restorer.neural_stage import FLOOR, LEFT, NEURAL_FEATURES, PER_SITE, RIGHT

GAIN = NEURAL_FEATURES.index("neural_gain")


MARK = NEURAL_FEATURES.index("capitalised")


def _docs(n=80, seed=0, families=("f",), odd=None):
    """Spun documents whose true rows (one site in three) have a positive neural gain and every
    other row a negative one; the site model's probability is noise. Clean documents: false rows only.
    The `odd` family's true rows show only in a feature out of every other family's range, not in the neural gain."""
    rng = random.Random(seed)
    docs = []
    names = [*families, odd] if odd else list(families)
    for k in range(n):
        family = "clean" if k % 4 == 0 else names[(k // 4) % len(names)]
        rows, labels, groups = [], [], []
        for site in range(30):
            label = int(family != "clean" and site % 3 == 0)
            row = [rng.random() for _ in NEURAL_FEATURES]
            row[GAIN] = (4.0 if label else -4.0) + rng.gauss(0, 1)
            if family == odd:
                row[GAIN], row[MARK] = -4.0 + rng.gauss(0, 1), 5.0 if label else row[MARK]
            rows.append(row)
            labels.append(label)
            groups.append(site)
        docs.append({"family": family, "density": "dense", "half": k % 2, "rows": np.asarray(rows, dtype=np.float32),
                     "labels": labels, "groups": groups, "words": 300, "swaps": 10 if family != "clean" else 0})
    return docs


def test_the_stage_learns_the_neural_gain_and_sets_a_precise_cut():
    _, _, metrics, names = fit(_docs(), 0.95)
    assert names == list(NEURAL_FEATURES)
    assert metrics["precision"] >= 0.95 and metrics["recall"] > 0.9 and metrics["clean_false_per_1k"] <= 1.0
    assert max(metrics["feature_gain"], key=metrics["feature_gain"].get) == "neural_gain"


def test_without_the_neural_features_nothing_separates_the_rows():
    _, _, metrics, names = fit(_docs(), 0.95, drop=NEURAL_ONLY)
    assert not set(names) & set(NEURAL_ONLY)
    assert metrics["recall"] < 0.5


def test_the_shipped_stage_matches_the_code_and_never_saw_the_holdout():
    record = json.loads(RECORD_PATH.read_text(encoding="utf-8"))
    assert set(record["features"]) <= set(NEURAL_FEATURES)
    assert record["stage"] == {"floor": FLOOR, "per_site": PER_SITE, "window_tokens": [LEFT, RIGHT]}
    assert record["data"]["split"] == "dev" and record["data"]["held_out_family_used"] is False
    assert "holdout" not in record["data"]["families"]
    assert 0.0 < record["metrics_held_out_half"]["cut"] < 1.0 and record["calibration"]["x"]


def test_the_out_of_family_cut_scores_each_family_with_a_stage_that_never_saw_it():
    docs = _docs(n=160, families=("a", "b"), odd="odd")
    _, _, in_sample, _ = fit(docs, 0.95)
    cut, out = out_of_family_cut(docs, 0.95)
    assert in_sample["per_family"]["odd dense"]["recall"] > 0.5  # learnt from its own documents
    assert out["per_family"]["odd dense"]["recall"] < 0.1  # unseen, its swaps do not look like the others'
    assert out["per_family"]["a dense"]["recall"] > 0.9 and out["cut"] == cut
    assert out["precision"] >= 0.95 and out["clean_false_per_1k"] <= 1.0


def test_a_given_cut_is_the_one_the_metrics_are_taken_at():
    docs = _docs()  # without the neural features nothing separates the rows: what is edited depends on the cut
    _, _, loose, _ = fit(docs, 0.95, drop=NEURAL_ONLY, cut=0.05)
    _, _, strict, _ = fit(docs, 0.95, drop=NEURAL_ONLY, cut=0.99)
    assert loose["cut"] == 0.05 and strict["cut"] == 0.99
    assert loose["edits"] > strict["edits"] and loose["precision"] < 0.95


def test_plain_rows_leave_out_the_learned_features():
    from unspin.restorer.neural_stage import LEARNED_CARRIED

    _, _, _, names = fit(_docs(), 0.95, drop=LEARNED_CARRIED)
    assert names == [n for n in NEURAL_FEATURES if n not in LEARNED_CARRIED]
    assert not set(json.loads(RECORD_PATH.read_text(encoding="utf-8"))["features"]) & set(LEARNED_CARRIED)


def test_a_learned_crawl_gives_rows_only_past_the_documents_learned_cut_checks_on(monkeypatch):
    """`--learned`: the dictionary comes from every crawl document, spun; the rows from `--docs` of
    them after the first `--check-docs`, each spun and clean, through the site model with that dictionary;
    a mixed crawl learns from and gives rows of every other document clean."""
    from argparse import Namespace

    from unspin import steps
    from unspin.bench import learn_scoring, train_neural
    from unspin.bench.families import public
    from unspin.learn import from_spun
    from unspin.restorer import site_model

    texts = [f"document {k}" for k in range(12)]
    family = SimpleNamespace(name="upper", spin=lambda text: SimpleNamespace(text=text.upper()))
    monkeypatch.setattr(public, "RECIPES", (SimpleNamespace(name="upper", family=lambda density: family),))
    learned_from, built = [], []
    monkeypatch.setattr(learn_scoring, "corpus_docs", lambda split, n: texts[:n] if split == "dev" else [])
    monkeypatch.setattr(from_spun, "decipher_texts", lambda docs, toolkit, jobs=1: (learned_from.extend(docs()) or ["pair"], None))
    monkeypatch.setattr(site_model, "model_restorer_with", lambda lexicon: built.append(lexicon) or "restorer")
    monkeypatch.setattr(steps, "with_scan_prior", lambda restorer: f"{restorer} with prior")
    monkeypatch.setattr(train_neural, "document_rows",
                        lambda restorer, family, text: (restorer, family.name if family else "clean", text))
    args = Namespace(crawl_skip=2, crawl_docs=8, check_docs=3, docs=2)
    rows = train_neural._crawl_rows(("upper", "dense", False, args))
    spun = [r for r in rows if r[1] != "clean"]
    assert learned_from == [t.upper() for t in texts[2:10]]
    assert built == [["pair"]] and {r[0] for r in rows} == {"restorer with prior"}
    assert [r[2] for r in spun] == ["document 5", "document 6"] and {r[1] for r in spun} == {"upper"}
    assert [r[2] for r in rows if r[1] == "clean"] == ["document 5", "document 6"]
    learned_from.clear()
    mixed = train_neural._crawl_rows(("upper", "dense", True, args))  # every other document stays clean
    assert learned_from == [t.upper() if k % 2 == 0 else t for k, t in enumerate(texts[2:10])]
    assert [(r[1], r[2]) for r in mixed] == [("clean", "document 5"), ("upper", "document 6")]


def test_the_shipped_stage_for_a_learned_lexicon_was_fitted_on_learned_rows_of_dev_crawls():
    from unspin.bench.train_neural import LEARNED_RECORD_PATH
    from unspin.restorer.neural_stage import LEARNED_CARRIED

    record = json.loads(LEARNED_RECORD_PATH.read_text(encoding="utf-8"))
    assert record["trained_with_learned"] is True and set(LEARNED_CARRIED) <= set(record["features"]) <= set(NEURAL_FEATURES)
    assert record["stage"] == {"floor": FLOOR, "per_site": PER_SITE, "window_tokens": [LEFT, RIGHT]}
    assert record["data"]["split"] == "dev" and record["data"]["held_out_family_used"] is False
    assert "holdout" not in record["data"]["families"]
    check = record["learned_crawl_check"]["data"]  # the check restored only documents that gave no rows
    assert check["skipped_first"] == record["data"]["crawl_skipped_first"]
    assert 1 <= check["restored_each"] <= record["data"]["check_documents_left_out"]
    assert record["learned_crawl_check"]["cut"] >= record["metrics_held_out_half"]["cut"]


def _run(monkeypatch, capsys, argv):
    import argparse

    from unspin.bench import train_neural

    docs = [{**d, "ngram_edits": (0, 0)} for d in _docs(n=40, families=("a", "b"))]
    monkeypatch.setattr("unspin.bench.train_restore.cached_rows", lambda path, make: docs)
    parser = argparse.ArgumentParser()
    train_neural.add_bench_parser(parser.add_subparsers())
    train_neural.run(parser.parse_args(["train-neural", "--dry-run", *argv]))
    return json.loads(capsys.readouterr().out)


def test_the_seed_asked_for_reaches_every_fit_and_the_record(monkeypatch, capsys):
    import lightgbm

    seeds = []

    class Recording(lightgbm.LGBMClassifier):
        def fit(self, *args, **kwargs):
            seeds.append(self.random_state)
            return super().fit(*args, **kwargs)

    monkeypatch.setattr(lightgbm, "LGBMClassifier", Recording)
    record = _run(monkeypatch, capsys, ["--seed", "3"])
    # all, without the neural features, one without each of two families and clean, and all at the cut
    assert seeds == [3] * 6
    assert record["command"].endswith("--seed 3")
    seeds.clear()
    record = _run(monkeypatch, capsys, [])
    assert seeds == [None] * 6 and "--seed" not in record["command"]  # LightGBM's own random state, as shipped


def test_a_seed_changes_the_fit_and_the_same_seed_repeats_it():
    docs = _docs()
    gains = [fit(docs, 0.95, seed=s)[2]["feature_gain"] for s in (1, 1, 2)]
    assert gains[0] == gains[1] and gains[0] != gains[2]  # rows and features are sampled for each tree
