"""`unspin bench train-neural`: fit the site model's neural stage (`restorer.neural_stage`) on dev.

Training data: dev news articles and State of the Union chunks that neither the n-gram site
model (`train-restore`, the first `--skip` of each source) nor any `bench restore --split dev`
comparison used, each spun by every *training* family at both densities, plus the same documents
clean. Each document goes through the n-gram site model as restore runs it (scan asked first: a
document it flags gets the flagged passes; `--no-document-prior`: the two plain passes); its
rows at or over the stage's floor are rescored by the neural LM in one batched pass over every
document, and labelled 1 when the site is exactly a spinner's swap and the candidate its
original. Documents are split in two by a hash of their text: the first half fits a small
LightGBM model, the second calibrates it (isotonic) and sets the edit cut, the lowest at which
its edits are >= `--precision` precise with <= 1 false edit per 1,000 clean words. The record
also holds the same fit without the neural features (what the neural LM adds) and the n-gram
site model's own edits on the held-out half. Writes src/unspin/data/restore_model.neural.*.

`--learned` fits the stage for restoring with a learned lexicon (`restore --lm smollm2 --learned
/ --learn-from-input`) on the rows that path gives it: each dictionary training family's crawl at
each density (`--crawl-docs` dev documents past `--crawl-skip`, as `bench learned-cut` builds
them) is deciphered as its own dictionary, and `--docs` of its documents after the first
`--check-docs` (those `learned-cut --restore-docs` restores, so the check stays on documents the
stage never saw) go through the learned site model with that dictionary, spun and clean;
`--mixed` adds a crawl of each family and density in which every other document stays clean (a
dictionary learned from fewer spun pages, as `bench learn-input --mixed` restores), its row
documents as the crawl holds them. Its features add the site model's learned-lexicon ones
(`neural_stage.LEARNED_CARRIED`). Writes
src/unspin/data/restore_model.neural.learned.*, which restore prefers with a learned lexicon.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import zlib
from pathlib import Path
from typing import Any

from ..restorer.site_model import neural_stage_paths

MODEL_PATH, RECORD_PATH = neural_stage_paths()
LEARNED_MODEL_PATH, LEARNED_RECORD_PATH = neural_stage_paths(learned=True)
# more neural evidence for the original never makes it less likely
MONOTONE = ("site_model_p", "neural_gain", "neural_margin", "neural_pooled")
NEURAL_ONLY = ("neural_gain", "neural_margin", "neural_rank", "neural_pooled", "doc_neural_best_mean", "doc_neural_share_over_3")


def add_bench_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train-neural", help="fit the site model's neural stage on dev text spun by the training families",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--docs", type=int, default=40, help="dev documents (each used clean and spun by every family)")
    p.add_argument("--skip", type=int, default=90, metavar="N",
                   help="leave out the first N dev documents of each source (the site model's and the dev comparisons')")
    p.add_argument("--lm", default="smollm2", help="the neural LM (default smollm2)")
    p.add_argument("--precision", type=float, default=0.95, help="edit precision the cut is set for")
    p.add_argument("--jobs", type=int, default=2, help="worker processes for the n-gram rows")
    p.add_argument("--rows-cache", metavar="PICKLE", help="reuse (or write) the labelled rows of an earlier run")
    p.add_argument("--cut", choices=("out-of-family", "in-sample"), default="out-of-family",
                   help="set the edit cut on scores from stages fitted without each document's family (default), or in sample")
    p.add_argument("--no-document-prior", dest="document_prior", action="store_false",
                   help="build the rows without scan's prior (as the stage ran before it took one): by default a "
                        "document scan flags gets the flagged passes, as `restore --lm smollm2` gives it")
    p.add_argument("--learned", action="store_true",
                   help="fit the stage for restoring with a learned lexicon, on crawls restored with their own dictionary")
    p.add_argument("--crawl-docs", type=int, default=200, help="--learned: dev documents a crawl's dictionary is learned from")
    p.add_argument("--crawl-skip", type=int, default=610, metavar="N",
                   help="--learned: dev documents (learn_scoring.corpus_docs) skipped first, as `bench learned-cut --skip`")
    p.add_argument("--check-docs", type=int, default=40, metavar="N",
                   help="--learned: a crawl's first N documents give no rows (`bench learned-cut --restore-docs` checks on them)")
    p.add_argument("--mixed", action="store_true",
                   help="--learned: also a crawl of each family and density in which every other document stays clean")
    p.add_argument("--seed", type=int, default=None, metavar="N",
                   help="LightGBM's random state for every fit (default: its own, as shipped); refits over seeds show how "
                        "much of a difference between two stages is noise (BENCHMARKS.md)")
    p.add_argument("--dry-run", action="store_true", help="print the metrics, write nothing")
    p.add_argument("-q", "--quiet", action="store_true")
    p.set_defaults(handler=run)


_PLAN: dict[str, Any] = {}


def _ngram_one(i: int) -> dict[str, Any]:
    """One document through the n-gram site model: the rows to rescore, labelled."""
    family, text = _PLAN["plan"][i]
    return document_rows(_PLAN["restorer"], family, text)


def document_rows(restorer: Any, family: Any, text: str) -> dict[str, Any]:
    """`text` (spun by `family`, or clean where it is None) through a site-model `restorer` as
    restore runs it: the rows to rescore, labelled."""
    from ..restorer.neural_stage import rescored

    spun = family.spin(text) if family else None
    seen = spun.text if spun else text
    spin = restorer.document_prior(seen) if restorer.document_prior is not None else None
    doc, probs, chosen = restorer.staged_rows(seen, spin)
    picked = rescored(doc, probs)
    gold = {(s.start, s.end): s.original.lower() for s in (spun.swaps if spun else ())}
    labels = [int(gold.get((doc.sites[s].char_start, doc.sites[s].char_end)) == doc.sites[s].candidates[c].original)
              for s, c in picked.keys]
    return {"family": family.name if family else "clean", "density": family.density if family else "",
            "half": zlib.crc32(text.encode()) % 2, "doc": doc, "probs": probs, "picked": picked, "labels": labels,
            "groups": [s for s, _ in picked.keys], "words": len(text.split()), "swaps": len(spun.swaps) if spun else 0,
            "ngram_edits": _ngram_edits(chosen, gold)}


def _ngram_edits(chosen, gold) -> tuple[int, int]:
    """(edits, right edits) of the n-gram site model alone on this document."""
    right = sum(gold.get((c.site.char_start, c.site.char_end)) == c.site.candidates[c.index].original for c in chosen)
    return len(chosen), right


def collect(texts: list[str], restorer, lm, jobs: int, quiet: bool) -> list[dict[str, Any]]:
    import multiprocessing

    from tqdm import tqdm

    from .families.training import training_families

    plan: list[tuple[Any, str]] = [(None, t) for t in texts]
    for density in ("dense", "light"):
        plan.extend((family, t) for family in training_families(density) for t in texts)
    _PLAN.update(plan=plan, restorer=restorer)
    try:
        with multiprocessing.get_context("fork").Pool(max(jobs, 1)) as pool:  # before torch runs: fork is safe
            docs = list(tqdm(pool.imap(_ngram_one, range(len(plan)), chunksize=2), total=len(plan), desc="n-gram rows",
                             disable=quiet, file=sys.stderr))
    finally:
        _PLAN.clear()
    return neural_rows(docs, lm, quiet)


def neural_rows(docs: list[dict[str, Any]], lm, quiet: bool) -> list[dict[str, Any]]:
    """Each document's rescored rows scored by the neural LM (`lm()` loads it): its stage rows."""
    import numpy as np
    from tqdm import tqdm

    from ..restorer.neural_stage import NEURAL_FEATURES, stage_rows

    lm_model = lm()
    for d in tqdm(docs, desc="neural windows", disable=quiet, file=sys.stderr):
        picked = d.pop("picked")
        gains = picked.scored_gains(lm_model)
        rows = stage_rows(d.pop("doc"), d.pop("probs"), picked, gains)
        d["rows"] = np.asarray(rows, dtype=np.float32).reshape(len(rows), len(NEURAL_FEATURES))
    return docs


