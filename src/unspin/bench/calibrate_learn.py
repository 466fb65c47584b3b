"""Fit `unspin learn --from-spun`'s confidence model on dev text: `python -m unspin.bench.calibrate_learn`.

Every pair the learner deciphers from dev-split documents spun by the training families (never
the holdout: this module cannot import it, import-linter), from a half-spun corpus of each, and
from clean dev documents, labelled true when the family has that rule (or made that swap); a
logistic regression of the label on the learner's features gives the weights, and the default
--min-confidence is the lowest confidence at which the dev pairs kept are still >= the target
precision. Writes src/unspin/data/learn_calibration.json with its data and method.

`--model lightgbm` fits a gradient-boosted model over `MODEL_FEATURES` instead (the logistic
features, the counts behind them, and how a pair stands among its observed form's candidates),
on labelled pairs kept as JSON in `--pairs DIR`: FAMILY.N.pairs.json (N dev documents spun by a
dictionary training family; `unspin bench train-restore --learned-cache DIR` writes them while
learning its lexicons, and this script learns any that are missing), FAMILY.mixedN.pairs.json (half
of N spun, half clean) and clean.N.pairs.json. The default --min-confidence is then chosen on
out-of-fold predictions, each family's pairs scored by a model fitted without that family.
"""

from __future__ import annotations

import argparse
import dataclasses
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


BOOSTED = "learn_confidence.txt"


def run_boosted(args: argparse.Namespace) -> int:
    import lightgbm as lgb
    import numpy as np

    from ..learn.decipher import MODEL_FEATURES, LearnConfig
    from .families.public import RECIPES

    n = args.pairs_docs
    corpora = {name: _labelled_pairs(Path(args.pairs), name, n, args.jobs, args.insertions) for name in
               [f"{r.name}.{n}" for r in RECIPES] + [f"{r.name}.mixed{n}" for r in RECIPES] + [f"clean.{n}"]}
    families = [r.name for r in RECIPES]
    fold_of = {name: (families.index(name.split(".")[0]) if not name.startswith("clean.") else -1) for name in corpora}
    x, y, fold = [], [], []
    for name, rows in corpora.items():
        for i, (features, label) in enumerate(rows):
            x.append(features)
            y.append(label)
            fold.append(fold_of[name] if fold_of[name] >= 0 else i % len(families))  # clean pairs: spread over the folds
    x, y, fold = np.asarray(x), np.asarray(y), np.asarray(fold)
    candidates = CANDIDATE_PARAMS if args.select else {"base": CANDIDATE_PARAMS["base"]}
    selection, oofs = {}, {}
    for name, extra in candidates.items():
        oofs[name] = _out_of_fold(x, y, fold, len(families), _params(extra, args.jobs), _fold_folder(args, name), families)
        selection[name] = _fold_report(oofs[name], y, fold, families, args.target_precision)
        _progress(f"{name}: {json.dumps(selection[name])}")
    chosen = max(selection, key=lambda name: _selection_score(selection[name]))
    params, oof = _params(candidates[chosen], args.jobs), oofs[chosen]
    precise = _threshold(oof, y, args.target_precision)
    min_conf = _threshold(oof, y, args.default_precision)
    per_family = selection[chosen]["per_family"]
    model = lgb.LGBMClassifier(**params).fit(x, y)
    (CALIBRATION.parent / BOOSTED).write_text(model.booster_.model_to_string(), encoding="utf-8")
    payload = {
        "method": f"LightGBM ({_describe(params)}) of pair truth on MODEL_FEATURES, over every pair deciphered "
        f"from {n} dev documents spun by each dictionary training family, {n} half spun and half clean, and {n} clean dev documents; "
        "min_confidence_at_precision gives, per target, the lowest confidence at which the out-of-fold pairs kept (each family "
        "scored by a model fitted without it) are that precise; the default min_confidence is the one for --default-precision "
        f"({args.default_precision}: more pairs for restore, whose site model weighs each pair's confidence), "
        f"min_confidence_at_{args.target_precision} the one for a dictionary that precise. The logistic weights stay as the "
        "fallback and feed the model's first features.",
        "features": list(MODEL_FEATURES),
        "pairs": int(len(y)),
        "true_pairs": int(y.sum()),
        "spinners": families,
        "corpora": {name: len(rows) for name, rows in corpora.items()},
        "params": {"weights": list(LearnConfig.calibrated().weights), "model": BOOSTED, "insertions": args.insertions},
        "selection": {"method": "leave-one-family-out: each candidate setting's out-of-fold pairs (each family scored by a "
                      "model fitted without it) at the pooled cut for the target precision; chosen: the most true pairs kept "
                      f"over the families whose own precision there is >= {FAMILY_FLOOR}, then the best worst family",
                      "chosen": chosen, "candidates": {k: {"params": candidates[k], **v} for k, v in selection.items()}},
        "min_confidence": round(float(min_conf), 4),  # out-of-fold precision >= --default-precision
        f"min_confidence_at_{args.target_precision}": round(float(precise), 4),
        "min_confidence_at_precision": {str(t): round(float(_threshold(oof, y, t)), 4) for t in (0.75, 0.85, 0.9, 0.95)},
        f"out_of_fold_at_{args.target_precision}": per_family,
        "date": time.strftime("%Y-%m-%d"),
        "command": f"python -m unspin.bench.calibrate_learn --model lightgbm --pairs DIR --pairs-docs {n} --jobs {args.jobs} "
                   f"--target-precision {args.target_precision} --default-precision {args.default_precision}" + (" --select" if args.select else "")
                   + (" --insertions" if args.insertions else ""),
    }
    CALIBRATION.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(payload, indent=1))
    return 0


