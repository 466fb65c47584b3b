"""`unspin bench learn`: a spinner's dictionary learned from its output alone, and what it buys.

For each spinner family (holdout first; until `unspin.bench.families` exists, a deterministic
stand-in built from `bench/spinner.py`'s dictionary): spin N test documents, learn from them
alone, restore *other* test documents spun by the same family with and without the learned
dictionary. Reports pair precision (against the family's rules and the swaps it made) and
recall by how often a swap occurred, restoration swap recall / edit precision before and after,
false edits per 1,000 clean words with the dictionary on, pairs learned from a mixed corpus and
from a clean-only one, and learning time.

`--calibrate` fits the learner's confidence model on the *dev* split (non-holdout families
only) and writes src/unspin/data/learn_calibration.json.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import re
import sys
import tempfile
import time
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..corpora import documents, paragraphs
from ..text import match_case, word_count
from .restore import _truncate

DOC_WORDS = 400
CALIBRATION = Path(__file__).resolve().parents[1] / "data" / "learn_calibration.json"


# --- documents ------------------------------------------------------------------------------


def corpus_docs(split: str, n: int) -> list[str]:
    """News articles cut to ~400 words, then State of the Union paragraphs joined to ~400."""
    out = [t for t in (_truncate(d.text, DOC_WORDS) for d in documents(split, sources=("news",))) if word_count(t) >= 150]
    if len(out) < n:
        for doc in documents(split, sources=("sotu",)):
            pending = ""
            for para in paragraphs(doc):
                pending = f"{pending}\n\n{para}".strip()
                if word_count(pending) >= DOC_WORDS * 0.8:
                    out.append(pending)
                    pending = ""
            if len(out) >= n:
                break
    return out[:n]


# --- spinners -------------------------------------------------------------------------------


@dataclass
class BenchSpinner:
    name: str
    holdout: bool
    spin: Callable  # text -> SpunText
    rules: Callable[[], dict] | None = None


def spinners(split_use: str) -> list[BenchSpinner]:
    """The families (holdout first; none but non-holdout ones for calibration), or the stand-in."""
    try:
        from .families import family_names, get_family
    except ImportError:
        return [BenchSpinner("deterministic-standin", split_use != "calibrate", DeterministicSpinner(seed=7).spin)]
    out = []
    for name in family_names():
        fam = get_family(name)
        if split_use == "calibrate" and fam.holdout:
            continue
        out.append(BenchSpinner(fam.name, fam.holdout, fam.spin, fam.rules))
    return sorted(out, key=lambda s: not s.holdout)


class DeterministicSpinner:
    """bench/spinner.py's dictionary made deterministic: each headword (and phrase) always gets
    the same output, every matching occurrence is swapped, two headwords in three have a rule."""

    def __init__(self, seed: int = 0) -> None:
        from .spinner import Spinner

        self.seed = seed
        self._base = Spinner(seed)
        self._base._word_swap = self._word_swap
        self._base._plan = self._plan
        self._base.random = _KeyedChoice(self)

    def spin(self, text: str):
        return self._base.spin(text, rate=1.0)

    def choose(self, key, options):
        return random.Random(zlib.crc32(f"{self.seed}:{key}".encode())).choice(list(options))

    def _plan(self, tokens, text, target):
        """Every option, left to right, that overlaps no earlier one (per sentence)."""
        from ..text import sentences

        plans = []
        for sent in sentences(tokens, text):
            taken: set[int] = set()
            for first, last, start, end, original, replacement in self._base._options(sent):
                if not taken.intersection(range(first, last + 1)):
                    taken.update(range(first, last + 1))
                    plans.append((start, end, original, replacement))
        return sorted(plans)

    def _word_swap(self, sent, i):
        from .spinner import _STOP, _analyses, _inflect

        tok = sent[i]
        if tok.lower in _STOP or len(tok.text) < 3:
            return None
        for lemma, tag in _analyses(tok.lower):
            synonyms = self._base.dictionary.get(lemma)
            if not synonyms or zlib.crc32(f"{self.seed}/{lemma}".encode()) % 3 == 0:
                continue
            inflected = _inflect(self.choose(lemma, synonyms), tag)
            if inflected and inflected != tok.lower:
                return match_case(tok.text, inflected)
        return None


class _KeyedChoice:
    """Stands in for the base spinner's `random`: choices keyed by the options, no shuffling."""

    def __init__(self, owner: DeterministicSpinner) -> None:
        self.owner = owner

    def choice(self, options):
        return self.owner.choose(tuple(options), options)

    def shuffle(self, items) -> None:
        items.sort(key=lambda o: o[0])

    def random(self) -> float:
        return 1.0


# --- scoring --------------------------------------------------------------------------------


def gold_pairs(spun) -> Counter:
    return Counter((s.observed.lower(), s.original.lower()) for doc in spun for s in doc.swaps)