def collect_learned(args: argparse.Namespace, lm) -> list[dict[str, Any]]:
    """`--learned`'s rows: every training family's crawl at each density, deciphered as its own
    dictionary, its row documents spun and clean through the learned site model with it."""
    import multiprocessing

    from tqdm import tqdm

    from .families.public import RECIPES

    jobs = [(r.name, density, mixed, args) for mixed in ((False, True) if args.mixed else (False,))
            for r in RECIPES for density in ("dense", "light")]
    docs: list[dict[str, Any]] = []
    with multiprocessing.get_context("fork").Pool(max(args.jobs, 1)) as pool:  # before torch runs: fork is safe
        for crawl in tqdm(pool.imap(_crawl_rows, jobs), total=len(jobs), desc="crawls", disable=args.quiet, file=sys.stderr):
            docs.extend(crawl)
    return neural_rows(docs, lm, args.quiet)


def _crawl_rows(job: tuple[str, str, bool, argparse.Namespace]) -> list[dict[str, Any]]:
    """One crawl's rows: its row documents spun and clean; `mixed` (a crawl in which every other
    document stays clean, as `bench learn-input --mixed`): each row document as the crawl holds it."""
    from ..learn import default_toolkit
    from ..learn.from_spun import decipher_texts
    from ..restorer.site_model import model_restorer_with
    from ..steps import with_scan_prior
    from .families.public import RECIPES
    from .learn_scoring import corpus_docs

    name, density, mixed, args = job
    family = next(r for r in RECIPES if r.name == name).family(density)
    texts = corpus_docs("dev", args.crawl_skip + args.crawl_docs)[args.crawl_skip :]
    spun_by = [None if mixed and i % 2 else family for i in range(len(texts))]
    crawl = [f.spin(t).text if f else t for f, t in zip(spun_by, texts)]
    lexicon, _ = decipher_texts(lambda: iter(crawl), default_toolkit(), jobs=1)
    restorer = with_scan_prior(model_restorer_with(lexicon if len(lexicon) else None))
    rows_from = range(args.check_docs, min(args.check_docs + args.docs, len(texts)))
    if mixed:
        return [document_rows(restorer, spun_by[i], texts[i]) for i in rows_from]
    return [document_rows(restorer, f, texts[i]) for f in (family, None) for i in rows_from]


