"""`unspin bench restore`: swap recall, edit precision, false edits on clean text, PPS phrases, speed."""

from __future__ import annotations

import argparse
import csv
import json
import platform
import re
import resource
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from ..corpora import documents
from ..text import word_count
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


def sample_docs(split: str, n: int, min_words: int = 150, max_words: int = 600) -> list[str]:
    """Held-out news articles, cut to at most max_words at a sentence end."""
    out = []
    for doc in documents(split, sources=("news",)):
        text = _truncate(doc.text, max_words)
        if word_count(text) >= min_words:
            out.append(text)
        if len(out) >= n:
            break
    return out


def _truncate(text: str, max_words: int) -> str:
    words = 0
    for m in re.finditer(r"[^.!?]+[.!?]+[\"']?\s*", text):
        words += len(m.group().split())
        if words > max_words:
            return text[: m.start()].strip()
    return text.strip()


def score_documents(restorer, texts: list[str], rate: float, seed: int = 0, progress: bool = True) -> RestoreScores:
    from tqdm import tqdm

    spinner = Spinner(seed=seed)
    scores = RestoreScores()
    for text in tqdm(texts, desc="restore bench", disable=not progress, file=sys.stderr):
        spun = spinner.spin(text, rate=rate)
        t0 = time.perf_counter()
        result = restorer.restore(spun.text)
        clean = restorer.restore(text)
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
        scores.clean_words += clean.words
        scores.clean_false_edits += len(clean.edits)
    return scores


def pps_rows(path: Path) -> list[tuple[str, list[str]]]:
    """Single-phrase rows with a plain expected phrase: (tortured, [expected options])."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            query, expected = row["tortured_phrase"].strip(), row["expected_phrase"].strip()
            m = re.fullmatch(r'"([^"]+)"', query)
            if not m or not expected or re.search(r"[?()\[\]:]|http", expected):
                continue
            rows.append((m.group(1), [e.strip().lower() for e in expected.split("/") if e.strip()]))
    return rows


def score_pps(restorer, path: Path, limit: int | None = None) -> dict:
    rows = pps_rows(path)[:limit] if limit else pps_rows(path)
    hits = 0
    t0 = time.perf_counter()
    for tortured, expected in rows:
        restored = restorer.restore_phrase(tortured).lower()
        hits += restored in expected
    return {"phrases": len(rows), "top1": round(hits / max(len(rows), 1), 4), "seconds": round(time.perf_counter() - t0, 1)}


def run(args: argparse.Namespace) -> int:
    from ..restorer.decode import load_restorer

    t0 = time.perf_counter()
    restorer = load_restorer(args.lm)
    load_seconds = time.perf_counter() - t0
    texts = sample_docs(args.split, args.docs)
    result: dict = {"split": args.split, "lm": args.lm, "rate": args.rate, "load_seconds": round(load_seconds, 2)}
    result["news"] = score_documents(restorer, texts, args.rate, seed=args.seed).summary()
    pps = Path(args.pps)
    if args.pps_limit != 0 and pps.exists():
        result["pps"] = score_pps(restorer, pps, args.pps_limit or None)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    result["machine"] = f"{platform.machine()} {platform.processor() or ''} cores={__import__('os').cpu_count()}".strip()
    result["date"] = time.strftime("%Y-%m-%d")
    print(json.dumps(result, indent=2))
    return 0


def add_bench_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("restore", help="restoration accuracy and speed on held-out spun news and the PPS list")
    p.add_argument("--lm", default="ngram")
    p.add_argument("--split", default="test", choices=["dev", "test"])
    p.add_argument("--docs", type=int, default=60)
    p.add_argument("--rate", type=float, default=0.12, help="share of words the simulator swaps")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--pps", default=str(DEFAULT_PPS), help="PPS CSV (the list is never used by the restorer here)")
    p.add_argument("--pps-limit", type=int, default=None, help="score only the first N phrases (0: skip)")
    p.add_argument("--format", default="json", choices=["json"])
    p.set_defaults(handler=run)