def _lemma_key(phrase: str) -> str:
    from ..lexicon.index import _lemmas

    return " ".join(min(_lemmas(w) or (w,)) for w in phrase.split())


def pair_correct(pair: tuple[str, str], gold: Counter, rules: dict | None) -> bool:
    observed, original = pair
    if pair in gold:
        return True
    if rules:
        outputs = {o.lower() for o in rules.get(original, ())} | {o.lower() for o in rules.get(_lemma_key(original), ())}
        return observed in outputs or _lemma_key(observed) in {_lemma_key(o) for o in outputs}
    return False


def pair_scores(pairs, gold: Counter, rules: dict | None) -> dict:
    learned = {(p.observed, p.original): p for p in pairs}
    correct = {k for k in learned if pair_correct(k, gold, rules)}
    seen3 = [k for k, p in learned.items() if p.count >= 3]
    bands = {"1-2": (1, 2), "3-9": (3, 9), "10+": (10, 10**9)}
    recall = {}
    for band, (lo, hi) in bands.items():
        members = [k for k, c in gold.items() if lo <= c <= hi]
        recall[band] = {"gold_pairs": len(members), "recall": round(sum(k in learned for k in members) / max(len(members), 1), 4)}
    swaps_covered = sum(c for k, c in gold.items() if k in learned) / max(sum(gold.values()), 1)
    return {
        "pairs": len(learned),
        "precision": round(len(correct) / max(len(learned), 1), 4),
        "pairs_seen_3plus": len(seen3),
        "precision_seen_3plus": round(sum(k in correct for k in seen3) / max(len(seen3), 1), 4),
        "recall_by_band": recall,
        "swap_tokens_covered": round(swaps_covered, 4),
    }


def restoration_scores(restorer, spun, clean: list[str]) -> dict:
    swaps = exact = edits = 0
    for doc in spun:
        result = restorer.restore(doc.text)
        gold = {(s.start, s.end): s.original.lower() for s in doc.swaps}
        swaps += len(gold)
        edits += len(result.edits)
        exact += sum(gold.get((e.span.start, e.span.end)) == e.original.lower() for e in result.edits)
    clean_words = clean_edits = 0
    for text in clean:
        result = restorer.restore(text)
        clean_words += result.words
        clean_edits += len(result.edits)
    return {
        "swaps": swaps,
        "swap_recall": round(exact / max(swaps, 1), 4),
        "edit_precision": round(exact / max(edits, 1), 4),
        "clean_false_edits_per_1k": round(1000 * clean_edits / max(clean_words, 1), 3),
    }


# --- runs -----------------------------------------------------------------------------------


def learn(texts: list[str], jobs: int, learner):
    from ..learn import learn_from_spun

    return learn_from_spun(lambda: texts, learner, jobs=jobs)


def run_bench(args: argparse.Namespace) -> int:
    from ..decode import load_restorer
    from ..learn import SpunLearner, default_toolkit, to_lexicon
    from ..learn.from_spun import default_min_confidence

    sizes = [int(s) for s in args.sizes.split(",")]
    pool = corpus_docs("test", max(sizes) + 2 * args.restore_docs)
    restore_texts, clean_texts = pool[: args.restore_docs], pool[args.restore_docs : 2 * args.restore_docs]
    learn_pool = pool[2 * args.restore_docs :]
    learner = SpunLearner(default_toolkit())
    min_conf = args.min_confidence if args.min_confidence is not None else default_min_confidence()
    baseline = load_restorer(lm="ngram")
    report: dict = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()} cores={os.cpu_count()} (measured under load)",
        "min_confidence": min_conf,
        "learn_pool_docs": len(learn_pool),
        "families": [],
    }
    clean_only = learn(learn_pool[: args.clean_docs], args.jobs, learner)
    report["clean_only"] = {"docs": len(learn_pool[: args.clean_docs]), "pairs": sum(p.confidence >= min_conf for p in clean_only.pairs), "seconds": round(clean_only.seconds, 1)}
    _progress(f"clean-only: {report['clean_only']}")
    for spinner in spinners("bench")[: args.families or None]:
        rules = spinner.rules() if spinner.rules else None
        eval_spun = [spinner.spin(t) for t in restore_texts]
        row = {"family": spinner.name, "holdout": spinner.holdout, "before": restoration_scores(baseline, eval_spun, clean_texts), "by_size": []}
        for n in sizes:
            docs = learn_pool[:n]
            spun = [spinner.spin(t) for t in docs]
            result = learn([s.text for s in spun], args.jobs, learner)
            kept = [p for p in result.pairs if p.confidence >= min_conf]
            entry = {"docs": len(docs), "words": sum(word_count(t) for t in docs), "learn_seconds": round(result.seconds, 1), **pair_scores(kept, gold_pairs(spun), rules)}
            with tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, "spinner.tsv")
                to_lexicon(result, min_conf).save(path)
                entry["after"] = restoration_scores(load_restorer(lm="ngram", learned=path), eval_spun, clean_texts)
            if n == args.mixed_size:
                half = len(docs) // 2
                mixed = learn([s.text for s in spun[:half]] + docs[half:], args.jobs, learner)
                entry["mixed"] = pair_scores([p for p in mixed.pairs if p.confidence >= min_conf], gold_pairs(spun[:half]), rules)
            row["by_size"].append(entry)
            _progress(f"{spinner.name} n={n}: {json.dumps(entry)}")
        report["families"].append(row)
    text = json.dumps(report, indent=1)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


