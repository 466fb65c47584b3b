"""`unspin bench ablation`: what each signal buys the restorer's learned site model.

    unspin bench ablation --rows-cache DEV.pickle --test-rows-cache TEST.pickle --format table

The site model (`bench train-restore`) is refitted once with every feature and once without each
group of features in `SIGNAL_GROUPS` (the signals issue 10 names: the document's spin level,
absent originals, consistency within the document, collocations, names, spinner choice, the
n-gram model). Each refit is trained and calibrated on dev exactly as `train-restore` does (one
half fits, the other calibrates and sets the cut for >= 95% edit precision), then judged:

- on dev's other half (training families), as `train-restore` reports it;
- on test articles spun by the chosen families (default: every family, the holdout first, which
  nothing here trains on; `--family holdout` for it alone) and on the same articles clean.

"Without a group" means those columns are blank (missing) in every row, so the trees cannot
split on them. Edits are the best candidate of each site over the cut, overlaps not resolved
(as `train-restore` counts them): an upper bound of what `restore` would edit. `reachable` is
the share of swaps whose original is among the site's candidates at all: no decision can
restore more.

Two more measures of what limits the decision, on `--limits-docs` test articles per family:
- where the unreachable swaps are lost (`losses`): no site or no candidate at all, an original
  the lexicon does not list, one cut by the prior (120 kept) or by the n-gram shortlist (12);
- how much the n-gram evidence would gain if every other swap were already put back into the
  context (`oracle_context`): the shipped site model's best recall at the precision target, on
  rows whose context windows hold the spun words against rows whose windows hold the originals.
With `--seeds N` every refit is fitted N times, with LightGBM's own random state and with N - 1
others (its row and column sampling): a difference between refits smaller than the spread of one
refit over seeds is noise.
Nothing is written but the row caches.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any, Sequence

from .family_options import add_family_options, chosen_densities, chosen_families

SITE_RAW = "site_"
SIGNAL_GROUPS: dict[str, tuple[str, ...]] = {
    # "the document decides first": how spun the whole document looks
    "document": ("doc_sites_per_100", "doc_best_gain_mean", "doc_share_gain_over_3", "doc_absent_share"),
    # a deterministic spinner removes every occurrence of what it swaps
    "absent_originals": ("candidate_absent", "candidate_count", "observed_repeats", "site_elsewhere", "site_log_repeats"),
    # one observed form maps back to one original across the document
    "consistency": ("pooled_gain", "pooled_best_share"),
    "collocations": ("pairs_known_gain", "pairs_assoc_gain", "observed_pairs_known", "site_pairs_known", "site_pairs_assoc",
                     "site_pairs_known_gain", "site_pairs_assoc_gain", "site_pairs_known_lm"),
    "names": ("capitalised", "site_capitalised", "sentence_start", "site_sentence_start"),
    # which synonyms spinners pick: channel weight, rank, frequency and register
    "spinner_choice": ("log_q", "q_rank", "sources", "function_source", "observed_zipf", "candidate_zipf", "zipf_gain",
                       "site_observed_zipf", "site_zipf_gain"),
    "ngram_lm": ("lm_gain", "lm_gain_margin", "lm_rank", "site_gain", "site_pmi_gain", "site_raw_gain", "site_observed_logp"),
}


def add_bench_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ablation", help="the restore site model refitted without each signal: what each buys",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--docs", type=int, default=60, help="dev documents, as `train-restore --docs`")
    p.add_argument("--skip", type=int, default=60, metavar="N", help="as `train-restore --skip`")
    p.add_argument("--test-docs", type=int, default=40, help="test articles per family and density (and clean)")
    p.add_argument("--groups", default=",".join(SIGNAL_GROUPS), help="signal groups to leave out, one refit each")
    p.add_argument("--precision", type=float, default=0.95, help="edit precision each refit's cut is set for")
    p.add_argument("--seeds", type=int, default=1, metavar="N",
                   help="fit each refit N times (LightGBM's own random state, then seeds 1..N-1) and report the spread")
    p.add_argument("--rows-cache", metavar="PICKLE", help="dev rows (the same file `train-restore --rows-cache` uses)")
    p.add_argument("--test-rows-cache", metavar="PICKLE", help="reuse (or write) the test rows")
    p.add_argument("--jobs", type=int, default=2, help="worker processes building rows")
    p.add_argument("--limits-docs", type=int, default=0, metavar="N",
                   help="also where swaps are lost and what a restored context would buy, on N test articles per family")
    p.add_argument("--skip-refits", action="store_true", help="only --limits-docs (no rows, no refits)")
    add_family_options(p)
    p.add_argument("--format", choices=("json", "table"), default="json")
    p.add_argument("-q", "--quiet", action="store_true")
    p.set_defaults(handler=run)


def feature_groups(names: Sequence[str], features: Sequence[str]) -> dict[str, tuple[int, ...]]:
    """Column indices of each named signal group; an unknown group or feature is an error."""
    out = {}
    for name in names:
        if name not in SIGNAL_GROUPS:
            raise ValueError(f"unknown signal group {name!r} (known: {', '.join(SIGNAL_GROUPS)})")
        missing = [f for f in SIGNAL_GROUPS[name] if f not in features]
        if missing:
            raise ValueError(f"signal group {name!r} names features the model lacks: {', '.join(missing)}")
        out[name] = tuple(features.index(f) for f in SIGNAL_GROUPS[name])
    return out


def without(docs: list[dict[str, Any]], columns: Sequence[int]) -> list[dict[str, Any]]:
    """The documents with those feature columns blank (NaN) in every row."""
    import numpy as np

    out = []
    for doc in docs:
        rows = np.array(doc["rows"], dtype=np.float32).reshape(len(doc["labels"]), -1)
        rows[:, list(columns)] = np.nan
        out.append({**doc, "rows": rows})
    return out


def reachable(docs: list[dict[str, Any]]) -> dict[str, Any]:
    """Swaps whose original is one of their site's candidates, against all swaps (spun documents)."""
    swaps = sum(d["swaps"] for d in docs if d["family"] != "clean")
    reached = sum(len({g for g, label in zip(d["groups"], d["labels"]) if label}) for d in docs if d["family"] != "clean")
    return {"swaps": swaps, "reachable": reached, "share": round(reached / max(swaps, 1), 4)}


