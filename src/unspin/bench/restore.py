"""`unspin bench restore`: swap recall, edit precision and speed per spinner family and density;
false edits on clean news, speeches and technical text; the PPS list's test half.

    unspin bench restore --lm ngram --docs 40                    # every family, both densities
    unspin bench restore --family holdout,moby-random --density dense --format table
    unspin bench restore --list-families

Held-out (test split) news articles of 150-600 words are spun by each family; the restorer sees
the spun copy, and a swap counts as restored when an edit covers exactly its span with exactly
its original. Clean false edits: the same news articles unspun, State of the Union chunks,
technical reference prose (corpora "technical") and docstrings of packages nothing was built
from (`corpora.unseen_technical_docs`), each restored as they are. PPS: the test half
of `bench.pps.pps_split`, each phrase restored alone, list off, top-1 exact.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import time
from pathlib import Path

from .family_options import add_family_options, chosen_densities, chosen_families, print_families
from .pps import DEFAULT_PPS, pps_rows, pps_split  # noqa: F401  (pps_rows: the name earlier callers import)
from .restore_scoring import (  # noqa: F401  (sample_docs, score_documents: names earlier callers import)
    RestoreScores,
    score_clean,
    clean_chunks,
    unseen_technical_chunks,
    sample_docs,
    score_documents,
    score_family,
)


def score_pps(restorer, rows: list[tuple[str, list[str]]]) -> dict:
    hits = 0
    t0 = time.perf_counter()
    for tortured, expected in rows:
        hits += restorer.restore_phrase(tortured).lower() in expected
    return {"phrases": len(rows), "top1": round(hits / max(len(rows), 1), 4), "seconds": round(time.perf_counter() - t0, 1)}


def pps_learn_half_lexicon(learn_rows: list[tuple[str, list[str]]]):
    """Word and phrase swaps aligned from the learn half's (tortured, first expected) pairs: which
    synonyms a real spinner picks, as a learned lexicon (never from the test half)."""
    from ..lexicon.learned import LearnedLexicon
    from ..trace import align

    lexicon = LearnedLexicon()
    for tortured, expected in learn_rows:
        lexicon.add_alignment(align(tortured, expected[0]))
    return lexicon


def _score_pps_learned(args: argparse.Namespace, learn_rows, test_rows) -> dict:
    import tempfile

    from ..restorer.decode import load_restorer

    with tempfile.TemporaryDirectory(prefix="unspin-pps-") as tmp:
        path = Path(tmp) / "pps_learn_half.tsv"
        lexicon = pps_learn_half_lexicon(learn_rows)
        lexicon.save(path)
        scores = score_pps(load_restorer(args.lm, learned=str(path)), test_rows)
    return {**scores, "learned_pairs": len(lexicon), "learned_from": f"{len(learn_rows)} learn-half rows"}


def _clean_row(restorer, texts: list[str]) -> dict:
    scores = RestoreScores()
    for text in texts:
        score_clean(restorer, text, scores)
    return {"docs": len(texts), "words": scores.clean_words, "false_edits": scores.clean_false_edits,
            "false_edits_per_1k_words": round(scores.false_per_1k, 3),
            "words_per_second": round(scores.clean_words / max(scores.seconds, 1e-9), 1)}


def family_row(family, scores: RestoreScores) -> dict:
    return {
        "family": family.name, "holdout": family.holdout, "density": family.density,
        "docs": scores.docs, "words": scores.words, "swaps": scores.swaps,
        "swaps_per_word": round(scores.swaps / max(scores.words, 1), 4),
        "restored_exactly": scores.restored_exactly, "edits": scores.edits,
        "swap_recall": round(scores.recall, 4), "edit_precision": round(scores.precision, 4),
        "words_per_second": round(scores.words / max(scores.seconds, 1e-9), 1),
    }


def run(args: argparse.Namespace) -> int:
    from ..steps import restore_engine
    from .families import get_family

    if args.list_families:
        print_families(args.format)
        return 0
    names, densities = chosen_families(args), chosen_densities(args)
    t0 = time.perf_counter()
    from ..model.trees import prefer_lightgbm

    prefer_lightgbm()  # many documents: lightgbm predicts from the first, and its import counts as loading
    restorer = restore_engine(args.lm, spun_threshold=args.spun_threshold, device=args.device,
                              document_prior=args.document_prior)
    load_seconds = time.perf_counter() - t0
    if args.full_windows and getattr(restorer, "neural", None) is not None:
        restorer.neural.shared_context = False
    texts = sample_docs(args.split, args.docs)
    reranker = getattr(getattr(restorer, "neural", None), "lm", None) or getattr(restorer, "reranker", None)
    result: dict = {"bench": "restore", "split": args.split, "lm": args.lm, "spun_threshold": args.spun_threshold,
                    "document_prior": args.document_prior,
                    "docs_per_row": len(texts), "device": str(getattr(reranker, "device", "cpu")),
                    "load_seconds": round(load_seconds, 2)}
    rows = []
    restore_start = time.perf_counter()
    for name in names:
        for density in densities:
            options = {"seed": args.seed, "rate": args.rate} if name == "random" else {}
            family = get_family(name, density, **options)
            rows.append(family_row(family, score_family(restorer, family, texts, progress=not args.quiet)))
    result["families"] = rows
    result["clean"] = {}
    if args.clean_docs != 0:
        for label, source in (("news", "news"), ("speeches", "sotu"), ("technical", "technical")):
            result["clean"][label] = _clean_row(restorer, clean_chunks(source, args.split, args.clean_docs or args.docs))
        result["clean"]["technical_unseen_packages"] = _clean_row(restorer, unseen_technical_chunks(args.clean_docs or args.docs))
    restore_seconds = time.perf_counter() - restore_start
    pps = Path(args.pps)
    if args.pps_limit != 0 and pps.exists():
        _, test_rows = pps_split(pps)
        scored = test_rows[: args.pps_limit] if args.pps_limit else test_rows
        result["pps_test_half"] = score_pps(restorer, scored)
        if args.pps_learn_half:
            learn_rows, _ = pps_split(pps)
            result["pps_test_half_with_learn_half"] = _score_pps_learned(args, learn_rows, scored)
    stage = getattr(restorer, "neural", None)
    if stage is not None:  # where the time of the neural path goes
        result["neural_stage"] = {"lm_seconds": round(stage.lm_seconds, 1), "windows": stage.windows, "shared_context": stage.shared_context,
                                  "dtype": str(next(stage.lm.model.parameters()).dtype).removeprefix("torch."),
                                  "restore_seconds": round(restore_seconds, 1)}
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    result["machine"] = f"{platform.machine()} {platform.processor() or ''} cores={os.cpu_count()}".strip()
    result["date"] = time.strftime("%Y-%m-%d %H:%M")
    _print(result, args.format)
    return 0


def _print(result: dict, fmt: str) -> None:
    if fmt == "json":
        print(json.dumps(result, indent=2))
        return
    print(f"restore bench, lm {result['lm']}, {result['docs_per_row']} {result['split']} articles per row, {result['date']}")
    print(f"{'family':18} {'density':7} {'swaps/word':>10} {'recall':>7} {'precision':>9} {'words/s':>8}")
    for r in result["families"]:
        print(f"{r['family']:18} {r['density']:7} {r['swaps_per_word']:10.3f} {r['swap_recall']:7.3f} {r['edit_precision']:9.3f} {r['words_per_second']:8.1f}")
    for label, c in result["clean"].items():
        print(f"clean {label:12} false edits per 1k words {c['false_edits_per_1k_words']:.2f} ({c['false_edits']} in {c['words']})")
    if "pps_test_half" in result:
        p = result["pps_test_half"]
        print(f"PPS test half      top-1 exact {p['top1']:.3f} of {p['phrases']}")
    if "pps_test_half_with_learn_half" in result:
        p = result["pps_test_half_with_learn_half"]
        print(f"  + learn half     top-1 exact {p['top1']:.3f} ({p['learned_pairs']} pairs learned)")
    print(f"peak memory {result['peak_rss_mb']} MB")


def add_bench_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("restore", help="restoration accuracy and speed per spinner family, clean text and PPS",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--lm", default="ngram")
    from ..cli import add_device_option

    add_device_option(p)
    p.add_argument("--split", default="test", choices=["dev", "test"])
    p.add_argument("--spun-threshold", type=float, default=None, metavar="P",
                   help="as restore --spun-threshold: the site model's cut in documents scan flags as spun")
    p.add_argument("--no-document-prior", dest="document_prior", action="store_false",
                   help="as restore --no-document-prior: scan is not asked first (the engine before 2026-12-06)")
    p.add_argument("--docs", type=int, default=40, help="articles per family and density")
    p.add_argument("--clean-docs", type=int, default=None, help="clean documents per source (default --docs; 0: skip)")
    add_family_options(p)
    p.add_argument("--rate", type=float, default=None, help="random family only: share of words it is asked to swap")
    p.add_argument("--seed", type=int, default=0, help="random family only")
    p.add_argument("--pps", default=str(DEFAULT_PPS), help="PPS CSV (the list is never used by the restorer here)")
    p.add_argument("--pps-limit", type=int, default=None, help="score only the first N phrases of the test half (0: skip)")
    p.add_argument("--pps-learn-half", action="store_true",
                   help="also score the test half with a lexicon aligned from the PPS learn half (the list itself stays off)")
    p.add_argument("--full-windows", action="store_true",
                   help="neural stage only: score every window whole, not the site's shared context once (a speed comparison)")
    p.add_argument("--format", default="json", choices=["json", "table"])
    p.add_argument("-q", "--quiet", action="store_true")
    p.set_defaults(handler=run)
