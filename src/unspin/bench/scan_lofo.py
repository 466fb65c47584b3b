"""`unspin bench scan-lofo`: scan's score judged on a spinner it never saw, one training family left out at a time.

    unspin bench scan-lofo --docs 900 --technical-docs 400 --tables-cache TABLES.pickle --format table

Dev split and the dictionary training families only (never the holdout, never the test split).
Each of `--docs` dev news and speech chunks appears clean and spun by every training family at
both densities; `--technical-docs` chunks of technical prose (its train split, as
`calibrate_scan` reads it) appear clean. For each family held out and each of two folds of the
documents (a hash of the chunk), scan's site and document models are fitted as `calibrate_scan`
fits them, on the other fold's clean news and speeches and the other families' spun copies. They
then score the held-out family's copies with at least 8% of their words swapped, against the
held-out fold's clean news and speeches:

- `tpr`: the share flagged at the cut that gives `--fpr` false positives on those clean documents;
- `tpr_with_technical`: at the higher of that cut and the one giving `--fpr` on the held-out
  fold's clean technical chunks, as scan's shipped threshold must hold for both.

A change to the engine's site features (`engine.features`) is judged by running this before and
after it; differences of a point are within what one clean document moves (BENCHMARKS.md,
session 26). Nothing is written but the tables cache.
"""

from __future__ import annotations

import argparse
import json
import time
import zlib
from typing import Any, Callable, Sequence

SPUN_ENOUGH = 0.08  # the scan target's "spun at >= 8%"
FOLDS = 2


def add_bench_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("scan-lofo", help="scan's score on a training family left out of its fit, each in turn",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--docs", type=int, default=900, help="dev news and speech chunks (each clean and spun by every family)")
    p.add_argument("--technical-docs", type=int, default=400, help="technical train chunks, clean (0: none)")
    p.add_argument("--fpr", type=float, default=0.005, help="false-positive rate the cut is set for")
    p.add_argument("--tables-cache", metavar="PICKLE", help="reuse (or write) the site tables of an earlier run")
    p.add_argument("--format", choices=("json", "table"), default="json")
    p.add_argument("-q", "--quiet", action="store_true")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from .train_restore import cached_rows

    started = time.perf_counter()
    tables = cached_rows(args.tables_cache, lambda: build_tables(args.docs, args.technical_docs, args.quiet))
    families = sorted({t["family"] for t in tables} - {"clean"})
    result = {
        "fpr": args.fpr, "documents": len(tables), "families": families,
        "held_out": {family: held_out(tables, family, args.fpr, fit_scorer) for family in families},
    }
    result["mean"] = {key: round(sum(r[key] for r in result["held_out"].values()) / max(len(families), 1), 4)
                      for key in ("tpr", "tpr_with_technical")}
    result["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result, indent=2) if args.format == "json" else table(result))
    return 0


def build_tables(docs: int, technical_docs: int, quiet: bool) -> list[dict[str, Any]]:
    """`calibrate_scan.site_tables` of every chunk clean and spun by every training family,
    each tagged with its source, family ("clean" for none), density and chunk number."""
    from ..scanner.screen import load_screener
    from .calibrate_scan import TECHNICAL_SPLIT, actual_rate, sample_chunks, site_tables
    from .families.training import training_families
    from .restore_scoring import clean_chunks

    screener = load_screener(fitted=False)
    families = [f for density in ("dense", "light") for f in training_families(density) if f.name != "random"]
    out: list[dict[str, Any]] = []

    def add(texts: Sequence[str], source: str, spin: bool) -> None:
        docs_, tags = [(t, 0.0, ()) for t in texts], [("clean", "clean", i) for i in range(len(texts))]
        for family in families if spin else []:
            for i, text in enumerate(texts):
                spun = family.spin(text)
                if spun.swaps:
                    docs_.append((spun.text, actual_rate(spun.text, spun.swaps), spun.swaps))
                    tags.append((family.name, family.density, i))
        for table, (family, density, i) in zip(site_tables(docs_, screener, progress=not quiet), tags):
            out.append({**table, "source": source, "family": family, "density": density, "doc": i})

    add(sample_chunks("dev", docs), "news", spin=True)
    if technical_docs:
        add(clean_chunks("technical", TECHNICAL_SPLIT, technical_docs), "technical", spin=False)
    return out


def fold_of(table: dict[str, Any]) -> int:
    """Which fold a table's chunk falls in: every copy of one chunk (clean or spun) in the same."""
    return zlib.crc32(f"{table['source']}:{table['doc']}".encode()) % FOLDS


def held_out(tables: Sequence[dict[str, Any]], family: str, fpr: float,
             fit: Callable[[list[dict[str, Any]]], Callable[[dict[str, Any]], float]]) -> dict[str, Any]:
    """The held-out family's spun copies (>= 8% swapped) scored by models fitted without it and
    without their fold; `fit(tables) -> score(table)`."""
    from .calibrate_scan import rate_of, threshold_for_fpr

    positives, clean, technical = [], [], []
    for fold in range(FOLDS):
        training = [t for t in tables if t["source"] == "news" and fold_of(t) != fold and t["family"] != family]
        score = fit(training)
        for t in tables:
            if fold_of(t) != fold:
                continue
            if t["family"] == "clean":
                (clean if t["source"] == "news" else technical).append(score(t))
            elif t["family"] == family and t["source"] == "news" and t["actual_rate"] >= SPUN_ENOUGH:
                positives.append(score(t))
    cut = threshold_for_fpr(clean, fpr)
    both = max(cut, threshold_for_fpr(technical, fpr)) if technical else cut
    return {"tpr": round(rate_of(positives, cut), 4), "tpr_with_technical": round(rate_of(positives, both), 4),
            "spun": len(positives), "clean": len(clean), "technical": len(technical)}


def fit_scorer(training: list[dict[str, Any]]) -> Callable[[dict[str, Any]], float]:
    """scan's site and document models fitted on `training` as `calibrate_scan` fits them."""
    from .calibrate_scan import doc_features_of, fit_document_model, fit_site_model

    site_model = fit_site_model(training)
    model = fit_document_model(training, site_model)
    return lambda t: model.probability(doc_features_of(t, site_model))


def table(result: dict[str, Any]) -> str:
    lines = [f"held-out family | TPR at {result['fpr']:.1%} FPR | with technical | spun documents",
             "---|---|---|---"]
    for family, r in result["held_out"].items():
        lines.append(f"{family} | {r['tpr']:.1%} | {r['tpr_with_technical']:.1%} | {r['spun']}")
    lines.append(f"mean | {result['mean']['tpr']:.1%} | {result['mean']['tpr_with_technical']:.1%} |")
    return "\n".join(lines)