def recall_at_precision(docs: list[dict[str, Any]], probs: list[Any], precision: float) -> float:
    """The most swaps restored (share) at any cut whose edits on these spun documents are at
    least `precision` precise: how well the refit ranks, whatever cut it chose. Each site's edit
    is its likeliest candidate at every cut, so one sweep down the sorted edits finds it."""
    edits = []
    for doc, p in zip(docs, probs):
        best: dict[int, tuple[float, int]] = {}
        for g, label, prob in zip(doc["groups"], doc["labels"], p):
            if prob > best.get(g, (-1.0, 0))[0]:
                best[g] = (float(prob), label)
        edits.extend(best.values())
    swaps = sum(d["swaps"] for d in docs)
    right = done = most = 0
    for prob, label in sorted(edits, key=lambda e: -e[0]):
        done += 1
        right += label
        if right >= precision * done:
            most = max(most, right)
    return round(most / max(swaps, 1), 4)


def judge(model: Any, iso: Any, cut: float, docs: list[dict[str, Any]], precision: float = 0.95) -> dict[str, Any]:
    """The refit's edits on other documents at its own cut: per family and density, and clean;
    and the most it restores at `precision` at any cut (`recall_at_precision`)."""
    import numpy as np

    from .train_restore import evaluate

    probs = [iso.predict(model.predict_proba(np.asarray(d["rows"], dtype=float))[:, 1]) if len(d["labels"]) else np.zeros(0)
             for d in docs]
    clean = [(d, p) for d, p in zip(docs, probs) if d["family"] == "clean"]
    out = {}
    for key in sorted({(d["family"], d["density"]) for d in docs if d["family"] != "clean"}):
        spun = [(d, p) for d, p in zip(docs, probs) if (d["family"], d["density"]) == key]
        chosen = spun + clean
        out[f"{key[0]} {key[1]}"] = {**evaluate([d for d, _ in chosen], [p for _, p in chosen], cut),
                                     "recall_at_precision": recall_at_precision([d for d, _ in spun], [p for _, p in spun], precision)}
    return out


def test_rows(texts: list[str], families: list[Any], jobs: int, quiet: bool) -> list[dict[str, Any]]:
    """Labelled rows of the test articles, clean and spun by each family (as `train-restore`'s)."""
    from ..engine import resources
    from ..restorer.candidates import CandidateBuilder
    from .train_restore import collect_plan

    builder = CandidateBuilder(resources.lexicon(), resources.ngram(), resources.web_pairs())
    plan = [(None, "", t) for t in texts] + [(family, "", t) for family in families for t in texts]
    return collect_plan(plan, {"": builder}, quiet, jobs)


LOSSES = ("shortlisted", "no_site", "lexicon_lacks_original", "cut_by_prior", "cut_by_ngram_shortlist")


def loss_of(swap: Any, observed: str, site: Any, full: Sequence[str], ranked: Sequence[str]) -> str:
    """Where one swap stands (`LOSSES`): `site` is the restorer's site at the swap's span (or
    None), `full` every original the lexicon lists for the observed text, `ranked` those the
    prior keeps."""
    original = swap.original.lower()
    if site is not None and original in [c.original for c in site.candidates]:
        return "shortlisted"
    if original in ranked:
        return "cut_by_ngram_shortlist"
    if original in full:
        return "cut_by_prior"
    if site is None and not full:
        return "no_site"
    return "lexicon_lacks_original"


