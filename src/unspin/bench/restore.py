"""`unspin bench restore`: swap recall, edit precision and speed per spinner family and density;
false edits on clean news, speeches and technical text; the PPS list's test half.

    unspin bench restore --lm ngram --docs 40                    # every family, both densities
    unspin bench restore --family holdout,moby-random --density dense --format table
    unspin bench restore --list-families

Held-out (test split) news articles of 150-600 words are spun by each family; the restorer sees
the spun copy, and a swap counts as restored when an edit covers exactly its span with exactly
its original. Clean false edits: the same news articles unspun, State of the Union chunks and
technical reference prose (corpora "technical"), each restored as they are. PPS: the test half
of `bench.pps.pps_split`, each phrase restored alone, list off, top-1 exact.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from ..corpora import documents
from ..text import word_count
from .family_options import add_family_options, chosen_densities, chosen_families, print_families
from .pps import pps_rows, pps_split  # noqa: F401  (pps_rows: the name earlier callers import)
from .spinner import Spinner

DEFAULT_PPS = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "pps_tortured_phrases.csv"


@dataclass
class RestoreScores:
    docs: int = 0
    words: int = 0
    swaps: int = 0
    restored_exactly: int = 0
    edits: int = 0
    correct_edits: int = 0
    clean_words: int = 0
    clean_false_edits: int = 0
    seconds: float = 0.0

    @property
    def recall(self) -> float:
        return self.restored_exactly / max(self.swaps, 1)

    @property
    def precision(self) -> float:
        return self.correct_edits / max(self.edits, 1)

    @property
    def false_per_1k(self) -> float:
        return 1000 * self.clean_false_edits / max(self.clean_words, 1)

    def summary(self) -> dict:
        return {
            **asdict(self),
            "swap_recall": round(self.recall, 4),
            "edit_precision": round(self.precision, 4),
            "false_edits_per_1k_clean_words": round(self.false_per_1k, 3),
            "words_per_second": round((self.words + self.clean_words) / max(self.seconds, 1e-9), 1),
        }


def sample_docs(split: str, n: int, min_words: int = 150, max_words: int = 600, source: str = "news") -> list[str]:
    """Held-out articles (or other corpus documents), cut to at most max_words at a sentence end."""
    out = []
    for doc in documents(split, sources=(source,)):
        text = _truncate(doc.text, max_words)
        if word_count(text) >= min_words:
            out.append(text)
        if len(out) >= n:
            break
    return out


def clean_chunks(source: str, split: str, n: int) -> list[str]:
    """n clean documents of 150-600 words: news articles, speech chunks, or technical prose
    (consecutive docstrings joined, since one is rarely 150 words)."""
    from .calibrate_scan import chunk_text

    if source == "news":
        return sample_docs(split, n)
    out: list[str] = []
    pending: list[str] = []
    for doc in documents(split, sources=(source,)):
        pending.append(doc.text)
        if source == "sotu" or sum(word_count(p) for p in pending) >= 400:
            out.extend(chunk_text("\n\n".join(pending)))
            pending = []
        if len(out) >= n:
            break
    return out[:n]


def _truncate(text: str, max_words: int) -> str:
    words = 0
    for m in re.finditer(r"[^.!?]+[.!?]+[\"']?\s*", text):
        words += len(m.group().split())
        if words > max_words:
            return text[: m.start()].strip()
    return text.strip()


def score_documents(restorer, texts: list[str], rate: float, seed: int = 0, progress: bool = True) -> RestoreScores:
    """The old random spinner at one rate (what `bench tune` optimises; see training_families)."""
    from tqdm import tqdm

    spinner = Spinner(seed=seed)
    scores = RestoreScores()
    for text in tqdm(texts, desc="restore bench", disable=not progress, file=sys.stderr):
        spun = spinner.spin(text, rate=rate)
        _score_spun(restorer, spun, scores)
        _score_clean(restorer, text, scores)
    return scores


def score_family(restorer, family, texts: list[str], progress: bool = True) -> RestoreScores:
    from tqdm import tqdm

    scores = RestoreScores()
    for text in tqdm(texts, desc=f"restore {family.name}/{family.density}", disable=not progress, file=sys.stderr):
        _score_spun(restorer, family.spin(text), scores)
    return scores


def _score_spun(restorer, spun, scores: RestoreScores) -> None:
    t0 = time.perf_counter()
    result = restorer.restore(spun.text)
    scores.seconds += time.perf_counter() - t0
    gold = {(s.start, s.end): s.original.lower() for s in spun.swaps}
    scores.docs += 1
    scores.words += result.words
    scores.swaps += len(gold)
    scores.edits += len(result.edits)
    for edit in result.edits:
        if gold.get((edit.span.start, edit.span.end)) == edit.original.lower():
            scores.correct_edits += 1
            scores.restored_exactly += 1


def _score_clean(restorer, text: str, scores: RestoreScores) -> None:
    t0 = time.perf_counter()
    clean = restorer.restore(text)
    scores.seconds += time.perf_counter() - t0
    scores.clean_words += clean.words
    scores.clean_false_edits += len(clean.edits)


def score_pps(restorer, rows: list[tuple[str, list[str]]]) -> dict:
    hits = 0
    t0 = time.perf_counter()
    for tortured, expected in rows:
        hits += restorer.restore_phrase(tortured).lower() in expected
    return {"phrases": len(rows), "top1": round(hits / max(len(rows), 1), 4), "seconds": round(time.perf_counter() - t0, 1)}


def _clean_row(restorer, texts: list[str]) -> dict:
    scores = RestoreScores()
    for text in texts:
        _score_clean(restorer, text, scores)
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
    from .. import load_restorer
    from .families import get_family

    if args.list_families:
        print_families(args.format)
        return 0
    names, densities = chosen_families(args), chosen_densities(args)
    t0 = time.perf_counter()
    restorer = load_restorer(args.lm)
    load_seconds = time.perf_counter() - t0
    texts = sample_docs(args.split, args.docs)
    result: dict = {"bench": "restore", "split": args.split, "lm": args.lm, "docs_per_row": len(texts),
                    "load_seconds": round(load_seconds, 2)}
    rows = []
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
    pps = Path(args.pps)
    if args.pps_limit != 0 and pps.exists():
        _, test_rows = pps_split(pps)
        result["pps_test_half"] = score_pps(restorer, test_rows[: args.pps_limit] if args.pps_limit else test_rows)
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
    print(f"peak memory {result['peak_rss_mb']} MB")


def add_bench_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("restore", help="restoration accuracy and speed per spinner family, clean text and PPS",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--lm", default="ngram")
    p.add_argument("--split", default="test", choices=["dev", "test"])
    p.add_argument("--docs", type=int, default=40, help="articles per family and density")
    p.add_argument("--clean-docs", type=int, default=None, help="clean documents per source (default --docs; 0: skip)")
    add_family_options(p)
    p.add_argument("--rate", type=float, default=None, help="random family only: share of words it is asked to swap")
    p.add_argument("--seed", type=int, default=0, help="random family only")
    p.add_argument("--pps", default=str(DEFAULT_PPS), help="PPS CSV (the list is never used by the restorer here)")
    p.add_argument("--pps-limit", type=int, default=None, help="score only the first N phrases of the test half (0: skip)")
    p.add_argument("--format", default="json", choices=["json", "table"])
    p.add_argument("-q", "--quiet", action="store_true")
    p.set_defaults(handler=run)