# settings the leave-one-family-out selection compares (`--select`); "base" is the one fitted before
# selection existed. The monotone constraints say only what decipherment means: more of the
# evidence that the original is missing, that the observed form took its place, or that the
# language model prefers it, never makes a pair less likely.
INCREASING = ("missing", "excess", "mean_gain", "share_logit", "explained", "rival", "apart", "deficit", "share", "share_vs_best")
DECREASING = ("original_ratio", "docs_both_share")
CANDIDATE_PARAMS = {
    "base": {},
    "shallow": {"num_leaves": 7, "min_child_samples": 200, "n_estimators": 200},
    "regularised": {"min_child_samples": 200, "reg_lambda": 10.0, "colsample_bytree": 0.5},
    "monotone": {"monotone": True},
    "monotone-shallow": {"monotone": True, "num_leaves": 7, "min_child_samples": 200, "n_estimators": 200},
}
FAMILY_FLOOR = 0.85  # a family whose out-of-fold pairs at the pooled cut are less precise counts for nothing


def _params(extra: dict, jobs: int) -> dict:
    from ..learn.decipher import MODEL_FEATURES

    params = dict(n_estimators=300, learning_rate=0.05, num_leaves=15, min_child_samples=50, subsample=0.8, subsample_freq=1,
                  colsample_bytree=0.8, verbose=-1, n_jobs=jobs)
    params.update({k: v for k, v in extra.items() if k != "monotone"})
    if extra.get("monotone"):
        params["monotone_constraints"] = [1 if f in INCREASING else -1 if f in DECREASING else 0 for f in MODEL_FEATURES]
    return params


def _describe(params: dict) -> str:
    return (f"{params['n_estimators']} trees, {params['num_leaves']} leaves, >= {params['min_child_samples']} pairs a leaf"
            + (f", L2 {params['reg_lambda']}" if params.get("reg_lambda") else "")
            + (", monotone in the evidence" if params.get("monotone_constraints") else ""))


def _fold_folder(args: argparse.Namespace, setting: str) -> Path | None:
    """Where `--fold-models` puts one setting's fold models: DIR itself, or DIR/SETTING with --select."""
    if not args.fold_models:
        return None
    return Path(args.fold_models) / setting if args.select else Path(args.fold_models)


def _out_of_fold(x, y, fold, folds: int, params: dict, save_to: Path | None = None, families=()):
    """Each fold's pairs scored by a model fitted on the other folds (saved per family in `save_to`)."""
    import lightgbm as lgb
    import numpy as np

    oof = np.zeros(len(y))
    if save_to:  # for train-restore: each family's lexicon scored by a model that never saw it
        save_to.mkdir(parents=True, exist_ok=True)
    for k in range(folds):
        model = lgb.LGBMClassifier(**params).fit(x[fold != k], y[fold != k])
        oof[fold == k] = model.predict_proba(x[fold == k])[:, 1]
        if save_to:
            (save_to / fold_model_name(families[k])).write_text(model.booster_.model_to_string(), encoding="utf-8")
    return oof


def _fold_report(oof, y, fold, families, target: float) -> dict:
    """Per family, the out-of-fold pairs kept at the pooled cut for `target` precision."""
    cut = _threshold(oof, y, target)
    per_family = {}
    for k, family in enumerate(families):
        sel = (fold == k) & (oof >= cut)
        per_family[family] = {"kept": int(sel.sum()), "precision": round(float(y[sel].mean()) if sel.any() else 0.0, 4),
                              "true_pairs": int(y[fold == k].sum()), "true_kept": int(y[sel].sum())}
    return {"cut": round(float(cut), 4), "per_family": per_family}


def _selection_score(report: dict) -> tuple[int, float]:
    families = report["per_family"].values()
    held = sum(f["true_kept"] for f in families if f["precision"] >= FAMILY_FLOOR)
    return held, min(f["precision"] for f in families)


def fold_model_name(family: str) -> str:
    """The file of the confidence model fitted without `family`'s pairs (`--fold-models`)."""
    return f"learn_confidence.without-{family}.txt"


