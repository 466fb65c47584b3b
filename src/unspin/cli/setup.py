"""`unspin setup`: build the lexicon, the n-gram model and (optionally) the neural cache."""

from __future__ import annotations

import argparse
import json
import sys

from . import progress


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("setup", help="build the artifacts the engine needs into the cache (offline)")
    p.add_argument("--force", action="store_true", help="rebuild even if present")
    p.add_argument("--neural", action="store_true", help="also cache SmolLM2's dequantized weights")
    p.add_argument("--format", default="text", choices=["text", "json"])
    progress.add_options(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..artifacts import build_all
    from ..config import cache_dir, lexicon_path, ngram_path

    quiet = progress.quiet(args)
    build_all(force=args.force, neural=args.neural,
              log=lambda m: None if quiet else print(f"unspin setup: {m}", file=sys.stderr))
    info = {"cache": str(cache_dir()), "lexicon": str(lexicon_path()), "ngram": str(ngram_path())}
    print(json.dumps(info) if args.format == "json" else "\n".join(f"{k}: {v}" for k, v in info.items()))
    return 0
