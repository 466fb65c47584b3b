"""`unspin bench learn`: a spinner's dictionary learned from its output alone, and what it buys.

For each spinner family (holdout first; until `unspin.bench.families` exists, a deterministic
stand-in built from `bench/spinner.py`'s dictionary): spin N test documents, learn from them
alone, restore *other* test documents spun by the same family with and without the learned
dictionary. Reports pair precision (against the family's rules and the swaps it made) and
recall by how often a swap occurred, restoration swap recall / edit precision before and after,
false edits per 1,000 clean words with the dictionary on, pairs learned from a mixed corpus and
from a clean-only one, and learning time.

The confidence model is fitted on dev text by `python -m unspin.bench.calibrate_learn`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..learn.from_spun import MIN_SPIN_PROBABILITY
from ..text import word_count
from .learn_scoring import DeterministicSpinner, _progress, corpus_docs, gold_pairs, learn, pair_scores, restoration_scores


@dataclass
class BenchSpinner:
    name: str
    holdout: bool
    spin: Callable  # text -> SpunText
    rules: Callable[[], dict] | None = None


def spinners(density: str = "dense") -> list[BenchSpinner]:
    """Every family, the holdout first, then the stand-in deterministic spinner."""
    from .families import family_names, get_family

    out = []
    for name in family_names():
        fam = get_family(name, density)
        out.append(BenchSpinner(f"{fam.name}/{density}", fam.holdout, fam.spin, fam.rules))
    out.append(BenchSpinner("bench-spinner-deterministic", False, DeterministicSpinner(seed=7).spin))
    return sorted(out, key=lambda s: not s.holdout)


def run_bench(args: argparse.Namespace) -> int:
    from ..restorer.decode import load_restorer
    from ..learn import SpunLearner, default_toolkit, to_lexicon
    from ..learn.from_spun import default_min_confidence

    sizes = [int(s) for s in args.sizes.split(",")]
    pool = corpus_docs("test", max(sizes) + 2 * args.restore_docs)
    restore_texts, clean_texts = pool[: args.restore_docs], pool[args.restore_docs : 2 * args.restore_docs]
    learn_pool = pool[2 * args.restore_docs :]
    learner = SpunLearner(default_toolkit(args.min_spin_probability))
    min_conf = args.min_confidence if args.min_confidence is not None else default_min_confidence()
    baseline = load_restorer(lm=args.lm)
    report: dict = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()} cores={os.cpu_count()} (measured under load)",
        "lm": args.lm,
        "min_confidence": min_conf,
        "min_spin_probability": args.min_spin_probability,
        "learn_pool_docs": len(learn_pool),
        "families": [],
    }
    clean_only = learn(learn_pool[: args.clean_docs], args.jobs, learner)
    report["clean_only"] = {"docs": len(learn_pool[: args.clean_docs]), "screened_out": clean_only.screened_out,
                            "pairs": sum(p.confidence >= min_conf for p in clean_only.pairs), "seconds": round(clean_only.seconds, 1)}
    _progress(f"clean-only: {report['clean_only']}")
    for spinner in spinners(args.density)[: args.families or None]:
        rules = spinner.rules() if spinner.rules else None
        eval_spun = [spinner.spin(t) for t in restore_texts]
        row = {"family": spinner.name, "holdout": spinner.holdout, "before": restoration_scores(baseline, eval_spun, clean_texts), "by_size": []}
        for n in sizes:
            docs = learn_pool[:n]
            spun = [spinner.spin(t) for t in docs]
            result = learn([s.text for s in spun], args.jobs, learner)
            kept = [p for p in result.pairs if p.confidence >= min_conf]
            entry = {"docs": len(docs), "screened_out": result.screened_out, "words": sum(word_count(t) for t in docs),
                     "learn_seconds": round(result.seconds, 1), **pair_scores(kept, gold_pairs(spun), rules)}
            with tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(args.keep_lexicons or tmp, f"{spinner.name.replace('/', '-')}.{n}.tsv")
                os.makedirs(os.path.dirname(path), exist_ok=True)
                to_lexicon(result, min_conf).save(path)
                if args.keep_lexicons:  # and the pairs below the cut, to try other cuts without learning again
                    to_lexicon(result, min(min_conf, 0.5)).save(path.replace(".tsv", ".wide.tsv"))
                entry["after"] = restoration_scores(load_restorer(lm=args.lm, learned=path), eval_spun, clean_texts)
            if n == args.mixed_size:
                half = len(docs) // 2
                mixed = learn([s.text for s in spun[:half]] + docs[half:], args.jobs, learner)
                entry["mixed"] = {"screened_out": mixed.screened_out,
                                  **pair_scores([p for p in mixed.pairs if p.confidence >= min_conf], gold_pairs(spun[:half]), rules)}
            row["by_size"].append(entry)
            _progress(f"{spinner.name} n={n}: {json.dumps(entry)}")
        report["families"].append(row)
    if args.timing_docs:
        report["timing"] = _timing(args, learner)
        _progress(f"timing: {report['timing']}")
    text = json.dumps(report, indent=1)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


def _timing(args: argparse.Namespace, learner) -> dict:
    """Learning time alone on `timing_docs` documents of ~400 words spun by the first family
    (test split, topped up from dev: no accuracy is read from this run)."""
    docs = corpus_docs("test", args.timing_docs)
    if len(docs) < args.timing_docs:
        docs += corpus_docs("dev", args.timing_docs - len(docs))
    spinner = spinners(args.density)[0]
    texts = [spinner.spin(t).text for t in docs]
    result = learn(texts, args.jobs, learner)
    return {"family": spinner.name, "docs": len(texts), "words": sum(word_count(t) for t in texts), "jobs": args.jobs, "seconds": round(result.seconds, 1)}


def add_bench_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("learn", help="a spinner's dictionary learned from its output alone: pair precision/recall, restoration before/after")
    p.add_argument("--sizes", default="50,300,1000", help="spun documents to learn from (comma-separated)")
    p.add_argument("--restore-docs", type=int, default=30, help="other test documents restored (spun, and clean)")
    p.add_argument("--clean-docs", type=int, default=300, help="clean-only corpus size")
    p.add_argument("--mixed-size", type=int, default=300, help="at this size also learn from half spun, half clean")
    p.add_argument("--families", type=int, default=0, help="only the first N families, holdout first (0: all)")
    p.add_argument("--density", default="dense", choices=["dense", "light"])
    p.add_argument("--min-confidence", type=float, default=None)
    p.add_argument("--min-spin-probability", type=float, default=MIN_SPIN_PROBABILITY,
                   help="learn only from documents scan gives this spin probability (default: %(default)s; 0: all)")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--lm", default="ngram", choices=["ngram", "smollm2"],
                   help="the restorer before and after (smollm2: the site model's neural stage; with a learned lexicon, the stage fitted for one)")
    p.add_argument("--timing-docs", type=int, default=1000, help="also time learning alone on this many spun documents (0: skip)")
    p.add_argument("-o", "--output", help="also write the JSON here")
    p.add_argument("--keep-lexicons", metavar="DIR", help="also keep each learned lexicon here (FAMILY.SIZE.tsv; FAMILY.SIZE.wide.tsv: every pair of confidence >= 0.5)")
    p.add_argument("--format", default="json", choices=["json"])
    p.set_defaults(handler=run_bench)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m unspin.bench.learn")
    add_bench_parser(parser.add_subparsers(dest="bench"))
    ns = parser.parse_args(["learn", *sys.argv[1:]])
    sys.exit(ns.handler(ns))
