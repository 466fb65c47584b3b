"""`unspin bench fuzz --seconds N`: coverage-guided fuzzing (atheris, extra `fuzz`) of the extractors.

Targets: docx, pdf, html (`unspin.io.extract.extract_text`), csv, jsonl (`unspin.io.iter_documents`
over a file). A crash is any exception other than a coded `InputError` from the extractors, or
any exception at all from the row readers (which turn bad rows into error documents), and any
input slower than `--timeout` s or above `--rss-mb`. Each target runs in its own process (libFuzzer
exits the process when it stops); crashing inputs are copied into `--crashes` (by default
tests/data/fuzz/<target>/), which `tests/bench/test_fuzz_corpus.py` replays on every test run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGETS = ("docx", "pdf", "html", "csv", "jsonl")
DEFAULT_CRASHES = Path(__file__).resolve().parents[3] / "tests" / "data" / "fuzz"


def check(target: str, data: bytes) -> None:
    """Run one input through a target; raises only for a defect (what the fuzzer reports)."""
    from unspin.errors import InputError

    if target in ("docx", "pdf", "html"):
        from unspin.io.extract import extract_text

        try:
            extract_text(data, f".{target}", f"fuzz.{target}")
        except InputError:
            pass
        return
    _read_rows(target, data)


def _read_rows(target: str, data: bytes) -> None:
    from unspin.errors import CATALOGUE
    from unspin.io import iter_documents

    folder = "/dev/shm" if os.path.isdir("/dev/shm") else None
    with tempfile.NamedTemporaryFile(suffix=f".{target}", dir=folder) as fh:
        fh.write(data)
        fh.flush()
        for doc in iter_documents([fh.name]):
            if doc.error is not None and doc.error[:4] not in CATALOGUE:
                raise AssertionError(f"error without a catalogue code: {doc.error!r}")


# --- one target in its own process -----------------------------------------------------------


def _fuzz_one(target: str, libfuzzer_args: list[str]) -> None:
    try:
        import atheris
    except ImportError:
        from unspin.errors import MissingExtraError

        raise MissingExtraError("fuzz", "unspin bench fuzz") from None
    with atheris.instrument_imports():  # coverage of our readers and of pypdf guides the search
        import unspin.io.extract  # noqa: F401
        import unspin.io.readers  # noqa: F401
        import unspin.io.rows  # noqa: F401

        if target == "pdf":
            import pypdf  # noqa: F401
    for module in ("lxml.html", "trafilatura"):
        try:
            __import__(module)
        except ImportError:
            pass

    def one_input(data: bytes) -> None:
        check(target, data)

    atheris.Setup([sys.argv[0], *libfuzzer_args], one_input)
    atheris.Fuzz()


# --- the harness -----------------------------------------------------------------------------


def run_target(target: str, seconds: int, crashes: Path, timeout: int, rss_mb: int, work: Path) -> dict:
    from unspin.bench.samples import seeds

    corpus = work / target / "corpus"
    artifacts = work / target / "artifacts"
    corpus.mkdir(parents=True)
    artifacts.mkdir(parents=True)
    for number, seed in enumerate(seeds()[target]):
        (corpus / f"seed-{number}").write_bytes(seed)
    known = crashes / target
    if known.is_dir():
        for path in known.iterdir():
            shutil.copy(path, corpus / f"known-{path.name}")
    args = [str(corpus), f"-max_total_time={seconds}", f"-timeout={timeout}", f"-rss_limit_mb={rss_mb}",
            f"-artifact_prefix={artifacts}/", "-print_final_stats=1", "-close_fd_mask=3"]
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "unspin.bench.fuzz", "--one", target, "--", *args],
                          capture_output=True, text=True, timeout=seconds + 120)
    found = _keep_artifacts(artifacts, known)
    return {"target": target, "seconds": round(time.perf_counter() - started, 1), "exit": proc.returncode,
            "executions": _stat(proc.stderr, "stat::number_of_executed_units"),
            "corpus": len(list(corpus.iterdir())), "new_crashes": found,
            "tail": proc.stderr.strip().splitlines()[-3:] if found else []}


def _keep_artifacts(artifacts: Path, known: Path) -> list[str]:
    found = []
    for path in sorted(artifacts.iterdir()):
        kind = path.name.split("-", 1)[0]  # crash, timeout, oom, leak, slow-unit
        digest = hashlib.sha1(path.read_bytes()).hexdigest()[:16]
        dest = known / f"{kind}-{digest}"
        if not dest.exists():
            known.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, dest)
            found.append(dest.name)
    return found


def _stat(stderr: str, name: str) -> int | None:
    for line in stderr.splitlines():
        if line.startswith(name):
            return int(line.split(":")[-1].strip())
    return None


def run(args: argparse.Namespace) -> int:
    try:
        import atheris  # noqa: F401
    except ImportError:
        print("unspin bench fuzz: install unspin[fuzz] (atheris) first", file=sys.stderr)
        return 4
    targets = TARGETS if args.target == "all" else (args.target,)
    crashes = Path(args.crashes)
    with tempfile.TemporaryDirectory(prefix="unspin-fuzz-") as work:
        results = [run_target(t, args.seconds, crashes, args.timeout, args.rss_mb, Path(work)) for t in targets]
    report = {"bench": "fuzz", "seconds_per_target": args.seconds, "date": time.strftime("%Y-%m-%d"), "targets": results,
              "new_crashes": sum(len(r["new_crashes"]) for r in results)}
    print(json.dumps(report, indent=1))
    return 1 if report["new_crashes"] else 0


def add_bench_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("fuzz", help="fuzz the extractors (docx, pdf, html, csv, jsonl) with atheris")
    p.add_argument("--seconds", type=int, default=60, help="time per target (default 60)")
    p.add_argument("--target", default="all", choices=("all", *TARGETS))
    p.add_argument("--crashes", default=str(DEFAULT_CRASHES), help="where crashing inputs are kept (the regression corpus)")
    p.add_argument("--timeout", type=int, default=10, help="seconds one input may take before it counts as a hang")
    p.add_argument("--rss-mb", type=int, default=2048, help="memory one input may take before it counts as a crash")
    p.set_defaults(handler=run)


if __name__ == "__main__" and len(sys.argv) > 2 and sys.argv[1] == "--one":
    _fuzz_one(sys.argv[2], sys.argv[4:] if len(sys.argv) > 3 and sys.argv[3] == "--" else sys.argv[3:])