def losses(builder: Any, spun_texts: Sequence[Any]) -> dict[str, Any]:
    """How many swaps stand where (`loss_of`), over these spun texts."""
    from collections import Counter

    from ..engine.shortlist import ranked_candidates

    counts: Counter = Counter()
    for spun in spun_texts:
        sites = {(s.char_start, s.char_end): s for s in builder.build(spun.text).sites}
        for swap in spun.swaps:
            observed = spun.text[swap.start : swap.end].lower()
            full = [c.original for c in builder.lexicon.candidates(observed)]
            ranked = [c.original for c in ranked_candidates(builder.lexicon, None, observed)]
            counts[loss_of(swap, observed, sites.get((swap.start, swap.end)), full, ranked)] += 1
    swaps = sum(counts.values())
    return {"swaps": swaps, **{k: round(counts[k] / max(swaps, 1), 4) for k in LOSSES}}


def gold_context(doc: Any, swaps: Sequence[Any]) -> dict[tuple[int, int], tuple[int, str]]:
    """Every swap as an edit the builder puts into its neighbours' context windows (a site's own
    words stay as written): (sentence, first token) -> (token end, original)."""
    applied = {}
    for index, sent in enumerate(doc.sentences):
        starts = {t.start: i for i, t in enumerate(sent)}
        ends = {t.end: i for i, t in enumerate(sent)}
        for swap in swaps:
            if swap.start in starts and swap.end in ends:
                applied[(index, starts[swap.start])] = (ends[swap.end] + 1, swap.original.lower())
    return applied


def oracle_context(builder: Any, model: Any, spun_texts: Sequence[Any], precision: float) -> dict[str, float]:
    """The site model's best recall at `precision`, context as spun against context restored."""
    out = {}
    for kind in ("spun", "restored"):
        docs, probs = [], []
        for spun in spun_texts:
            gold = {(s.start, s.end): s.original.lower() for s in spun.swaps}
            doc = builder.build(spun.text)
            if kind == "restored":
                doc = builder.build(spun.text, applied=gold_context(doc, spun.swaps), previous=doc)
            labels, groups, rows = [], [], []
            for k, site in enumerate(doc.sites):
                truth = gold.get((site.char_start, site.char_end))
                for cand, row in zip(site.candidates, site.rows):
                    labels.append(int(cand.original == truth))
                    groups.append(k)
                    rows.append(row)
            docs.append({"labels": labels, "groups": groups, "swaps": len(spun.swaps)})
            probs.append(model.probabilities(rows))
        out[f"context_{kind}"] = recall_at_precision(docs, probs, precision)
    return out


def limits(families: list[Any], texts: list[str], precision: float) -> dict[str, Any]:
    """`losses` and `oracle_context` per family and density."""
    from ..engine import resources
    from ..restorer.candidates import CandidateBuilder
    from ..restorer.site_model import CandidateModel

    builder = CandidateBuilder(resources.lexicon(), resources.ngram(), resources.web_pairs())
    model = CandidateModel.load()
    out = {}
    for family in families:
        spun = [family.spin(t) for t in texts]
        out[f"{family.name} {family.density}"] = {"where_swaps_stand": losses(builder, spun),
                                                  "best_recall_at_precision": oracle_context(builder, model, spun, precision)}
    return out


def refit(name: str, columns: Sequence[int], dev: list[dict[str, Any]], test: list[dict[str, Any]], precision: float,
          quiet: bool, seed: int | None = None) -> dict[str, Any]:
    """The site model fitted on `dev` without those columns, its cut and what it does on `test`."""
    from ..restorer.candidates import CANDIDATE_FEATURES
    from . import train_restore

    if not quiet:
        print(f"refitting without {name}" + ("" if seed is None else f", seed {seed}"), file=sys.stderr)
    dev = without(dev, columns) if columns else dev
    model, iso, metrics = train_restore.fit(dev, precision, seed=seed)
    return {"without": name, "seed": seed, "features": [CANDIDATE_FEATURES[j] for j in columns], "cut": metrics["cut"],
            "dev_held_out_half": {k: metrics[k] for k in ("precision", "recall", "edits", "clean_false_per_1k")},
            "test": judge(model, iso, metrics["cut"], without(test, columns) if columns else test, precision)}


