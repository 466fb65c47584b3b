"""`unspin bench spin --family NAME [--density D] FILE [-o OUT]`: a spun copy and its answer key.
`unspin bench spin --stats [--docs 20] [--family NAME]`: each family's spin_stats figures, mean
over held-out news articles, next to the real spinner's (the table in BENCHMARKS.md).

Writes OUT (default: beside FILE, `<stem>.<family>-<density>.spun.txt`) and OUT.key.json: the
family, its density, every swap (offsets into the spun text, observed, original) and the
spin_stats figures of the pair next to a real content-farm spinner's, so anyone can look at
what a family does. Never overwrites FILE.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path

from ..errors import InputError
from .families import DENSITIES, family_names, get_family
from .spin_stats import REAL_SPINNER, stats


def answer_key(family, spun) -> dict:
    return {
        "family": family.name, "holdout": family.holdout, "density": family.density,
        "description": family.description,
        "swaps": [asdict(s) for s in spun.swaps],
        "spin_stats": stats(spun.source, spun.text),
        "real_spinner_spin_stats": REAL_SPINNER,
    }


STAT_KEYS = ("replaced", "spans", "multiword", "function", "capitalised", "determinism", "survivors")


def family_stats(names: list[str], densities: list[str], docs: int) -> list[dict]:
    from .restore_scoring import sample_docs

    texts = sample_docs("test", docs)
    rows = []
    for name in names:
        for density in densities:
            family = get_family(name, density)
            figures = [stats(t, family.spin(t).text) for t in texts]
            rows.append({"family": name, "density": density, "docs": len(texts),
                         **{k: round(sum(f[k] or 0 for f in figures) / len(figures), 3) for k in STAT_KEYS}})
    return rows


def _print_stats(args: argparse.Namespace) -> int:
    from .family_options import chosen_densities, chosen_families

    rows = family_stats(chosen_families(args), chosen_densities(args), args.docs)
    if args.format == "json":
        print(json.dumps({"families": rows, "real_spinner": REAL_SPINNER}, indent=2))
        return 0
    print(f"{'family':18} {'density':7} " + " ".join(f"{k:>11}" for k in STAT_KEYS))
    print(f"{'real spinner':18} {'dense':7} " + " ".join(f"{REAL_SPINNER[k]:>11}" for k in STAT_KEYS))
    for row in rows:
        print(f"{row['family']:18} {row['density']:7} " + " ".join(f"{row[k]:>11}" for k in STAT_KEYS))
    return 0


def run(args: argparse.Namespace) -> int:
    if args.stats:
        return _print_stats(args)
    if not args.file or not args.family or len(args.family) != 1 or args.density == "both":
        raise SystemExit("unspin bench spin: give one --family, one --density and a FILE (or --stats)")
    args.family = args.family[0]
    source = Path(args.file)
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{source}: cannot read it as UTF-8 text ({exc})") from exc
    family = get_family(args.family, args.density)
    out = Path(args.output) if args.output else source.with_name(f"{source.stem}.{family.name}-{family.density}.spun.txt")
    key_path = out.with_name(out.name + ".key.json")
    if source.resolve() in (out.resolve(), key_path.resolve()):
        raise InputError(f"{out}: the output would overwrite the input")
    spun = family.spin(text)
    out.write_text(spun.text, encoding="utf-8")
    key_path.write_text(json.dumps(answer_key(family, spun), indent=1) + "\n", encoding="utf-8")
    print(json.dumps({"spun": str(out), "answer_key": str(key_path), "swaps": len(spun.swaps)}))
    return 0


def add_bench_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("spin", help="spin a file with one spinner family; write the copy and its answer key",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", metavar="FILE", nargs="?")
    p.add_argument("--family", action="append", choices=family_names(), help="one family (with --stats: repeatable)")
    p.add_argument("--density", default="dense", choices=[*DENSITIES, "both"])
    p.add_argument("-o", "--output", metavar="OUT")
    p.add_argument("--stats", action="store_true", help="print each family's spin_stats figures on held-out news")
    p.add_argument("--docs", type=int, default=20, help="with --stats: articles")
    p.add_argument("--format", default="table", choices=["table", "json"])
    p.set_defaults(handler=run)