def fit(docs: list[dict[str, Any]], precision: float, drop: tuple[str, ...] = (),
        cut: float | None = None, seed: int | None = None) -> tuple[Any, Any, dict[str, Any], list[str]]:
    """The stage fitted on one half of `docs` and calibrated on the other; its metrics there at
    `cut` (default: the lowest cut for `precision` on that half, `choose_cut`). `seed`: LightGBM's
    random state (it samples rows and features for each tree); None keeps its own."""
    import lightgbm as lgb
    import numpy as np
    from sklearn.isotonic import IsotonicRegression

    from ..restorer.neural_stage import NEURAL_FEATURES
    from .train_restore import choose_cut, evaluate

    names = [n for n in NEURAL_FEATURES if n not in drop]
    keep = [NEURAL_FEATURES.index(n) for n in names]
    train = [d for d in docs if d["half"] == 0 and len(d["labels"])]
    held = [d for d in docs if d["half"] == 1]
    x = np.concatenate([d["rows"][:, keep] for d in train])
    y = np.asarray([l for d in train for l in d["labels"]])
    model = lgb.LGBMClassifier(n_estimators=200, learning_rate=0.05, num_leaves=7, min_child_samples=50,
                               subsample=0.8, subsample_freq=1, colsample_bytree=0.8,
                               monotone_constraints=[1 if n in MONOTONE else 0 for n in names], verbose=-1, n_jobs=2,
                               random_state=seed)
    model.fit(x, y)
    raw = [model.predict_proba(d["rows"][:, keep])[:, 1] if len(d["labels"]) else np.zeros(0) for d in held]
    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
    iso.fit(np.concatenate(raw), np.concatenate([d["labels"] for d in held]))
    calibrated = [iso.predict(r) if len(r) else r for r in raw]
    if cut is None:
        cut, metrics = choose_cut(held, calibrated, precision)
    else:
        metrics = evaluate(held, calibrated, cut)
    metrics["cut"] = cut
    importance = sorted(zip(names, model.booster_.feature_importance("gain").tolist()), key=lambda p: -p[1])
    metrics["feature_gain"] = {k: round(v, 1) for k, v in importance}
    metrics["per_family"] = _per_family(held, calibrated, cut)
    return model, iso, metrics, names


