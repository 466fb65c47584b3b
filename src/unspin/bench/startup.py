"""`unspin bench startup`: one document through a fresh CLI process, as a user runs it.

    unspin bench startup --runs 3 --format json

Each command (`unspin scan FILE`, `unspin restore FILE`, n-gram path) runs `--runs` times in a
new process with the models already built in the cache. Reported per command: wall seconds of
each run (process start, imports, model loading and the document, all included), their median,
the peak resident memory of the process (from `wait4`), and which heavy modules it imported (one
more run under `python -X importtime`; a package counts where one of its submodules was
imported). The document is the first news article of the test split cut to `--words` words,
or `--text FILE`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .machine import describe as describe_machine

COMMANDS = {"scan": ["scan"], "restore": ["restore", "--lm", "ngram"]}
HEAVY = ("spacy", "thinc", "torch", "transformers", "lightgbm", "sklearn", "scipy", "pyspark", "fastapi")


def add_bench_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("startup", help="one document through a fresh `unspin scan` / `unspin restore` process: seconds, memory")
    p.add_argument("--runs", type=int, default=3, help="runs per command (default %(default)s)")
    p.add_argument("--words", type=int, default=600, help="words of the test article (default %(default)s)")
    p.add_argument("--text", help="a text file to use instead of the test article")
    p.add_argument("--commands", default=",".join(COMMANDS), help="comma-separated, of: " + ", ".join(COMMANDS))
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(handler=run_bench)


def run_bench(args: argparse.Namespace) -> int:
    names = [n for n in args.commands.split(",") if n]
    unknown = [n for n in names if n not in COMMANDS]
    if unknown or args.runs < 1:
        print(f"unspin bench startup: unknown command {unknown} or --runs under 1", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.text) if args.text else _test_article(Path(tmp) / "article.txt", args.words)
        words = len(path.read_bytes().decode("utf-8", errors="replace").split())
        try:
            measured = {name: _measure(COMMANDS[name] + [str(path)], args.runs) for name in names}
        except RuntimeError as exc:  # the command failed on this document: say so, not a traceback
            print(f"unspin bench startup: {exc}", file=sys.stderr)
            return 1
        report: dict[str, Any] = {
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "machine": describe_machine(),
            "document": str(args.text or f"test-split news article, first {args.words} words"),
            "words": words,
            "commands": measured,
        }
    _print(report, args.format)
    return 0


def _test_article(path: Path, words: int) -> Path:
    from ..corpora import documents
    from .restore_scoring import _truncate

    article = next(d.text for d in documents("test", sources=("news",)) if len(d.text.split()) >= words)
    path.write_text(_truncate(article, words), encoding="utf-8")
    return path


def _measure(argv: list[str], runs: int) -> dict[str, Any]:
    command = [sys.executable, "-m", "unspin", *argv, "--format", "json"]
    walls, peaks = [], []
    for _ in range(runs):
        wall, peak_mb = _timed_run(command)
        walls.append(round(wall, 2))
        peaks.append(peak_mb)
    return {"argv": ["unspin", *argv[:-1], "FILE"], "wall_s": walls, "median_wall_s": statistics.median(walls),
            "peak_rss_mb": max(peaks), "heavy_modules": _heavy_modules(command)}


def _timed_run(command: list[str]) -> tuple[float, float]:
    with tempfile.TemporaryFile() as stderr:  # a file, not a pipe: a chatty child cannot block on it
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            stderr.seek(0)
            error = stderr.read().decode(errors="replace")
            raise RuntimeError(f"{' '.join(command)} exited {process.returncode}: {error[-500:]}")
    return wall, round(usage.ru_maxrss / 1024, 1)


def _heavy_modules(command: list[str]) -> list[str]:
    traced = [command[0], "-X", "importtime", *command[1:]]
    stderr = subprocess.run(traced, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True).stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in stderr.splitlines() if line.startswith("import time:")}
    # a refused import (lemminflect's `import spacy`, hidden) is logged too, but has no submodules
    return sorted(m for m in HEAVY if any(name.startswith(m + ".") for name in imported))


def _print(report: dict[str, Any], fmt: str) -> None:
    if fmt == "json":
        print(json.dumps(report, indent=1))
        return
    print(f"{report['document']} ({report['words']} words), {report['machine']}, {report['date']}")
    for name, row in report["commands"].items():
        heavy = ", ".join(row["heavy_modules"]) or "none"
        print(f"{' '.join(row['argv'])}: median {row['median_wall_s']} s of {row['wall_s']}, "
              f"peak {row['peak_rss_mb']} MB, heavy modules: {heavy}")
