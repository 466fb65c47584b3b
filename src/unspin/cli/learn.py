"""`unspin learn` (a learned lexicon from traced or aligned pairs) and `unspin lexicon show|export`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Iterator

from ..errors import InputError
from . import progress

EXIT_OK, EXIT_USAGE = 0, 2


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("learn", help="learn a spinner's swaps from traced pairs or aligned copy/source pairs")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help=(
        "`unspin trace --format json` output (.json/.jsonl), JSONL of {copy, source} or {observed, original[, count]}, "
        "a TSV of observed<TAB>original[<TAB>count], or with --index plain text copies to trace first"))
    p.add_argument("-o", "--output", required=True, metavar="LEXICON", help="learned lexicon file (TSV) to write")
    p.add_argument("--index", help="trace plain-text INPUTs against this index and learn from the matches")
    p.add_argument("--append", action="store_true", help="add to LEXICON if it exists instead of replacing it")
    p.add_argument("--min-count", type=int, default=1, help="keep pairs seen at least this often")
    p.add_argument("--format", choices=("json", "text"), default="text")
    from . import add_reading_options

    add_reading_options(p, rows=False)
    progress.add_options(p)
    p.set_defaults(handler=run_learn)

    lex = sub.add_parser("lexicon", help="inspect a learned lexicon")
    verbs = lex.add_subparsers(dest="verb", metavar="VERB")
    show = verbs.add_parser("show", help="the most frequent learned swaps")
    show.add_argument("lexicon", metavar="LEXICON")
    show.add_argument("--top", type=int, default=30)
    show.add_argument("--observed", help="only the originals learned for this observed word or phrase")
    show.add_argument("--format", choices=("json", "text"), default="text")
    show.set_defaults(handler=run_show)
    export = verbs.add_parser("export", help="write the whole lexicon as TSV, CSV or JSON")
    export.add_argument("lexicon", metavar="LEXICON")
    export.add_argument("-o", "--output", help="file to write (default stdout)")
    export.add_argument("--format", choices=("json", "tsv", "csv"), default="tsv")
    export.set_defaults(handler=run_export)
    lex.set_defaults(handler=lambda args: lex.print_help(sys.stderr) or EXIT_USAGE)


def run_learn(args: argparse.Namespace) -> int:
    from ..io.writers import refuse_overwriting_inputs
    from ..lexicon.learned import LearnedLexicon

    refuse_overwriting_inputs(args.output, list(args.inputs) + ([args.index] if args.index else []))
    out = Path(args.output)
    lexicon = LearnedLexicon.load(out) if args.append and out.exists() else LearnedLexicon()
    before = len(lexicon)
    learned = LearnedLexicon()
    if args.index:
        stats = _learn_by_tracing(learned, args.inputs, args.index, args.max_bytes)
    else:
        stats = {"records": sum(_learn_file(learned, Path(p)) for p in args.inputs)}
    if args.min_count > 1:
        kept = LearnedLexicon()
        kept.add_pairs((o, r, c) for o, r, c in learned.pairs() if c >= args.min_count)
        kept.documents = learned.documents
        learned = kept
    lexicon.merge(learned)
    lexicon.save(out)
    record = {"lexicon": str(out), **stats, "pairs_before": before, "pairs": len(lexicon), "documents": lexicon.documents}
    if args.format == "json":
        print(json.dumps(record))
    else:
        print("\n".join(f"{k}: {v}" for k, v in record.items()))
    return EXIT_OK


def _learn_by_tracing(lexicon, inputs: list[str], index_path: str, max_bytes: int | None = None) -> dict[str, Any]:
    from ..trace import TraceIndex, trace
    from .trace import read_input

    matched = 0
    with TraceIndex.open(index_path) as index:
        for path in inputs:
            result = trace(read_input(path, max_bytes), index)
            if result.alignment is not None:
                matched += 1
                lexicon.add_alignment(result.alignment)
    return {"traced": len(inputs), "matched": matched}


def _learn_file(lexicon, path: Path) -> int:
    if not path.is_file():
        raise InputError("no such file", source=str(path))
    if path.suffix.lower() in (".tsv", ".txt"):
        return lexicon.add_pairs(_tsv_rows(path))
    n = 0
    for where, record in _json_records(path):
        _learn_record(lexicon, record, where)
        n += 1
    return n


def _tsv_rows(path: Path) -> Iterator[tuple]:
    from ..io.readers import read_document

    for lineno, line in enumerate(read_document(str(path)).splitlines(), 1):
        if not line.strip() or line.startswith("#") or line.lower().startswith("observed\t"):
            continue
        fields = line.split("\t")
        if len(fields) not in (2, 3) or (len(fields) == 3 and not fields[2].strip().isdigit()):
            raise InputError("want observed<TAB>original[<TAB>count]", source=f"{path}:{lineno}")
        yield tuple(fields[:2]) + ((int(fields[2]),) if len(fields) == 3 else ())


def _json_records(path: Path) -> Iterator[tuple[str, dict]]:
    from ..io.readers import iter_rows

    yield from iter_rows(str(path))


def _learn_record(lexicon, record: Any, where: str) -> None:
    if not isinstance(record, dict):
        raise InputError("each record must be a JSON object", source=where)
    if "alignment" in record or "matched" in record:  # `unspin trace --format json` output
        swaps = (record.get("alignment") or {}).get("swaps", [])
        if record.get("matched") and swaps is not None:
            lexicon.documents += 1
            lexicon.add_pairs((s["observed"], s["original"]) for s in swaps)
    elif "copy" in record and "source" in record:
        from ..trace import align

        lexicon.add_alignment(align(str(record["copy"]), str(record["source"])))
    elif "observed" in record and "original" in record:
        lexicon.add(str(record["observed"]), str(record["original"]), int(record.get("count", 1)))
    else:
        raise InputError("want a trace result, {copy, source} or {observed, original}", source=where)


def run_show(args: argparse.Namespace) -> int:
    from ..lexicon.learned import LearnedLexicon

    lexicon = LearnedLexicon.load(args.lexicon)
    if args.observed:
        rows = [{"observed": args.observed, "original": o, "count": c} for o, c in lexicon.lookup(args.observed)]
    else:
        rows = lexicon.to_rows()[: args.top]
    if args.format == "json":
        print(json.dumps({"pairs": len(lexicon), "documents": lexicon.documents, "rows": rows}, ensure_ascii=False))
        return EXIT_OK
    print(f"{args.lexicon}: {len(lexicon)} pairs learned from {lexicon.documents} documents")
    width = max((len(r["observed"]) for r in rows), default=8)
    for r in rows:
        print(f"  {r['count']:>6}  {r['observed']:<{width}}  ->  {r['original']}")
    return EXIT_OK


def run_export(args: argparse.Namespace) -> int:
    from ..lexicon.learned import LearnedLexicon

    text = LearnedLexicon.load(args.lexicon).export(args.format)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return EXIT_OK
