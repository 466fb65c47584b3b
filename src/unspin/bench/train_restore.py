"""`unspin bench train-restore`: fit the restorer's learned site model on the dev split.

Training data: dev-split news articles and State of the Union chunks (150-600 words), each spun
by every *training* family (`families.training_families`: never the held-out benchmark family) at both densities,
plus the same documents clean. Every (site, candidate) row of `restorer.candidates` is labelled
1 when the site is exactly a spinner's swap and the candidate its original, else 0. Documents
are split in two by a hash of their text: the first half fits a LightGBM classifier, the second
calibrates its probability (isotonic) and sets the edit cut: the lowest probability at which the
model's edits on that half are >= 95% precise with <= 1 false edit per 1,000 clean words.
The model, the data description and the metrics go to src/unspin/data/restore_model.*.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import zlib
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
MODEL_PATH = DATA_DIR / "restore_model.txt"
RECORD_PATH = DATA_DIR / "restore_model.json"
MONOTONE = ("lm_gain", "lm_gain_margin", "pooled_gain", "pooled_best_share", "site_gain", "site_raw_gain", "site_pmi_gain")


def add_bench_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train-restore", help="fit the restorer's site model on dev text spun by the training families",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--docs", type=int, default=80, help="dev documents (each used clean and spun by every family)")
    p.add_argument("--skip", type=int, default=60, metavar="N",
                   help="leave out the first N dev documents of each source: `bench restore --split dev` compares on them")
    p.add_argument("--precision", type=float, default=0.95, help="edit precision the cut is set for")
    p.add_argument("--dry-run", action="store_true", help="print the metrics, write nothing")
    p.add_argument("--rows-cache", metavar="PICKLE", help="reuse (or write) the labelled rows of an earlier run with the same --docs")
    p.add_argument("-q", "--quiet", action="store_true")
    p.set_defaults(handler=run)


def labelled_rows(builder, text: str, swaps) -> tuple[list[list[float]], list[int], list[int]]:
    """Feature rows, labels and site ids (per document) of one text."""
    gold = {(s.start, s.end): s.original.lower() for s in swaps}
    doc = builder.build(text)
    rows, labels, groups = [], [], []
    for k, site in enumerate(doc.sites):
        truth = gold.get((site.char_start, site.char_end))
        for cand, row in zip(site.candidates, site.rows):
            rows.append(row)
            labels.append(int(truth is not None and cand.original == truth))
            groups.append(k)
    return rows, labels, groups


def collect(texts: list[str], builder, quiet: bool) -> list[dict[str, Any]]:
    from tqdm import tqdm

    from .families.training import training_families

    jobs = [(None, t) for t in texts]
    for density in ("dense", "light"):
        for family in training_families(density):
            jobs.extend((family, t) for t in texts)
    out = []
    for family, text in tqdm(jobs, desc="site rows", disable=quiet, file=sys.stderr):
        spun = family.spin(text) if family else None
        rows, labels, groups = labelled_rows(builder, spun.text if spun else text, spun.swaps if spun else ())
        out.append({"family": family.name if family else "clean", "density": family.density if family else "",
                    "half": zlib.crc32(text.encode()) % 2, "rows": rows, "labels": labels, "groups": groups,
                    "words": len(text.split()), "swaps": len(spun.swaps) if spun else 0})
    return out


def fit(docs: list[dict[str, Any]], precision: float) -> tuple[Any, Any, dict[str, Any]]:
    import lightgbm as lgb
    import numpy as np
    from sklearn.isotonic import IsotonicRegression

    from ..restorer.candidates import CANDIDATE_FEATURES

    train = [d for d in docs if d["half"] == 0]
    held = [d for d in docs if d["half"] == 1]
    x = np.asarray([r for d in train for r in d["rows"]], dtype=float)
    y = np.asarray([l for d in train for l in d["labels"]])
    # more evidence for the original may never make it less likely: monotone in the gains. Large
    # leaves: documents are few, and per-document features would otherwise be memorised.
    monotone = [1 if name in MONOTONE else 0 for name in CANDIDATE_FEATURES]
    model = lgb.LGBMClassifier(n_estimators=300, learning_rate=0.05, num_leaves=15, min_child_samples=300,
                               subsample=0.8, subsample_freq=1, colsample_bytree=0.8, monotone_constraints=monotone,
                               verbose=-1, n_jobs=2)
    model.fit(x, y)
    raw = [model.predict_proba(np.asarray(d["rows"], dtype=float))[:, 1] if d["rows"] else np.zeros(0) for d in held]
    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
    iso.fit(np.concatenate(raw), np.concatenate([d["labels"] for d in held]))
    calibrated = [iso.predict(r) if len(r) else r for r in raw]
    cut, metrics = choose_cut(held, calibrated, precision)
    importance = sorted(zip(CANDIDATE_FEATURES, model.booster_.feature_importance("gain").tolist()), key=lambda p: -p[1])
    metrics["feature_gain"] = {k: round(v, 1) for k, v in importance}
    metrics["cut"] = cut
    return model, iso, metrics


def decide(doc: dict[str, Any], probs, cut: float) -> list[tuple[int, int, float]]:
    """(site, candidate index, probability) of the best candidate of each site above the cut."""
    best: dict[int, tuple[int, float]] = {}
    index: dict[int, int] = {}
    for i, (g, p) in enumerate(zip(doc["groups"], probs)):
        k = index.setdefault(g, 0)
        index[g] = k + 1
        if p >= cut and p > best.get(g, (-1, -1.0))[1]:
            best[g] = (k, float(p))
    return [(g, k, p) for g, (k, p) in best.items()]


def choose_cut(docs: list[dict[str, Any]], probs: list[Any], precision: float) -> tuple[float, dict[str, Any]]:
    """The lowest cut whose edits are >= `precision` precise and <= 1 false edit per 1,000 clean
    words on these documents (overlapping sites are not resolved here: an upper bound)."""
    chosen, chosen_metrics = 0.99, {}
    for cut in [x / 100 for x in range(99, 19, -1)]:
        m = evaluate(docs, probs, cut)
        if m["precision"] >= precision and m["clean_false_per_1k"] <= 1.0:
            chosen, chosen_metrics = cut, m
    return chosen, chosen_metrics or evaluate(docs, probs, chosen)


def evaluate(docs: list[dict[str, Any]], probs: list[Any], cut: float) -> dict[str, Any]:
    edits = correct = swaps = clean_words = clean_false = 0
    for doc, p in zip(docs, probs):
        decisions = decide(doc, p, cut)
        if doc["family"] == "clean":
            clean_words += doc["words"]
            clean_false += len(decisions)
            continue
        swaps += doc["swaps"]
        edits += len(decisions)
        labels_by_site: dict[int, list[int]] = {}
        for g, l in zip(doc["groups"], doc["labels"]):
            labels_by_site.setdefault(g, []).append(l)
        correct += sum(labels_by_site[g][k] for g, k, _ in decisions)
    return {"cut": cut, "precision": round(correct / max(edits, 1), 4), "recall": round(correct / max(swaps, 1), 4),
            "edits": edits, "swaps": swaps, "clean_false_per_1k": round(1000 * clean_false / max(clean_words, 1), 3)}


def _cached_rows(path: str | None, make):
    import pickle

    if path and Path(path).exists():
        with open(path, "rb") as f:
            return pickle.load(f)
    docs = make()
    if path:
        with open(path, "wb") as f:
            pickle.dump(docs, f)
    return docs


def run(args: argparse.Namespace) -> int:
    from ..engine import resources
    from ..restorer.candidates import CANDIDATE_FEATURES, CandidateBuilder
    from .restore_scoring import clean_chunks

    t0 = time.perf_counter()
    news, speeches = args.docs // 2, args.docs - args.docs // 2
    texts = clean_chunks("news", "dev", args.skip + news)[args.skip :] + clean_chunks("sotu", "dev", args.skip + speeches)[args.skip :]
    builder = CandidateBuilder(resources.lexicon(), resources.ngram(), resources.web_pairs())
    docs = _cached_rows(args.rows_cache, lambda: collect(texts, builder, args.quiet))
    model, iso, metrics = fit(docs, args.precision)
    record = {
        "version": 1,
        "created": time.strftime("%Y-%m-%d %H:%M"),
        "command": f"unspin bench train-restore --docs {args.docs} --skip {args.skip} --precision {args.precision}",
        "features": list(CANDIDATE_FEATURES),
        "data": {"split": "dev", "documents": len(texts), "skipped_first": args.skip, "sources": "news articles and State of the Union chunks",
                 "families": sorted({d["family"] for d in docs}), "densities": ["dense", "light"],
                 "rows": sum(len(d["rows"]) for d in docs), "held_out_family_used": False},
        "method": ("LightGBM binary classifier over (site, candidate) rows (300 trees, 15 leaves, >= 300 rows a leaf, "
                   "monotone increasing in the LM gains), fitted on half the documents (crc32 of the text, even); "
                   "isotonic calibration and the edit cut on the other half."),
        "calibration": {"x": [float(v) for v in iso.X_thresholds_], "y": [float(v) for v in iso.y_thresholds_]},
        "metrics_held_out_half": metrics,
        "seconds": round(time.perf_counter() - t0, 1),
    }
    print(json.dumps({k: v for k, v in record.items() if k != "calibration"}, indent=2))
    if not args.dry_run:
        model.booster_.save_model(str(MODEL_PATH))
        RECORD_PATH.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return 0
