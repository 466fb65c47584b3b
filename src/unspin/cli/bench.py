"""`unspin bench restore|startup|tune|train-restore|train-neural|tune-phrases|scan|spin|trace|serve|learn|learn-input|learned-cut|fuzz|faults|spark|ablation|scan-lofo`: each harness lives in unspin.bench.<name>."""

from __future__ import annotations

import argparse

BENCH_MODULES = ("restore", "startup", "tune", "train_restore", "train_neural", "tune_phrases", "scan", "spin", "trace", "serve", "learn", "learn_input", "learned_cut", "fuzz", "faults", "spark", "ablation", "scan_lofo")


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("bench", help="run a benchmark and print (and optionally record) its numbers")
    benches = parser.add_subparsers(dest="bench", metavar="BENCH")
    from . import present_modules

    for module in present_modules("unspin.bench", BENCH_MODULES):
        module.add_bench_parser(benches)
    parser.set_defaults(handler=lambda args: parser.print_help() or 2)
