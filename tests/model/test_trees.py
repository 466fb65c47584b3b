"""The numpy reader of LightGBM model files gives lightgbm's own numbers, without its import."""

import re
import subprocess
import sys
from importlib import resources

import numpy as np
import pytest

from unspin.model import trees
from unspin.model.trees import ZERO, TreeModel, _Tree, load_tree_model, parse_tree_model

SHIPPED = ["restore_model.txt", "restore_model.learned.txt", "restore_model.neural.txt", "learn_confidence.txt"]


def _hard_rows(text: str, n: int, seed: int) -> np.ndarray:
    """Rows over each feature's range with the values where a reader can go wrong: NaN, 0,
    +-1e-35 (LightGBM's zero) and every split threshold exactly."""
    rng = np.random.default_rng(seed)
    infos = re.search(r"^feature_infos=(.*)$", text, re.M).group(1).split()
    spans = [(-3.0, 3.0) if info == "none" else tuple(float(v) for v in info.strip("[]").split(":")) for info in infos]
    x = np.column_stack([rng.uniform(lo - 1, hi + 1, size=n) for lo, hi in spans])
    thresholds = [float(t) for line in re.findall(r"^threshold=(.*)$", text, re.M) for t in line.split()]
    pick = rng.random(x.shape)
    x[pick < 0.04] = np.nan
    x[(pick >= 0.04) & (pick < 0.08)] = 0.0
    x[(pick >= 0.08) & (pick < 0.10)] = rng.choice([ZERO, -ZERO, 1e-36], size=((pick >= 0.08) & (pick < 0.10)).sum())
    exact = (pick >= 0.10) & (pick < 0.25)
    x[exact] = rng.choice(thresholds, size=exact.sum())
    return x


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_model_gives_lightgbms_probabilities_exactly(name):
    lgb = pytest.importorskip("lightgbm")
    text = resources.files("unspin.data").joinpath(name).read_text()
    model = parse_tree_model(text)
    x = _hard_rows(text, 4000, seed=len(name))
    ours = model.predict_numpy(x)
    theirs = lgb.Booster(model_str=text).predict(x, num_threads=1)
    assert model.num_feature() == x.shape[1]
    assert np.array_equal(ours, theirs)


def test_a_batch_hands_over_to_lightgbm_with_the_same_numbers(monkeypatch):
    pytest.importorskip("lightgbm")
    text = resources.files("unspin.data").joinpath("restore_model.neural.txt").read_text()
    monkeypatch.setattr(trees, "HANDOVER_ROWS", 300)
    model = parse_tree_model(text)
    x = _hard_rows(text, 200, seed=1)
    first = model.predict(x)
    assert model._booster is None  # 200 rows: numpy
    second = model.predict(x)
    assert model._booster is not None  # 400 rows: lightgbm from now on
    assert np.array_equal(first, second)


def test_rows_of_the_wrong_width_are_refused():
    model = parse_tree_model(resources.files("unspin.data").joinpath("restore_model.neural.txt").read_text())
    with pytest.raises(ValueError, match="features"):
        model.predict([[1.0, 2.0]])


def test_text_that_is_no_model_is_a_value_error():
    with pytest.raises(ValueError, match="not a LightGBM model file"):
        parse_tree_model("tree\nversion=v4\n")
    with pytest.raises(ValueError, match="not a LightGBM model file"):
        parse_tree_model("tree\nmax_feature_idx=1\nobjective=binary sigmoid:1\n\nTree=0\nsplit_feature=0\n")


def test_a_model_with_categorical_splits_is_left_to_lightgbm():
    lgb = pytest.importorskip("lightgbm")
    rng = np.random.default_rng(0)
    x = np.column_stack([rng.integers(0, 5, 400), rng.normal(size=400)])
    y = ((x[:, 0] == 3) | (x[:, 1] > 1)).astype(int)
    booster = lgb.train({"objective": "binary", "verbose": -1, "min_data_in_leaf": 5, "min_data_per_group": 5,
                         "cat_smooth": 1}, lgb.Dataset(x, y, categorical_feature=[0]), num_boost_round=5)
    text = booster.model_to_string()
    assert "num_cat=0" not in text.split("Tree=0", 1)[1].split("Tree=1", 1)[0]
    loaded = load_tree_model(text)
    assert not isinstance(loaded, TreeModel)
    assert np.allclose(loaded.predict(x), booster.predict(x))


@pytest.mark.integration
def test_restoring_one_document_imports_neither_lightgbm_nor_scikit_learn():
    code = (
        "import sys\n"
        "from unspin.restorer.decode import load_restorer\n"
        "restored = load_restorer(lm='ngram').restore('The corporate said gross sales fell 4 p.c. in the course of the year.')\n"
        "print(len(restored.edits) > 0, [m for m in ('lightgbm', 'sklearn', 'scipy') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300).stdout
    assert out.strip() == "True []"


def test_a_long_running_process_hands_over_at_the_next_prediction(monkeypatch):
    pytest.importorskip("lightgbm")
    monkeypatch.setattr(trees, "HANDOVER_ROWS", 20_000)
    model = parse_tree_model(resources.files("unspin.data").joinpath("restore_model.neural.txt").read_text())
    trees.prefer_lightgbm()
    assert trees.HANDOVER_ROWS == 0 and "lightgbm" in sys.modules
    model.predict(np.zeros((1, model.num_feature())))
    assert model._booster is not None


@pytest.mark.parametrize(("leaf", "probability"), [(-1000.0, 0.0), (1000.0, 1.0), (0.0, 0.5)])
def test_a_raw_score_past_exps_range_is_a_probability_not_an_error(leaf, probability):
    empty = np.zeros(0, dtype=np.int64)
    stump = _Tree(empty, np.zeros(0), empty, np.zeros(0, dtype=bool), empty, empty, np.array([leaf]))
    model = TreeModel([stump], features=1, sigmoid=1.0, text="")
    assert model.predict_numpy(np.zeros((2, 1))).tolist() == [probability, probability]
