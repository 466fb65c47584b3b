"""`unspin learn` (a learned lexicon from traced or aligned pairs, and/or deciphered from spun text
alone with --from-spun) and `unspin lexicon show|export`."""

from __future__ import annotations

import argparse
import functools
import json
import sys
from pathlib import Path
from typing import Any, Iterator

from ..errors import InputError
from . import progress

EXIT_OK, EXIT_USAGE = 0, 2


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("learn", help="learn a spinner's swaps from traced pairs, aligned copy/source pairs, or its spun output alone")
    p.add_argument("inputs", nargs="*", metavar="INPUT", help=(
        "`unspin trace --format json` output (.json/.jsonl), JSONL of {copy, source} or {observed, original[, count]}, "
        "a TSV of observed<TAB>original[<TAB>count], or with --index plain text copies to trace first"))
    p.add_argument("-o", "--output", required=True, metavar="LEXICON", help="learned lexicon file (TSV) to write")
    p.add_argument("--index", help="trace plain-text INPUTs against this index and learn from the matches")
    p.add_argument("--append", action="store_true", help="add to LEXICON if it exists instead of replacing it")
    p.add_argument("--min-count", type=int, default=1, help="keep pairs seen at least this often")
    p.add_argument("--from-spun", action="append", default=[], metavar="CORPUS", help=(
        "decipher the spinner's dictionary from its output alone: a directory, .jsonl, .parquet, .csv or text "
        "files, as `scan` reads them (repeatable; read twice, so not -)"))
    p.add_argument("--min-confidence", type=float, default=None, help="keep deciphered pairs at least this probable (default: chosen on dev text)")
    from ..learn.from_spun import MIN_SPIN_PROBABILITY

    p.add_argument("--min-spin-probability", type=_probability, default=MIN_SPIN_PROBABILITY, metavar="P", help=(
        "--from-spun learns only from documents scan gives at least this spin probability, so a crawl's clean "
        "pages do not hide what the spinner removed (default: %(default)s, chosen on dev text). 0: every document; "
        "on a crawl known to be all lightly spun it learns more pairs, though restoring with them was not better "
        "(BENCHMARKS.md)"))
    p.add_argument("--jobs", type=int, default=1, help="worker processes for --from-spun (--engine local)")
    p.add_argument("--format", choices=("json", "text"), default="text")
    from . import add_reading_options

    add_reading_options(p, rows=False)
    progress.add_options(p)
    from .engine_options import add_engine_options

    add_engine_options(p)
    p.set_defaults(handler=run_learn)

    lex = sub.add_parser("lexicon", help="inspect a learned lexicon")
    verbs = lex.add_subparsers(dest="verb", metavar="VERB")
    show = verbs.add_parser("show", help="the learned swaps, most confident first")
    show.add_argument("lexicon", metavar="LEXICON")
    show.add_argument("--top", type=int, default=30)
    show.add_argument("--observed", help="only the originals learned for this observed word or phrase")
    show.add_argument("--min-confidence", type=float, default=0.0)
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

    refuse_overwriting_inputs(args.output, list(args.inputs) + list(args.from_spun) + ([args.index] if args.index else []))
    out = Path(args.output)
    if not args.inputs and not args.from_spun:
        print("unspin learn: give INPUT files (traced pairs) and/or --from-spun CORPUS", file=sys.stderr)
        return EXIT_USAGE
    if getattr(args, "engine", "local") == "spark" and not args.from_spun:
        print("unspin learn: --engine spark deciphers --from-spun corpora; traced INPUTs are learned locally", file=sys.stderr)
        return EXIT_USAGE
    lexicon = LearnedLexicon.load(out) if args.append and out.exists() else LearnedLexicon()
    before = len(lexicon)
    learned = LearnedLexicon()
    stats: dict[str, Any] = {}
    if args.index:
        stats = _learn_by_tracing(learned, args.inputs, args.index, args.max_bytes)
    elif args.inputs:
        stats = {"records": sum(_learn_file(learned, Path(p)) for p in args.inputs)}
    if args.min_count > 1:
        kept = LearnedLexicon()
        kept.add_pairs((o, r, c) for o, r, c in learned.pairs() if c >= args.min_count)
        kept.documents = learned.documents
        learned = kept
    lexicon.merge(learned)
    if args.from_spun:
        lexicon, spun_stats = _learn_from_spun(lexicon, args, out)
        stats.update(spun_stats)
    lexicon.save(out)
    record = {"lexicon": str(out), **stats, "pairs_before": before, "pairs": len(lexicon), "documents": lexicon.documents}
    if args.format == "json":
        print(json.dumps(record))
    else:
        print("\n".join(f"{k}: {v}" for k, v in record.items()))
    return EXIT_OK


def state_path(lexicon_path: Path) -> Path:
    """Where the learner keeps its corpus statistics, so that --append can add documents."""
    return lexicon_path.with_name(lexicon_path.name + ".state.gz")


