"""Command-line options shared by the benches that run per spinner family."""

from __future__ import annotations

import argparse
import json

from .families import DENSITIES, family_names


def add_family_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--family", action="append", metavar="NAME",
                   help="spinner family (repeatable or comma list; default: all, holdout first)")
    p.add_argument("--density", default="both", choices=[*DENSITIES, "both"], help="density band(s)")
    p.add_argument("--list-families", action="store_true", help="print the family names and exit")


def chosen_families(args: argparse.Namespace) -> list[str]:
    """The families asked for, in registry order (holdout first); an unknown name is an error."""
    known = family_names()
    asked = [n.strip() for value in (args.family or []) for n in value.split(",") if n.strip()]
    unknown = [n for n in asked if n not in known]
    if unknown:
        raise SystemExit(f"unspin bench: unknown spinner family {', '.join(unknown)} (known: {', '.join(known)})")
    return [n for n in known if not asked or n in asked]


def chosen_densities(args: argparse.Namespace) -> list[str]:
    return list(DENSITIES) if args.density == "both" else [args.density]


def print_families(fmt: str) -> None:
    from .families import get_family

    families = [get_family(n) for n in family_names()]
    rows = [{"name": f.name, "holdout": f.holdout, "description": f.description} for f in families]
    if fmt == "json":
        print(json.dumps(rows, indent=2))
    else:
        for row in rows:
            print(f"{row['name']:18} {row['description']}")