def run(args: argparse.Namespace) -> int:
    from ..engine import resources
    from ..restorer.candidates import CANDIDATE_FEATURES, CandidateBuilder
    from .families import get_family
    from .restore_scoring import clean_chunks, sample_docs
    from .train_restore import cached_rows, collect

    t0 = time.perf_counter()
    groups = feature_groups([g for g in args.groups.split(",") if g], CANDIDATE_FEATURES)
    families = [get_family(name, density) for name in chosen_families(args) for density in chosen_densities(args)]
    result: dict[str, Any] = {"bench": "ablation", "precision_target": args.precision}
    if args.limits_docs:
        result["limits"] = {"test_documents": args.limits_docs,
                            **limits(families, sample_docs("test", args.limits_docs), args.precision)}
    if args.skip_refits:
        result["seconds"] = round(time.perf_counter() - t0, 1)
        print(json.dumps(result, indent=2) if args.format == "json" else table(result))
        return 0
    news, speeches = args.docs // 2, args.docs - args.docs // 2
    texts = clean_chunks("news", "dev", args.skip + news)[args.skip :] + clean_chunks("sotu", "dev", args.skip + speeches)[args.skip :]
    dev = cached_rows(args.rows_cache, lambda: collect(texts, CandidateBuilder(resources.lexicon(), resources.ngram(),
                                                                                    resources.web_pairs()), args.quiet, None, args.jobs))
    test = cached_rows(args.test_rows_cache, lambda: test_rows(sample_docs("test", args.test_docs), families, args.jobs, args.quiet))
    result.update({"dev_documents": len(texts), "test_documents": args.test_docs,
                   "reachable": {"dev": reachable(dev), "test": reachable(test)},
                   "refits": [refit(name, columns, dev, test, args.precision, args.quiet, seed)
                              for name, columns in [("none", ())] + list(groups.items())
                              for seed in [None, *range(1, args.seeds)]]})
    if args.seeds > 1:
        result["spread"] = spread(result["refits"])
    result["seconds"] = round(time.perf_counter() - t0, 1)
    print(json.dumps(result, indent=2) if args.format == "json" else table(result))
    return 0


def spread(refits: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per refit name, over its seeds: the mean, lowest and highest dev recall at its cut, false
    edits per 1,000 clean test words at it, and each test group's most restored at the precision
    target (how well it ranks)."""
    out: dict[str, dict[str, Any]] = {}
    for name in dict.fromkeys(r["without"] for r in refits):
        fits = [r for r in refits if r["without"] == name]
        measures = {"dev recall": [r["dev_held_out_half"]["recall"] for r in fits]}
        if fits[0]["test"]:
            measures["clean false edits per 1k"] = [next(iter(r["test"].values()))["clean_false_per_1k"] for r in fits]
        for key in fits[0]["test"]:
            measures[f"{key} best"] = [r["test"][key]["recall_at_precision"] for r in fits]
        out[name] = {k: {"mean": round(sum(v) / len(v), 4), "min": min(v), "max": max(v)} for k, v in measures.items()}
    return out


def _share_or_rate(measure: str, value: float) -> str:
    return f"{value:.2f}" if measure.endswith("per 1k") else f"{value:.1%}"


def table(result: dict[str, Any]) -> str:
    lines = []
    for key, row in result.get("limits", {}).items():
        if key == "test_documents":
            continue
        stand, best = row["where_swaps_stand"], row["best_recall_at_precision"]
        lines.append(f"{key}: {stand['swaps']} swaps; " + ", ".join(f"{k} {stand[k]:.1%}" for k in LOSSES)
                     + f"; best recall at {result['precision_target']:.0%}: context spun {best['context_spun']:.1%}, "
                     f"restored {best['context_restored']:.1%}")
    if not result.get("refits"):
        return "\n".join(lines)
    lines += [f"reachable swaps: dev {result['reachable']['dev']['share']:.1%}, test {result['reachable']['test']['share']:.1%}",
              f"(in brackets: the most restored at {result['precision_target']:.0%} precision at any cut)",
              "without | cut | dev recall / precision | " + " | ".join(f"{k} recall / precision" for k in result["refits"][0]["test"])
              + " | clean false edits per 1k (test)"]
    for refit in result["refits"]:
        dev, test = refit["dev_held_out_half"], refit["test"]
        cells = [f"{m['recall']:.1%} / {m['precision']:.1%} ({m['recall_at_precision']:.1%})" for m in test.values()]
        clean = next(iter(test.values()))["clean_false_per_1k"] if test else 0.0
        seed = "" if refit.get("seed") is None else f" (seed {refit['seed']})"
        lines.append(f"{refit['without']}{seed} | {refit['cut']:.2f} | {dev['recall']:.1%} / {dev['precision']:.1%} | "
                     + " | ".join(cells) + f" | {clean:.2f}")
    for name, measures in result.get("spread", {}).items():
        lines.append(f"{name} over seeds (mean, lowest-highest): "
                     + "; ".join(f"{k} {_share_or_rate(k, m['mean'])} ({_share_or_rate(k, m['min'])}-{_share_or_rate(k, m['max'])})"
                                 for k, m in measures.items()))
    return "\n".join(lines)