def out_of_family_cut(docs: list[dict[str, Any]], precision: float, drop: tuple[str, ...] = (),
                      seed: int | None = None) -> tuple[float, dict[str, Any]]:
    """The cut for an unseen spinner: each training family's held-out documents are scored by
    the stage fitted and calibrated without that family, clean ones by the stage fitted on all;
    the lowest cut whose pooled edits are >= `precision` precise (`choose_cut`) on those scores.
    The in-sample cut is optimistic: a family the stage was fitted on is a family it knows."""
    from ..restorer.neural_stage import NEURAL_FEATURES
    from .train_restore import choose_cut

    families = sorted({d["family"] for d in docs if d["family"] != "clean"})
    scored, probs = [], []
    for family in families + ["clean"]:
        fitted_on = docs if family == "clean" else [d for d in docs if d["family"] != family]
        model, iso, _, names = fit(fitted_on, precision, drop, seed=seed)
        keep = [NEURAL_FEATURES.index(n) for n in names]
        for d in docs:
            if d["family"] == family and d["half"] == 1:
                scored.append(d)
                probs.append(iso.predict(model.predict_proba(d["rows"][:, keep])[:, 1]) if len(d["labels"]) else [])
    cut, metrics = choose_cut(scored, probs, precision)
    metrics["cut"] = cut
    metrics["per_family"] = _per_family(scored, probs, cut)
    return cut, metrics


def _per_family(held: list[dict[str, Any]], calibrated: list[Any], cut: float) -> dict[str, Any]:
    from .train_restore import evaluate

    out = {}
    for key in sorted({(d["family"], d["density"]) for d in held if d["family"] != "clean"}):
        pairs = [(d, p) for d, p in zip(held, calibrated) if (d["family"], d["density"]) == key or d["family"] == "clean"]
        out[" ".join(key)] = evaluate([d for d, _ in pairs], [p for _, p in pairs], cut)
    return out


def ceiling(docs: list[dict[str, Any]]) -> dict[str, Any]:
    """How many swaps the stage could restore at most (the true row was rescored), and the n-gram
    site model's own edits, on the held-out half."""
    held = [d for d in docs if d["half"] == 1 and d["family"] != "clean"]
    swaps = sum(d["swaps"] for d in held)
    edits = sum(d["ngram_edits"][0] for d in held)
    right = sum(d["ngram_edits"][1] for d in held)
    clean = [d for d in docs if d["half"] == 1 and d["family"] == "clean"]
    return {"swaps": swaps, "rescored_true": sum(sum(d["labels"]) for d in held),
            "ngram_site_model": {"precision": round(right / max(edits, 1), 4), "recall": round(right / max(swaps, 1), 4),
                                 "clean_false_per_1k": round(1000 * sum(d["ngram_edits"][0] for d in clean)
                                                             / max(sum(d["words"] for d in clean), 1), 3)}}


