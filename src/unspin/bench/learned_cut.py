"""`unspin bench learned-cut`: does the cut for restoring with a learned lexicon hold on a crawl
restored with the dictionary its own pages give away (`restore --jsonl --learn-from-input`)?

`train-restore --learned-docs` sets that cut (`cut_learned`) on its held-out half, with lexicons
learned from other documents. This checks it where it is used most, on other dev documents: for
each dictionary training family (`families.public`, never the holdout) and density, `--docs` dev
documents past those `train-restore` and `calibrate_learn` draw on, spun by the family, are
deciphered as the crawl's own dictionary and restored with it (learned site model, document prior)
at a low cut; every edit is kept with its probability and whether it is the swap's original. The
report gives the pooled precision and recall at each cut. With `--write`, the lowest cut at or
above the trained one whose pooled precision reaches `--precision` goes into the learned model's
record (`crawl_check`), and restoring with a learned lexicon edits there. The check only raises
the cut: a lower one would also need the clean-text check `train-restore` makes.

Edits at a higher cut are read off the low-cut run (the sites' probabilities do not depend on the
cut in a document scan flags; elsewhere the second pass's context does), so the figures are close
to, not exactly, what a run at that cut gives: `bench learn-input` gives those.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any, Sequence

from .train_restore import LEARNED_RECORD_PATH

LOW_CUT = 0.5  # edits are collected from here up
REPORTED_CUTS = tuple(round(0.8 + 0.01 * i, 2) for i in range(19))  # 0.80 ... 0.98, beside the trained and chosen cuts
ScoredEdit = tuple[float, bool]  # (the site model's probability, right)


def add_bench_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("learned-cut", help="check the learned site model's cut on crawls restored with their own dictionary",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--docs", type=int, default=300, help="dev documents per crawl")
    p.add_argument("--skip", type=int, default=610, metavar="N",
                   help="dev documents (learn_scoring.corpus_docs) skipped first: train-restore's lexicons and "
                        "calibrate_learn's pool come before")
    p.add_argument("--precision", type=float, default=0.95, help="pooled edit precision the cut must reach")
    p.add_argument("--densities", nargs="+", default=["dense", "light"], choices=["dense", "light"])
    p.add_argument("--write", action="store_true", help="record the chosen cut in the learned model's record")
    p.add_argument("--jobs", type=int, default=2, help="crawls in parallel")
    p.add_argument("-q", "--quiet", action="store_true")
    p.set_defaults(handler=run)


def crawl_edits(name: str, density: str, docs: int, skip: int) -> dict[str, Any]:
    """One family's crawl of dev documents, deciphered and restored with its own dictionary."""
    from ..learn import default_toolkit
    from ..learn.from_spun import decipher_texts
    from ..restorer.site_model import model_restorer_with
    from ..steps import with_scan_prior
    from .families.public import RECIPES
    from .learn_scoring import corpus_docs
    from .restore_scoring import answer_key, restored_right

    family = next(r for r in RECIPES if r.name == name).family(density)
    spun = [family.spin(t) for t in corpus_docs("dev", skip + docs)[skip:]]
    lexicon, _ = decipher_texts(lambda: iter([s.text for s in spun]), default_toolkit(), jobs=1)
    engine = with_scan_prior(model_restorer_with(lexicon if len(lexicon) else None))
    edits: list[ScoredEdit] = []
    swaps = 0
    for s in spun:
        gold = answer_key(s)
        swaps += len(gold)
        edits += [(e.confidence, restored_right(e, gold)) for e in engine.restore(s.text, LOW_CUT).edits]
    return {"family": name, "density": density, "documents": len(spun), "swaps": swaps, "pairs": len(lexicon),
            "cut_in_use": engine.cut, "edits": edits}


def at_cut(edits: Sequence[ScoredEdit], swaps: int, cut: float) -> dict[str, Any]:
    kept = [right for p, right in edits if p >= cut]
    right = sum(kept)
    return {"cut": cut, "right": right, "edits": len(kept), "precision": round(right / max(len(kept), 1), 4),
            "recall": round(right / max(swaps, 1), 4)}


def choose_cut(edits: Sequence[ScoredEdit], floor: float, precision: float) -> float | None:
    """The lowest cut >= `floor` whose edits are at least `precision` right (None: none is)."""
    for cut in sorted({p for p, _ in edits if p >= floor} | {floor}):
        kept = [right for p, right in edits if p >= cut]
        if kept and sum(kept) / len(kept) >= precision:
            return cut
    return None


def _crawl(job: tuple[str, str, int, int]) -> dict[str, Any]:
    return crawl_edits(*job)


def run(args: argparse.Namespace) -> int:
    from .families.public import RECIPES

    started = time.perf_counter()
    jobs = [(r.name, density, args.docs, args.skip) for r in RECIPES for density in args.densities]
    with multiprocessing.get_context("fork").Pool(max(1, args.jobs)) as pool:
        crawls = []
        for crawl in pool.imap(_crawl, jobs):
            crawls.append(crawl)
            if not args.quiet:
                print(f"{crawl['family']} {crawl['density']}: {crawl['pairs']} pairs, {len(crawl['edits'])} edits at {LOW_CUT}",
                      file=sys.stderr, flush=True)
    trained = trained_cut(LEARNED_RECORD_PATH)
    pooled = [e for c in crawls for e in c["edits"]]
    swaps = sum(c["swaps"] for c in crawls)
    chosen = choose_cut(pooled, trained, args.precision)
    cuts = sorted({trained, *REPORTED_CUTS} | ({chosen} if chosen is not None else set()))
    report = {
        "bench": "learned-cut", "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()} cores={os.cpu_count()}",
        "command": f"unspin bench learned-cut --docs {args.docs} --skip {args.skip} --precision {args.precision} "
                   f"--densities {' '.join(args.densities)}",
        "data": {"split": "dev", "documents_each": args.docs, "skipped_first": args.skip,
                 "families": sorted({c["family"] for c in crawls}), "densities": list(args.densities),
                 "held_out_family_used": False},
        "trained_cut": trained, "precision_asked": args.precision, "cut": chosen,
        "pooled": [at_cut(pooled, swaps, c) for c in cuts],
        "by_crawl": [{k: v for k, v in c.items() if k != "edits"} | {"at_trained": at_cut(c["edits"], c["swaps"], trained),
                                                                     "at_chosen": at_cut(c["edits"], c["swaps"], chosen or 1.0)}
                     for c in crawls],
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(report, indent=2))
    if args.write:
        write_check(LEARNED_RECORD_PATH, report)
    return 0


def trained_cut(record_path: Path) -> float:
    """The cut `train-restore` chose for restoring with a learned lexicon (not one a check raised)."""
    return float(json.loads(record_path.read_text(encoding="utf-8"))["metrics_held_out_half"]["cut_learned"])


def write_check(record_path: Path, report: dict[str, Any]) -> None:
    """Put the check (cut, command, pooled figures) into the learned model's record."""
    record = json.loads(record_path.read_text(encoding="utf-8"))
    record["crawl_check"] = {k: report[k] for k in ("date", "machine", "command", "data", "trained_cut",
                                                    "precision_asked", "cut", "pooled")}
    record_path.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