def _learn_from_spun(lexicon, args: argparse.Namespace, out: Path) -> tuple[Any, dict[str, Any]]:
    """Decipher --from-spun corpora (with the saved statistics of earlier runs under --append);
    the deciphered rows of an appended lexicon are re-decided, traced rows kept."""
    from ..io.readers import iter_documents
    from ..learn import LearnState, SpunLearner, default_toolkit, learn_from_spun, to_lexicon
    from ..learn.from_spun import default_min_confidence
    from ..lexicon.learned import LearnedLexicon

    if "-" in args.from_spun:
        raise InputError("--from-spun reads its corpus twice: give a file or directory, not standard input", source="-")
    reading = {"max_bytes": args.max_bytes}
    iter_documents(args.from_spun, **reading)  # raises at once, naming a missing input
    state_file = state_path(out)
    state = LearnState.load(state_file) if args.append and state_file.exists() else None
    if state is not None:
        kept = LearnedLexicon()
        kept.add_pairs((o, r, c) for o, r, c, _, seen in lexicon.rows() if not seen)
        kept.documents = max(lexicon.documents - state.counts.docs, 0)
        lexicon = kept
    unreadable = [0]

    def texts():
        unreadable[0] = 0
        for doc in iter_documents(args.from_spun, **reading):
            if doc.error:
                unreadable[0] += 1
                continue
            yield doc.text

    min_confidence = args.min_confidence if args.min_confidence is not None else default_min_confidence()
    if getattr(args, "engine", "local") == "spark":
        result, unreadable[0] = _learn_on_spark(args, reading, state)
    else:
        with _progress_bar(not progress.wanted(args)) as bar:
            kit = _toolkit(args)()
            result = learn_from_spun(texts, SpunLearner(kit), jobs=max(1, args.jobs), state=state, progress=bar)
    deciphered = to_lexicon(result, min_confidence)
    lexicon.merge(deciphered)
    result.state.save(state_file)
    return lexicon, {
        "spun_documents": result.documents, "spun_words": result.tokens, "unreadable": unreadable[0],
        "screened_out": result.screened_out, "min_spin_probability": args.min_spin_probability,
        "deciphered_pairs": len(deciphered), "min_confidence": min_confidence, "seconds": round(result.seconds, 1),
        "state": str(state_file),
    }


def _learn_on_spark(args: argparse.Namespace, reading: dict[str, Any], state: Any) -> tuple[Any, int]:
    """Both passes on Spark (executors build the toolkit themselves); the decision here."""
    from ..engines.spark import check_artifacts
    from ..engines.spark_learn import learn_on_spark
    from ..learn import SpunLearner
    from .engine_options import start_spark

    spark = start_spark(args)
    toolkit = _toolkit(args)
    check_artifacts(spark, toolkit.requires)  # before loading anything here
    run = learn_on_spark(spark, args.from_spun, SpunLearner(toolkit()), toolkit, state=state, reading=reading, check=False)
    if not progress.quiet(args):
        print(f"unspin learn: {run.result.documents} documents learned from, {run.result.screened_out} too clean, "
              f"{run.unreadable} unreadable, {run.partitions} tasks a pass in {run.result.seconds:.1f}s on Spark", file=sys.stderr)
    return run.result, run.unreadable


def _probability(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"a probability from 0 to 1, not {raw!r}")
    return value


def _toolkit(args: argparse.Namespace):
    """The learner's toolkit factory for these options (Spark executors call it too)."""
    from ..learn import default_toolkit

    factory = functools.partial(default_toolkit, args.min_spin_probability)
    factory.requires = getattr(default_toolkit, "requires", ())  # type: ignore[attr-defined]
    return factory


class _progress_bar:
    """tqdm on stderr unless `quiet` (the progress policy decides); a callable (pass name, docs)."""

    def __init__(self, quiet: bool) -> None:
        self.enabled = not quiet
        self.bar = None
        self.name = ""

    def __enter__(self):
        return self if self.enabled else None

    def __call__(self, name: str, docs: int) -> None:
        from tqdm import tqdm

        if name != self.name:
            if self.bar is not None:
                self.bar.close()
            self.name = name
            self.bar = tqdm(desc=name, unit="doc", file=sys.stderr)
        self.bar.update(docs)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.close()


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
    from ..lexicon.learned import LearnedLexicon, normalize

    lexicon = LearnedLexicon.load(args.lexicon)
    rows = [r for r in lexicon.to_rows() if r["confidence"] >= args.min_confidence]
    if args.observed:
        rows = [r for r in rows if r["observed"] == normalize(args.observed)]
    rows = rows[: args.top]
    if args.format == "json":
        print(json.dumps({"pairs": len(lexicon), "documents": lexicon.documents, "rows": rows}, ensure_ascii=False))
        return EXIT_OK
    print(f"{args.lexicon}: {len(lexicon)} pairs learned from {lexicon.documents} documents")
    width = max((len(r["observed"]) for r in rows), default=8)
    for r in rows:
        print(f"  {r['confidence']:.3f}  {r['count']:>6}  {r['observed']:<{width}}  ->  {r['original']}")
    return EXIT_OK


def run_export(args: argparse.Namespace) -> int:
    from ..lexicon.learned import LearnedLexicon

    text = LearnedLexicon.load(args.lexicon).export(args.format)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return EXIT_OK
