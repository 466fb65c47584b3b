"""`--engine local|spark` and `--master`, shared by the commands that can run on Spark."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def add_engine_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--engine", choices=("local", "spark"), default="local",
                        help="run here (default) or on Spark (needs unspin[spark] and Java; output is a directory)")
    parser.add_argument("--master", default=None, metavar="URL",
                        help="Spark master with --engine spark (default: spark-submit's --master, else local[*])")


def start_spark(args: argparse.Namespace) -> Any:
    from ..engines.spark import spark_session

    return spark_session(args.master, app_name=f"unspin {args.command}")


def print_spark_summary(command: str, stats: Any, output: str, quiet: bool = False) -> None:
    if quiet:
        return
    skipped = f", {stats.skipped} already done" if stats.skipped else ""
    print(f"unspin {command}: {stats.documents} documents, {stats.errors} errors{skipped} "
          f"in {stats.seconds:.1f}s on Spark -> {output}", file=sys.stderr)
