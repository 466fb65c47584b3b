"""One progress policy for every subcommand: a bar on stderr when stderr is a terminal (or with
--progress), none with -q/--quiet; third-party loaders (transformers, the hub) never print bars."""

from __future__ import annotations

import argparse
import os
import sys


def add_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("-q", "--quiet", action="store_true", help="no progress bar, no summary on stderr")
    group.add_argument("--progress", action="store_true", help="a progress bar on stderr even when it is not a terminal")


def wanted(args: argparse.Namespace) -> bool:
    """Show a progress bar? Also silences third-party loader output, whatever the answer."""
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    if getattr(args, "quiet", False):
        return False
    return bool(getattr(args, "progress", False)) or sys.stderr.isatty()


def quiet(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "quiet", False))