def _threshold(scores, labels, target: float) -> float:
    """The lowest score at which the pairs scoring at least that are >= target correct."""
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    best, correct = 0.99, 0
    for i, j in enumerate(order, 1):
        correct += int(labels[j])
        if correct / i >= target:
            best = float(scores[j])
    return min(best, 0.99)


def _labelled_pairs(folder: Path, name: str, n: int, jobs: int, insertions: bool = False) -> list[tuple[tuple[float, ...], int]]:
    """(MODEL_FEATURES, label) of every pair of one corpus, learned here if not yet in `folder`."""
    from ..learn.decipher import Pair, model_features

    path = folder / f"{name}.pairs.json"
    if not path.exists():
        _learn_corpus(path, name, n, jobs, insertions)
    rows = json.loads(path.read_text(encoding="utf-8"))
    pairs = []
    for d in rows:
        raw = d["raw"]
        p = Pair(d["observed"], d["original"], raw["observed_count"], raw["original_count"], raw["expected_observed"],
                 raw["expected_original"], deficit=raw["deficit"], share=raw["share"], apart=raw["apart"],
                 docs_observed=raw["docs_observed"], docs_both=raw["docs_both"], features=tuple(d["features"]))
        pairs.append((p, int(d["label"])))
    best: dict[str, float] = {}
    count: dict[str, int] = {}
    for p, _ in pairs:
        best[p.observed] = max(best.get(p.observed, 0.0), p.share)
        count[p.observed] = count.get(p.observed, 0) + 1
    return [(model_features(p, best[p.observed], count[p.observed]), label) for p, label in pairs]


PAIR_EVIDENCE = ("observed_count", "original_count", "expected_observed", "expected_original", "deficit", "excess",
                 "mean_gain", "share", "explained", "rival", "apart", "docs_observed", "docs_both", "source")


def write_labelled_pairs(path: Path, pairs, gold, rules) -> None:
    """Every deciphered pair with its evidence and whether the family has it (JSON)."""
    labelled = [{"observed": p.observed, "original": p.original, "features": list(p.features), "confidence": p.confidence,
                 "raw": {k: getattr(p, k) for k in PAIR_EVIDENCE},
                 "label": int(bool(rules) and pair_correct((p.observed, p.original), gold, rules))} for p in pairs]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(labelled), encoding="utf-8")


def _learn_corpus(path: Path, name: str, n: int, jobs: int, insertions: bool = False) -> None:
    """Learn one calibration corpus from dev documents (a family's name, "mixed", or clean)
    and write its labelled pairs. Documents past the first 2n + 120 of the dev split, away from
    the ones train-restore learns its lexicons from."""
    from ..learn import SpunLearner, default_toolkit
    from ..learn.decipher import LearnConfig
    from .families.public import RECIPES

    family_name, kind = name.split(".")
    pool = corpus_docs("dev", 3 * n + 120)[n + 120 :]
    # the boosted model being refitted only sets the final confidences, never which pairs or features
    learner = SpunLearner(default_toolkit(), dataclasses.replace(LearnConfig.calibrated(), model="", insertions=insertions))
    if family_name == "clean":
        result, gold, rules = learn(pool[:n], jobs, learner), {}, None
    else:
        family = next(r for r in RECIPES if r.name == family_name).family("dense")
        spun_share = 0.5 if kind.startswith("mixed") else 1.0
        cut = int(n * spun_share)
        spun = [family.spin(t) for t in pool[:cut]]
        result = learn([s.text for s in spun] + pool[cut:n], jobs, learner)
        gold, rules = gold_pairs(spun), family.rules()
    write_labelled_pairs(path, result.pairs, gold, rules)
    _progress(f"{name}: {len(result.pairs)} pairs learned")


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
    p.add_argument("--model", default="logistic", choices=["logistic", "lightgbm"])
    p.add_argument("--pairs", metavar="DIR", help="(lightgbm) labelled pairs per corpus, reused or written here")
    p.add_argument("--pairs-docs", type=int, default=300, help="(lightgbm) documents per calibration corpus")
    p.add_argument("--fold-models", metavar="DIR", help="(lightgbm) also write each out-of-fold model here (for train-restore --fold-models; with --select, in DIR/SETTING/)")
    p.add_argument("--insertions", action="store_true", help="(lightgbm) learn the corpora with words a spinner adds deciphered too, "
                   "and record that the learner should (LearnConfig.insertions)")
    p.add_argument("--select", action="store_true", help="(lightgbm) choose the model's settings by leave-one-family-out (CANDIDATE_PARAMS)")
    p.add_argument("--default-precision", type=float, default=0.75, help="(lightgbm) out-of-fold precision the default min_confidence is set for")
    args = p.parse_args(argv)
    if args.model == "lightgbm":
        if not args.pairs:
            p.error("--model lightgbm needs --pairs DIR")
        return run_boosted(args)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
