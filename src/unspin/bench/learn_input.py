"""`unspin bench learn-input`: `restore --jsonl --learn-from-input` on a crawl spun by one family.

The rows learned from are the rows restored (a content farm's crawl restored with the dictionary
its own pages give away). Test-split documents (`learn_scoring.corpus_docs`), spun by one family
(the holdout by default); with `--mixed` every other row stays clean. Both commands run as a user
would run them, plain `restore --jsonl` first (unless `--no-plain`), then with `--learn-from-input`,
both with `--lm` (default ngram), and with `--compare-confirm` once more with `--no-confirm`; the
report gives swap recall, edit precision, false edits per 1,000 words of the clean rows, and wall
time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def write_crawl(path: Path, texts: list[str], spun: list[Any]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for i, (text, s) in enumerate(zip(texts, spun)):
            f.write(json.dumps({"id": str(i), "text": s.text if s is not None else text}) + "\n")


def score_output(path: Path, texts: list[str], spun: list[Any]) -> dict[str, Any]:
    rows = {r["doc_id"]: r for r in map(json.loads, path.read_text(encoding="utf-8").splitlines())}
    swaps = edits = correct = clean_words = clean_edits = 0
    for i, s in enumerate(spun):
        row_edits = rows[str(i)]["edits"]
        if s is None:
            clean_words += len(texts[i].split())
            clean_edits += len(row_edits)
            continue
        gold = {(w.start, w.end): w.original.lower() for w in s.swaps}
        swaps += len(gold)
        edits += len(row_edits)
        correct += sum(gold.get((e["start"], e["end"])) == e["original"].lower() for e in row_edits)
    return {"swaps": swaps, "edits": edits, "restored_exactly": correct,
            "swap_recall": round(correct / max(swaps, 1), 4), "edit_precision": round(correct / max(edits, 1), 4),
            "clean_words": clean_words,
            "clean_false_edits_per_1k_words": round(1000 * clean_edits / clean_words, 3) if clean_words else None}


def restore_commands(crawl: Path, tmp: Path, args: argparse.Namespace) -> list[tuple[str, list[str]]]:
    """(label, command) of each `restore --jsonl` run the bench makes, in order."""
    runs = [("plain", []), ("learn_from_input", ["--learn-from-input"])][1 if args.no_plain else 0 :]
    if getattr(args, "compare_confirm", False):
        runs.append(("learn_from_input_no_confirm", ["--learn-from-input", "--no-confirm"]))
    return [(label, [sys.executable, "-m", "unspin", "restore", "--jsonl", str(crawl), "-o", str(tmp / f"{label}.jsonl"),
                     "--jobs", str(args.jobs), "--lm", args.lm, "-q", *extra]) for label, extra in runs]


def run(args: argparse.Namespace) -> int:
    from .families import get_family
    from .learn_scoring import corpus_docs

    family = get_family(args.family, args.density)
    texts = corpus_docs("test", args.docs)
    spun = [family.spin(t) if not args.mixed or i % 2 == 0 else None for i, t in enumerate(texts)]
    result: dict[str, Any] = {"bench": "learn-input", "family": args.family, "density": args.density, "docs": len(texts), "lm": args.lm,
                              "mixed": args.mixed, "jobs": args.jobs, "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                              "machine": f"{platform.machine()} cores={os.cpu_count()}", "runs": {}}
    with tempfile.TemporaryDirectory(prefix="unspin-learn-input-") as tmp:
        crawl = Path(tmp) / "crawl.jsonl"
        write_crawl(crawl, texts, spun)
        for label, command in restore_commands(crawl, Path(tmp), args):
            out = Path(command[command.index("-o") + 1])
            started = time.perf_counter()
            subprocess.run(command, check=True)
            result["runs"][label] = {**score_output(out, texts, spun), "seconds": round(time.perf_counter() - started, 1)}
            print(f"{label}: {result['runs'][label]}", file=sys.stderr, flush=True)
    print(json.dumps(result, indent=2))
    return 0


def add_bench_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("learn-input", help="restore --jsonl --learn-from-input on a crawl spun by one family",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--docs", type=int, default=300, help="test-split rows in the crawl")
    p.add_argument("--family", default="holdout")
    p.add_argument("--density", default="dense", choices=["dense", "light"])
    p.add_argument("--mixed", action="store_true", help="every other row stays clean")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--no-plain", action="store_true", help="run only the --learn-from-input restore, not the plain one first")
    p.add_argument("--compare-confirm", action="store_true",
                   help="also run --learn-from-input with --no-confirm (the pairs the first rows confirm left out)")
    p.add_argument("--lm", default="ngram", help="restore's --lm in every run (default ngram; smollm2: the site model's neural stage)")
    p.set_defaults(handler=run)
