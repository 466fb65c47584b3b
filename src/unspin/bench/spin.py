"""`unspin bench spin --family NAME [--density D] FILE [-o OUT]`: a spun copy and its answer key.

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


def run(args: argparse.Namespace) -> int:
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
    p.add_argument("file", metavar="FILE")
    p.add_argument("--family", required=True, choices=family_names())
    p.add_argument("--density", default="dense", choices=DENSITIES)
    p.add_argument("-o", "--output", metavar="OUT")
    p.set_defaults(handler=run)
