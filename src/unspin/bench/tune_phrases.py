"""`unspin bench tune-phrases`: fit the phrase decoder (`unspin.engine.phrases`) on the PPS learn half.

Training data: the learn half of the PPS list (`bench.pps.pps_split`: single phrases, split by a
hash of the expected phrase; the test half is never read here). A row trains the model when its
tortured and expected phrases have the same number of words and every changed word's original
is among the decoder's options. Method: an averaged structured perceptron over the decoder's
features (beam search as the decoder runs it), then the softmax temperature that gives the
training rows' originals the highest likelihood among the beam's guesses. Reported: top-1 exact
on the whole learn half (in sample) and by 5-fold cross-validation inside it. The record goes to
src/unspin/data/phrase_decoder.json; `unspin bench restore` scores the test half with it.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
from pathlib import Path
from typing import Sequence

from ..engine.phrases import FEATURES, MAX_CANDIDATES, MODEL_FILE, PhraseDecoder, split_phrase
from .pps import DEFAULT_PPS, pps_split

RECORD_PATH = Path(__file__).resolve().parents[1] / "data" / MODEL_FILE
FOLDS = 5
Row = tuple[str, list[str]]


def add_bench_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("tune-phrases", help="fit the phrase decoder that guesses a tortured phrase's original (PPS learn half)",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--pps", default=str(DEFAULT_PPS), help="PPS CSV (only its learn half is read)")
    p.add_argument("--epochs", type=int, default=5, help="perceptron passes over the training rows")
    p.add_argument("--max-candidates", type=int, default=MAX_CANDIDATES, help="originals per word the decoder considers")
    p.add_argument("--no-cv", action="store_true", help="skip the 5-fold cross-validation")
    p.add_argument("--dry-run", action="store_true", help="print the record, write nothing")
    p.set_defaults(handler=run)


def training_examples(decoder: PhraseDecoder, rows: Sequence[Row]) -> list[tuple[list[str], list[str], list[float]]]:
    """(observed words, original words, the original's features) of the rows the decoder can reach."""
    out = []
    for tortured, expected in rows:
        observed, _ = split_phrase(tortured)
        original, _ = split_phrase(expected[0])
        if len(observed) != len(original) or len(observed) < 2:
            continue
        gold = decoder.path_features(observed, original)
        if gold is not None:
            out.append((observed, original, gold))
    return out


def train(decoder: PhraseDecoder, examples, epochs: int, seed: int = 0) -> tuple[float, ...]:
    """Averaged structured perceptron: where the beam's best is not the original, move the
    weights toward the original's features and away from the best's."""
    weights = [0.0] * len(FEATURES)
    weights[FEATURES.index("keep")] = 0.1  # ties go to keeping the word
    summed = [0.0] * len(FEATURES)
    order = list(range(len(examples)))
    rng = random.Random(seed)
    steps = 0
    for _ in range(epochs):
        rng.shuffle(order)
        for i in order:
            observed, original, gold = examples[i]
            decoder.weights = tuple(weights)
            best = decoder.search(observed)[0][1]
            if best != original:
                predicted = decoder.path_features(observed, best) or gold
                weights = [w + g - p for w, g, p in zip(weights, gold, predicted)]
            summed = [s + w for s, w in zip(summed, weights)]
            steps += 1
    return tuple(s / max(steps, 1) for s in summed)


def fit_temperature(decoder: PhraseDecoder, examples, k: int = 10) -> float:
    """The temperature that gives the originals the highest mean log probability among the k best."""
    lists = []
    for observed, original, _ in examples:
        scored = decoder.search(observed)[:k]
        gold = [s for s, path in scored if path == original]
        if gold:
            lists.append(([s for s, _ in scored], gold[0]))

    def nll(t: float) -> float:
        total = 0.0
        for scores, gold in lists:
            top = scores[0]
            total += math.log(sum(math.exp((s - top) / t) for s in scores)) - (gold - top) / t
        return total / max(len(lists), 1)

    return min((0.25 * 1.25 ** i for i in range(40)), key=nll)


def hits(decoder: PhraseDecoder, rows: Sequence[Row]) -> int:
    """Rows whose best guess is one of the expected phrases."""
    return sum(decoder.best(tortured) in expected for tortured, expected in rows)


def top1(decoder: PhraseDecoder, rows: Sequence[Row]) -> float:
    return hits(decoder, rows) / max(len(rows), 1)


def cross_validated(decoder: PhraseDecoder, rows: Sequence[Row], epochs: int) -> float:
    right = 0
    for fold in range(FOLDS):
        held = [r for i, r in enumerate(rows) if i % FOLDS == fold]
        fitted = [r for i, r in enumerate(rows) if i % FOLDS != fold]
        decoder.weights = train(decoder, training_examples(decoder, fitted), epochs)
        right += hits(decoder, held)
    return right / max(len(rows), 1)


def run(args: argparse.Namespace) -> int:
    from ..engine import resources

    t0 = time.perf_counter()
    learn_rows, _ = pps_split(Path(args.pps))
    decoder = PhraseDecoder(resources.lexicon(), resources.web_pairs(), [0.0] * len(FEATURES), max_candidates=args.max_candidates,
                            technical=resources.technical_pairs())
    cv = None if args.no_cv else cross_validated(decoder, learn_rows, args.epochs)
    examples = training_examples(decoder, learn_rows)
    decoder.weights = train(decoder, examples, args.epochs)
    decoder.temperature = fit_temperature(decoder, examples)
    record = {
        "version": 1,
        "created": time.strftime("%Y-%m-%d %H:%M"),
        "command": f"unspin bench tune-phrases --epochs {args.epochs} --max-candidates {args.max_candidates}",
        "features": list(FEATURES),
        "weights": [round(w, 4) for w in decoder.weights],
        "temperature": round(decoder.temperature, 4),
        "max_candidates": args.max_candidates,
        "data": {"source": "PPS tortured-phrase list, learn half only (bench.pps.pps_split; the test half is never read)",
                 "rows": len(learn_rows), "training_rows": len(examples)},
        "method": f"averaged structured perceptron, {args.epochs} epochs, beam search as decoded; softmax temperature by likelihood",
        "metrics": {"learn_half_top1_in_sample": round(top1(decoder, learn_rows), 4),
                    "learn_half_top1_5fold": None if cv is None else round(cv, 4)},
        "seconds": round(time.perf_counter() - t0, 1),
    }
    print(json.dumps(record, indent=1))
    if not args.dry_run:
        RECORD_PATH.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return 0
