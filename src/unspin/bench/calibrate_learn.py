"""Fit `unspin learn --from-spun`'s confidence model on dev text: `python -m unspin.bench.calibrate_learn`.

Every pair the learner deciphers from dev-split documents spun by the training families (never
the holdout: this module cannot import it, import-linter), from a half-spun corpus of each, and
from clean dev documents, labelled true when the family has that rule (or made that swap); a
logistic regression of the label on the learner's features gives the weights, and the default
--min-confidence is the lowest confidence at which the dev pairs kept are still >= the target
precision. Writes src/unspin/data/learn_calibration.json with its data and method.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

from .learn_scoring import _progress, corpus_docs, gold_pairs, learn, pair_correct

CALIBRATION = Path(__file__).resolve().parents[1] / "data" / "learn_calibration.json"


def run(args: argparse.Namespace) -> int:
    """Fit the confidence model on dev documents spun by non-holdout spinners (and clean ones)."""
    from ..learn import SpunLearner, default_toolkit
    from ..learn.decipher import FEATURES, LearnConfig
    from .families.training import training_families

    pool = corpus_docs("dev", args.calibrate_docs * 2)
    learner = SpunLearner(default_toolkit(), LearnConfig())
    xs, ys = [], []
    families = [f for f in training_families("dense") if f.name != "random"]  # the learner is for deterministic spinners
    for spinner in families:
        for size, spun_share in ((args.calibrate_docs // 4, 1.0), (args.calibrate_docs, 1.0), (args.calibrate_docs, 0.5)):
            cut = int(size * spun_share)
            spun = [spinner.spin(t) for t in pool[:cut]]
            gold, rules = gold_pairs(spun), spinner.rules()
            for p in learn([s.text for s in spun] + pool[cut:size], args.jobs, learner).pairs:
                xs.append(p.features)
                ys.append(int(pair_correct((p.observed, p.original), gold, rules)))
            _progress(f"{spinner.name} {size}: {len(xs)} pairs, {sum(ys)} true")
    for p in learn(pool[args.calibrate_docs :], args.jobs, learner).pairs:
        xs.append(p.features)
        ys.append(0)
    if args.dump:
        Path(args.dump).write_text(json.dumps({"features": xs, "labels": ys}))
    weights = _fit_logistic(xs, ys)
    config = LearnConfig(weights=tuple(weights))
    min_conf = _choose_threshold(xs, ys, weights, args.target_precision)
    payload = {
        "method": "logistic regression (L2, C=1) of pair truth on the learner's features, over every pair deciphered "
        "from dev-split documents spun by the non-holdout spinners and from clean dev documents; min_confidence is the "
        f"lowest confidence at which the dev pairs kept are >= {args.target_precision} correct",
        "features": list(FEATURES),
        "pairs": len(ys),
        "true_pairs": sum(ys),
        "spinners": [f.name for f in families],
        "params": {"weights": [round(w, 4) for w in config.weights]},
        "min_confidence": round(min_conf, 3),
        "date": time.strftime("%Y-%m-%d"),
    }
    CALIBRATION.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(payload, indent=1))
    return 0


def _fit_logistic(xs, ys) -> list[float]:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=1.0, max_iter=2000, fit_intercept=False)
    model.fit(xs, ys)
    return [float(w) for w in model.coef_[0]]


def _choose_threshold(xs, ys, weights, target: float) -> float:
    scored = sorted(((1 / (1 + math.exp(-sum(w * f for w, f in zip(weights, x)))), y) for x, y in zip(xs, ys)), reverse=True)
    best, correct = 0.99, 0
    for i, (conf, y) in enumerate(scored, 1):
        correct += y
        if correct / i >= target:
            best = conf
    return max(min(best, 0.99), 0.05)




def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m unspin.bench.calibrate_learn")
    p.add_argument("--calibrate-docs", type=int, default=240)
    p.add_argument("--target-precision", type=float, default=0.95)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--dump", help="also write the labelled features (JSON) here")
    return run(p.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
