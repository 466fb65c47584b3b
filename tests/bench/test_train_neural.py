"""The neural stage's training harness on synthetic rows, and the shipped stage's record against the code."""

import json
import random

import numpy as np

from unspin.bench.train_neural import NEURAL_ONLY, RECORD_PATH, fit
from unspin.restorer.neural_stage import FLOOR, LEFT, NEURAL_FEATURES, PER_SITE, RIGHT

GAIN = NEURAL_FEATURES.index("neural_gain")


def _docs(n=80, seed=0):
    """Spun documents whose true rows (one site in three) have a positive neural gain and every
    other row a negative one; the site model's probability is noise. Clean documents: false rows only."""
    rng = random.Random(seed)
    docs = []
    for k in range(n):
        family = "clean" if k % 4 == 0 else "f"
        rows, labels, groups = [], [], []
        for site in range(30):
            label = int(family != "clean" and site % 3 == 0)
            row = [rng.random() for _ in NEURAL_FEATURES]
            row[GAIN] = (4.0 if label else -4.0) + rng.gauss(0, 1)
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