def run_calibration(args: argparse.Namespace) -> int:
    """Fit the confidence model on dev documents spun by non-holdout spinners (and clean ones)."""
    from ..learn import SpunLearner, default_toolkit
    from ..learn.decipher import FEATURES, LearnConfig

    pool = corpus_docs("dev", args.calibrate_docs * 2)
    learner = SpunLearner(default_toolkit(), LearnConfig())
    xs, ys = [], []
    for spinner in spinners("calibrate"):
        for size, spun_share in ((args.calibrate_docs // 4, 1.0), (args.calibrate_docs, 1.0), (args.calibrate_docs, 0.5)):
            cut = int(size * spun_share)
            spun = [spinner.spin(t) for t in pool[:cut]]
            gold, rules = gold_pairs(spun), spinner.rules() if spinner.rules else None
            for p in learn([s.text for s in spun] + pool[cut:size], args.jobs, learner).pairs:
                xs.append(p.features)
                ys.append(int(pair_correct((p.observed, p.original), gold, rules)))
            _progress(f"{spinner.name} {size}: {len(xs)} pairs, {sum(ys)} true")
    for p in learn(pool[args.calibrate_docs :], args.jobs, learner).pairs:
        xs.append(p.features)
        ys.append(0)
    weights = _fit_logistic(xs, ys)
    config = LearnConfig(weights=tuple(weights))
    min_conf = _choose_threshold(xs, ys, weights, args.target_precision)
    payload = {
        "method": "logistic regression (L2, C=1) of pair truth on the learner's features, over every pair deciphered "
        "from dev-split documents spun by the non-holdout spinners and from clean dev documents; min_confidence is the "
        f"lowest confidence at which the dev pairs kept are >= {args.target_precision} correct",
        "features": list(FEATURES),
        "pairs": len(ys),
        "true_pairs": sum(ys),
        "spinners": [s.name for s in spinners("calibrate")],
        "params": {"weights": [round(w, 4) for w in config.weights]},
        "min_confidence": round(min_conf, 3),
        "date": time.strftime("%Y-%m-%d"),
    }
    CALIBRATION.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(payload, indent=1))
    return 0


def _fit_logistic(xs, ys) -> list[float]:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=1.0, max_iter=2000, fit_intercept=False)
    model.fit(xs, ys)
    return [float(w) for w in model.coef_[0]]


def _choose_threshold(xs, ys, weights, target: float) -> float:
    scored = sorted(((1 / (1 + math.exp(-sum(w * f for w, f in zip(weights, x)))), y) for x, y in zip(xs, ys)), reverse=True)
    best, correct = 0.99, 0
    for i, (conf, y) in enumerate(scored, 1):
        correct += y
        if correct / i >= target:
            best = conf
    return max(min(best, 0.99), 0.05)


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def add_bench_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("learn", help="a spinner's dictionary learned from its output alone: pair precision/recall, restoration before/after")
    p.add_argument("--sizes", default="50,300,1000", help="spun documents to learn from (comma-separated)")
    p.add_argument("--restore-docs", type=int, default=30, help="other test documents restored (spun, and clean)")
    p.add_argument("--clean-docs", type=int, default=300, help="clean-only corpus size")
    p.add_argument("--mixed-size", type=int, default=300, help="at this size also learn from half spun, half clean")
    p.add_argument("--families", type=int, default=0, help="only the first N families (0: all)")
    p.add_argument("--min-confidence", type=float, default=None)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("-o", "--output", help="also write the JSON here")
    p.add_argument("--calibrate", action="store_true", help="fit the confidence model on dev text instead")
    p.add_argument("--calibrate-docs", type=int, default=200)
    p.add_argument("--target-precision", type=float, default=0.95)
    p.add_argument("--format", default="json", choices=["json"])
    p.set_defaults(handler=lambda args: run_calibration(args) if args.calibrate else run_bench(args))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m unspin.bench.learn")
    add_bench_parser(parser.add_subparsers(dest="bench"))
    ns = parser.parse_args(["learn", *sys.argv[1:]])
    sys.exit(ns.handler(ns))
