"""The one `unspin` command. Each subcommand lives in its own module with `add_parser(sub)`.

Exit codes: 0 done, 1 an input could not be read, 2 bad usage, 3 a document scored above
--fail-over (scan), 4 an internal error.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from ..errors import EXIT_FAIL_OVER, EXIT_INPUT, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, UnspinError  # noqa: F401

# the exit code of an error is its code's, from unspin.errors.CATALOGUE

# Module names under unspin.cli, in the order `unspin --help` lists them.
SUBCOMMAND_MODULES = ("restore", "scan", "trace", "learn", "serve", "setup", "bench")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="unspin", description="Expose and reverse article spinning.")
    parser.add_argument("--version", action="version", version="unspin 0.1.0")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in present_modules(__name__, SUBCOMMAND_MODULES):
        module.add_parser(sub)
    return parser


def add_reading_options(p: argparse.ArgumentParser, *, rows: bool = True) -> None:
    """The options every command that reads documents shares (one reader, one size policy)."""
    p.add_argument("--max-bytes", type=int, default=None, metavar="N",
                   help="bytes one document may have: a file, stdin, a row (default 50000000, or $UNSPIN_MAX_BYTES)")
    if rows:
        p.add_argument("--text-field", default="text", metavar="F", help="text field of JSONL/CSV/parquet rows (default text)")
        p.add_argument("--id-field", default="id", metavar="F", help="id field of JSONL/CSV/parquet rows (default id)")


def _device(value: str) -> str:
    from ..config import is_device_name

    value = value.strip().lower()
    if is_device_name(value):
        return value
    raise argparse.ArgumentTypeError(f"{value!r}: use auto, cpu, cuda or cuda:N")


def add_device_option(p: argparse.ArgumentParser) -> None:
    """`--device auto|cpu|cuda[:N]`: where a neural --lm runs (the n-gram model ignores it)."""
    p.add_argument("--device", type=_device, default=None, metavar="auto|cpu|cuda",
                   help="where a neural --lm runs: auto (CUDA when torch sees a GPU, else the CPU), cpu, cuda or "
                        "cuda:N (default $UNSPIN_DEVICE, else auto; bfloat16 weights on a GPU)")


def check_device(lm: str | None, device: str | None) -> None:
    """Fail before any work (U301, exit 2) when a neural lm is asked for a device that is not here."""
    if lm not in (None, "ngram"):
        from ..model.neural import resolve_device

        resolve_device(device)


def present_modules(package: str, names: tuple[str, ...]):
    """The modules package.<name> that exist (a missing one is skipped; a broken one raises)."""
    for name in names:
        try:
            yield importlib.import_module(f"{package}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{package}.{name}":
                raise


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(args.handler(args) or EXIT_OK)
    except UnspinError as exc:
        print(f"unspin: {exc}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:  # a file that vanished, a disk that filled: a clear line, not a traceback
        where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
        print(f"unspin: U113{where}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("unspin: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
