"""Predictions of a LightGBM model file without importing lightgbm.

`import lightgbm` imports scikit-learn and SciPy when they are installed: 1.8 of the 4.6
seconds of a fresh `unspin restore` on one document. The shipped models (the restore site
model, its neural stage, the learner's confidence model) are binary classifiers over numeric
features, so their text files are read here and evaluated with numpy, tree by tree in the
file's order, as LightGBM's own predictor does (`Tree::NumericalDecision`): a missing value
goes the tree's default way where the split says so, and counts as 0 where it does not; a
value within 1e-35 of 0 is 0, as when LightGBM reads a dense row.

    model = load_tree_model(path.read_text())
    model.predict(rows)   # probabilities, as lightgbm.Booster.predict gives them

Once a model has predicted HANDOVER_ROWS rows, it hands over to lightgbm's predictor, which
gives the same numbers faster: a batch pays the import once, a single document never.

A file this reader does not handle (categorical splits, linear trees, other objectives,
several classes) is given to lightgbm itself (`load_tree_model` then returns a Booster).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

ZERO = 1.0000000180025095e-35  # LightGBM's kZeroThreshold (1e-35 as a float): values this small are 0
_DEFAULT_LEFT, _MISSING_SHIFT = 2, 2  # decision_type bits: 1 categorical, 2 default left, 4-8 missing type
_MISSING_ZERO, _MISSING_NAN = 1, 2
# rows numpy predicts before lightgbm takes over: about five 600-word documents of the restorer
# (3,700 rows each; numpy 0.16 s against lightgbm's 0.04 s, whose import takes 1.8 s)
HANDOVER_ROWS = 20_000


class UnsupportedModel(ValueError):
    """A model file that `TreeModel` does not evaluate (lightgbm does)."""


@dataclass(frozen=True)
class _Tree:
    feature: Any  # per internal node: numpy int array
    threshold: Any
    missing: Any  # 0 none, 1 zero, 2 NaN
    default_left: Any
    left: Any  # child: >= 0 an internal node, < 0 the leaf ~child
    right: Any
    leaf_value: Any

    def predict(self, x: Any) -> Any:
        import numpy as np

        n = x.shape[0]
        if len(self.feature) == 0:
            return np.full(n, self.leaf_value[0])
        out = np.empty(n)
        rows = np.arange(n)
        node = np.zeros(n, dtype=np.int64)
        while rows.size:
            value = x[rows, self.feature[node]]
            missing = self.missing[node]
            nan = np.isnan(value)
            value = np.where(nan & (missing != _MISSING_NAN), 0.0, value)
            default = ((missing == _MISSING_ZERO) & (np.abs(value) <= ZERO)) | ((missing == _MISSING_NAN) & nan)
            go_left = np.where(default, self.default_left[node], value <= self.threshold[node])
            child = np.where(go_left, self.left[node], self.right[node])
            leaf = child < 0
            out[rows[leaf]] = self.leaf_value[~child[leaf]]
            rows, node = rows[~leaf], child[~leaf]
        return out


class TreeModel:
    """A binary LightGBM model: the sum of its trees' leaves, through its sigmoid.

    numpy evaluates it until HANDOVER_ROWS rows have been predicted; from then on lightgbm's
    own predictor does (the same numbers, about 4x faster, once its import has been paid): one
    document never pays for the import, a batch pays it once."""

    def __init__(self, trees: Sequence[_Tree], features: int, sigmoid: float, text: str) -> None:
        self.trees = tuple(trees)
        self.features = features
        self.sigmoid = sigmoid
        self._text = text
        self._rows = 0
        self._booster: Any = None

    def num_feature(self) -> int:
        return self.features

    def predict(self, rows: Sequence[Sequence[float]] | Any, num_threads: int = 1) -> Any:
        """Probabilities of the positive class (`num_threads` is lightgbm's; one is used)."""
        import numpy as np

        x = np.asarray(rows, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != self.features:
            raise ValueError(f"rows have {x.shape[-1] if x.ndim else 0} features, the model {self.features}")
        self._rows += x.shape[0]
        if self._booster is None and self._rows > HANDOVER_ROWS:
            import lightgbm as lgb

            self._booster = lgb.Booster(model_str=self._text)
        if self._booster is not None:
            return self._booster.predict(x, num_threads=1)
        return self.predict_numpy(x)

    def predict_numpy(self, x: Any) -> Any:
        import numpy as np

        x = np.where(np.abs(x) <= ZERO, 0.0, x)  # LightGBM reads a dense row so: such a value is absent, i.e. 0
        raw = np.zeros(x.shape[0])
        for tree in self.trees:
            raw += tree.predict(x)
        # the C library's exp, as LightGBM's C++ calls it: numpy's own (SIMD on AVX-512 CPUs)
        # can differ from it in the last bit
        exp = np.fromiter(map(_exp, (-self.sigmoid * raw).tolist()), dtype=np.float64, count=raw.shape[0])
        return 1.0 / (1.0 + exp)


def _exp(v: float) -> float:
    """math.exp, with C's overflow to infinity (a probability of 0) instead of an error."""
    try:
        return math.exp(v)
    except OverflowError:
        return math.inf


def prefer_lightgbm() -> None:
    """For a long-running process (`unspin serve`): import lightgbm now and let every model
    hand over at its next prediction, so that no request pays for the import."""
    global HANDOVER_ROWS
    import lightgbm  # noqa: F401

    HANDOVER_ROWS = 0


def load_tree_model(text: str) -> Any:
    """A `TreeModel` of a LightGBM model file's text, or a lightgbm Booster where it has to be."""
    try:
        return parse_tree_model(text)
    except UnsupportedModel:
        import lightgbm as lgb

        return lgb.Booster(model_str=text)


def parse_tree_model(text: str) -> TreeModel:
    """The model of a LightGBM text file; ValueError where it is not one, UnsupportedModel where
    it is one this module does not evaluate."""
    try:
        return _parse(text)
    except (KeyError, IndexError, TypeError) as exc:
        raise ValueError(f"not a LightGBM model file: {exc!r}") from None


def _parse(text: str) -> TreeModel:
    header, blocks = _blocks(text)
    if "max_feature_idx" not in header or not blocks:
        raise ValueError("not a LightGBM model file: no max_feature_idx or no trees")
    if header.get("num_class", "1") != "1" or header.get("num_tree_per_iteration", "1") != "1":
        raise UnsupportedModel("several classes")
    objective = header.get("objective", "").split()
    if not objective or objective[0] != "binary":
        raise UnsupportedModel(f"objective {' '.join(objective) or 'missing'}")
    sigmoid = next((float(o.split(":", 1)[1]) for o in objective[1:] if o.startswith("sigmoid:")), 1.0)
    return TreeModel([_tree(b) for b in blocks], int(header["max_feature_idx"]) + 1, sigmoid, text)


def _blocks(text: str) -> tuple[dict[str, str], list[dict[str, str]]]:
    """The header's key=value lines and each `Tree=` block's, up to "end of trees"."""
    header: dict[str, str] = {}
    blocks: list[dict[str, str]] = []
    current = header
    for line in text.splitlines():
        if line.startswith("end of trees"):
            break
        if line.startswith("Tree="):
            current = {}
            blocks.append(current)
        elif "=" in line:
            key, _, value = line.partition("=")
            current[key] = value
    return header, blocks


def _tree(block: dict[str, str]) -> _Tree:
    import numpy as np

    if block.get("num_cat", "0") != "0" or block.get("is_linear", "0") != "0":
        raise UnsupportedModel("categorical splits or linear trees")

    def numbers(key: str, kind: Any) -> Any:
        return np.array(block[key].split(), dtype=kind) if block.get(key, "").strip() else np.array([], dtype=kind)

    leaf_value = numbers("leaf_value", np.float64)
    if int(block["num_leaves"]) == 1:
        empty = np.array([], dtype=np.int64)
        return _Tree(empty, np.array([]), empty, np.array([], dtype=bool), empty, empty, leaf_value)
    decision = numbers("decision_type", np.int64)
    if (decision & 1).any():
        raise UnsupportedModel("categorical splits")
    return _Tree(numbers("split_feature", np.int64), numbers("threshold", np.float64), (decision >> _MISSING_SHIFT) & 3,
                 (decision & _DEFAULT_LEFT) > 0, numbers("left_child", np.int64), numbers("right_child", np.int64), leaf_value)
