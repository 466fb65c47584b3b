"""How often a fingerprint list fires on clean text: the check before a list is used by default.

    python -m unspin.bench.default_fingerprints [--lists default pps] [--max-docs N] [--format json]

For each list (`default`: TorturePhrases_Estimator's queries, `pps`: the PPS export in
../shared/data, or a CSV path) and each clean source (news and speeches from the test split,
technical prose: library reference docs), it counts matches per 1,000 words and the share of
documents with at least one. Every match on this text is a false positive: none of it is spun.
"""

from __future__ import annotations

import argparse
import inspect
import itertools
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any, Iterable, Iterator

PPS_CSV = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "pps_tortured_phrases.csv"


def clean_sources(max_docs: int, split: str = "test") -> dict[str, list[str]]:
    from ..corpora import documents

    out = {name: [d.text for d in itertools.islice(documents(split, (name,)), max_docs)] for name in ("news", "sotu")}
    try:
        technical = [d.text for d in itertools.islice(documents(None, ("technical",)), max_docs)]
    except (KeyError, ValueError, TypeError):
        technical = []
    out["technical"] = technical or list(itertools.islice(docstrings(), max_docs))
    return out


def docstrings(modules: Iterable[str] = ("numpy", "scipy.stats", "scipy.linalg", "scipy.optimize", "scipy.signal")) -> Iterator[str]:
    """Reference prose from installed libraries, one document per public function (fallback when
    unspin.corpora has no "technical" source)."""
    import importlib

    for name in modules:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        for attr in sorted(dir(module)):
            obj = getattr(module, attr, None)
            doc = inspect.getdoc(obj) if callable(obj) and not attr.startswith("_") else None
            if doc and len(doc.split()) >= 60:
                yield doc


def load_list(name: str):
    from ..scanner.detect import load_fingerprints

    if name == "default":
        from ..lexicon.default_fingerprints import default_list_csv

        return load_fingerprints(str(default_list_csv()))
    if name == "pps":
        return load_fingerprints(str(PPS_CSV))
    return load_fingerprints(name)


def measure(matcher: Any, texts: list[str]) -> dict[str, Any]:
    from ..text import word_count

    words = hits = docs_hit = 0
    phrases: Counter[str] = Counter()
    started = time.perf_counter()
    for text in texts:
        found = matcher.find(text)
        words += word_count(text)
        hits += len(found)
        docs_hit += bool(found)
        phrases.update(f.observed.lower() for f in found)
    return {"documents": len(texts), "words": words, "hits": hits,
            "hits_per_1k_words": round(1000.0 * hits / max(words, 1), 4),
            "documents_with_a_hit": round(docs_hit / max(len(texts), 1), 4),
            "top": phrases.most_common(8), "seconds": round(time.perf_counter() - started, 2)}


def pps_coverage(matcher: Any) -> dict[str, Any]:
    """Of the PPS export's tortured phrases (each alone, as text), the share this list matches."""
    import csv

    with open(PPS_CSV, encoding="utf-8") as fh:
        rows = list(csv.reader(fh))[1:]
    phrases = sorted({q.split('"')[1] for q, *_ in rows if q.count('"') >= 2})
    caught = sum(1 for p in phrases if matcher.find(f"We used {p} here."))
    return {"phrases": len(phrases), "caught": caught, "share": round(caught / max(len(phrases), 1), 4)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lists", nargs="+", default=["default", "pps"])
    parser.add_argument("--max-docs", type=int, default=400, help="documents per source (default 400)")
    parser.add_argument("--split", choices=("dev", "test"), default="test", help="split of news and speeches")
    parser.add_argument("--format", choices=("json", "table"), default="table")
    args = parser.parse_args(argv)
    sources = clean_sources(args.max_docs, args.split)
    results = {}
    for name in args.lists:
        if name == "pps" and not PPS_CSV.exists():
            continue
        matcher = load_list(name)
        results[name] = {"rules": len(matcher), **{src: measure(matcher, texts) for src, texts in sources.items()}}
        if PPS_CSV.exists() and name != "pps":
            results[name]["pps_phrases_caught"] = pps_coverage(matcher)
    if args.format == "json":
        print(json.dumps(results, indent=2))
    else:
        print("| list | rules | source | documents | words | hits | hits / 1,000 words | documents with a hit | most frequent |")
        print("|---|---|---|---|---|---|---|---|---|")
        for name, r in results.items():
            for src in sources:
                m = r[src]
                top = ", ".join(f"{p} ({n})" for p, n in m["top"][:4]) or "-"
                print(f"| {name} | {r['rules']:,} | {src} | {m['documents']} | {m['words']:,} | {m['hits']} | "
                      f"{m['hits_per_1k_words']:.3f} | {m['documents_with_a_hit']:.1%} | {top} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