def run(args: argparse.Namespace) -> int:
    from ..restorer.neural_stage import LEARNED_CARRIED
    from .train_restore import cached_rows

    t0 = time.perf_counter()
    docs = cached_rows(args.rows_cache, lambda: _collect_for(args))
    drop = () if args.learned else LEARNED_CARRIED  # all 0 without a learned lexicon
    model, iso, metrics, names = fit(docs, args.precision, drop, seed=args.seed)
    _, _, without, _ = fit(docs, args.precision, drop=(*drop, *NEURAL_ONLY), seed=args.seed)
    if args.cut == "out-of-family":
        cut, out_of_family = out_of_family_cut(docs, args.precision, drop, args.seed)
        in_sample = {k: metrics[k] for k in ("cut", "precision", "recall", "edits")}
        model, iso, metrics, names = fit(docs, args.precision, drop, cut=cut, seed=args.seed)
        metrics.update(in_sample_cut=in_sample, out_of_family=out_of_family)
    from ..restorer.neural_stage import FLOOR, LEFT, PER_SITE, RIGHT

    record = {
        "version": 1,
        "created": time.strftime("%Y-%m-%d %H:%M"),
        "command": _command(args),
        "lm": args.lm,
        "features": names,
        "stage": {"floor": FLOOR, "per_site": PER_SITE, "window_tokens": [LEFT, RIGHT]},
        "data": {**_data(args), "families": sorted({d["family"] for d in docs}), "densities": ["dense", "light"],
                 "rows": sum(len(d["labels"]) for d in docs), "held_out_family_used": False},
        "method": ("LightGBM binary classifier over the rescored (site, candidate) rows (200 trees, 7 leaves, >= 50 rows a leaf, "
                   "monotone increasing in the site model's probability and the neural gains), fitted on half the documents "
                   "(crc32 of the text, even); isotonic calibration on the other half; the edit cut there, on scores of stages "
                   "fitted without each document's family (--cut out-of-family) or in sample."),
        "calibration": {"x": [float(v) for v in iso.X_thresholds_], "y": [float(v) for v in iso.y_thresholds_]},
        "metrics_held_out_half": metrics,
        "without_neural_features": {k: v for k, v in without.items() if k != "per_family"},
        "ceiling_held_out_half": ceiling(docs),
        "seconds": round(time.perf_counter() - t0, 1),
    }
    if args.learned:
        record["trained_with_learned"] = True
    print(json.dumps({k: v for k, v in record.items() if k != "calibration"}, indent=2))
    if not args.dry_run:
        model_path, record_path = (LEARNED_MODEL_PATH, LEARNED_RECORD_PATH) if args.learned else (MODEL_PATH, RECORD_PATH)
        model.booster_.save_model(str(model_path))
        record_path.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return 0


def _collect_for(args: argparse.Namespace) -> list[dict[str, Any]]:
    from functools import partial

    from ..engine import resources

    lm = partial(resources.neural, args.lm, "cpu")
    if args.learned:
        return collect_learned(args, lm)
    from ..restorer.site_model import load_model_restorer

    restorer = load_model_restorer()
    if args.document_prior:
        from ..steps import with_scan_prior

        restorer = with_scan_prior(restorer)
    return collect(_plain_texts(args), restorer, lm, args.jobs, args.quiet)


def _plain_texts(args: argparse.Namespace) -> list[str]:
    from .restore_scoring import clean_chunks

    news, speeches = args.docs // 2, args.docs - args.docs // 2
    return clean_chunks("news", "dev", args.skip + news)[args.skip :] + clean_chunks("sotu", "dev", args.skip + speeches)[args.skip :]


def _command(args: argparse.Namespace) -> str:
    command = f"unspin bench train-neural --docs {args.docs}"
    if args.learned:
        command += f" --learned --crawl-docs {args.crawl_docs} --crawl-skip {args.crawl_skip} --check-docs {args.check_docs}"
        command += " --mixed" if args.mixed else ""
    else:
        command += f" --skip {args.skip}"
    command += f" --lm {args.lm} --precision {args.precision} --cut {args.cut}"
    command += "" if args.seed is None else f" --seed {args.seed}"
    return command + ("" if args.document_prior else " --no-document-prior")


def _data(args: argparse.Namespace) -> dict[str, Any]:
    if args.learned:
        return {"split": "dev", "documents_each_crawl": args.docs, "crawl_documents": args.crawl_docs,
                "crawl_skipped_first": args.crawl_skip, "check_documents_left_out": args.check_docs,
                "mixed_crawls": args.mixed,
                "sources": "learn_scoring.corpus_docs (news articles and State of the Union chunks), each crawl spun "
                           "and the same documents clean, restored with the crawl's own learned dictionary"}
    return {"split": "dev", "documents": args.docs, "skipped_first": args.skip, "sources": "news articles and State of the Union chunks"}
