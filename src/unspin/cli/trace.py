"""`unspin trace DOC --index INDEX` and `unspin index build|add|info`."""

from __future__ import annotations

import argparse
import html
import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

from ..errors import EXIT_INPUT, EXIT_OK, EXIT_USAGE, InputError, OutputError
from . import add_reading_options, progress


def add_parser(sub: argparse._SubParsersAction) -> None:
    _add_trace(sub)
    _add_index(sub)


def _add_trace(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("trace", help="find the source a spun copy was made from, and align the two")
    p.add_argument("docs", nargs="+", metavar="DOC", help='text file(s) to trace; "-" reads stdin')
    p.add_argument("--index", required=True, help="index built with `unspin index build`")
    p.add_argument("--top", type=int, default=5, help="candidate sources to list (default 5)")
    p.add_argument("--min-score", type=float, default=None, help="score a source needs (default 0.5)")
    p.add_argument("--restore", metavar="LM", choices=("ngram", "smollm2"), default="ngram",
                   help="also look up the restored text, with this engine (default ngram; loaded only when needed)")
    p.add_argument("--no-restore", dest="restore", action="store_const", const=None,
                   help="look up the copy as it is only (faster on copies with no source)")
    p.add_argument("--restore-when", choices=("unsure", "always"), default="unsure",
                   help="restore only copies with no source found without it (default), or every copy")
    p.add_argument("--format", choices=("json", "text", "html"), default="text")
    p.add_argument("-o", "--output", help="write here instead of stdout")
    add_reading_options(p, rows=False)
    progress.add_options(p)
    p.add_argument("--text-field", default="text", help="text field of JSONL/parquet query rows (--engine spark)")
    p.add_argument("--id-field", default="id", help="id field of JSONL/parquet query rows (--engine spark)")
    from .engine_options import add_engine_options

    add_engine_options(p)
    p.set_defaults(handler=run_trace)


def _add_index(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("index", help="build or extend the reference index `trace` searches")
    verbs = p.add_subparsers(dest="verb", metavar="VERB")
    build = verbs.add_parser("build", help="index a reference corpus (directory, .jsonl, .parquet, text files)")
    build.add_argument("corpus", nargs="+", metavar="CORPUS")
    build.add_argument("-o", "--output", required=True, metavar="INDEX", help="SQLite file to write")
    build.add_argument("--lexicon", help="cut fingerprints with this lexicon artifact's vocabulary (default: the thesauri)")
    build.add_argument("--format", choices=("json", "text"), default="text")
    add_reading_options(build, rows=False)
    progress.add_options(build)
    from .engine_options import add_engine_options

    add_engine_options(build)
    build.set_defaults(handler=run_build)
    export = verbs.add_parser("export", help="write an index as parquet tables, for `trace --engine spark`")
    export.add_argument("index", metavar="INDEX")
    export.add_argument("-o", "--output", required=True, metavar="DIR", help="folder for documents/ paragraphs/ bands/ vocabulary/")
    export.add_argument("--format", choices=("json", "text"), default="text")
    export.set_defaults(handler=run_export)
    add = verbs.add_parser("add", help="append documents to an index (no rebuild)")
    add.add_argument("index", metavar="INDEX")
    add.add_argument("corpus", nargs="+", metavar="CORPUS")
    add.add_argument("--format", choices=("json", "text"), default="text")
    add_reading_options(add, rows=False)
    progress.add_options(add)
    add.set_defaults(handler=run_add)
    info = verbs.add_parser("info", help="counts, settings and size of an index")
    info.add_argument("index", metavar="INDEX")
    info.add_argument("--format", choices=("json", "text"), default="text")
    info.set_defaults(handler=run_info)
    p.set_defaults(handler=lambda args: p.print_help(sys.stderr) or EXIT_USAGE)


# --- index -----------------------------------------------------------------------------------


class _Errors:
    """Counts the documents of a corpus that could not be read (each is reported, then skipped)."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.n = 0

    def __call__(self, message: str) -> None:
        self.n += 1
        if not self.quiet:
            print(f"unspin index: skipped: {message}", file=sys.stderr)


def _corpus(paths: list[str], errors: _Errors, max_bytes: int | None):
    from ..trace import read_corpus

    for path in paths:
        yield from read_corpus(path, on_error=errors, max_bytes=max_bytes)


def _add_docs(index, paths: list[str], errors: _Errors, max_bytes: int | None, show: bool) -> dict[str, Any]:
    from tqdm import tqdm

    with tqdm(desc="index", unit="para", file=sys.stderr, disable=not show) as bar:
        return {**index.add(_corpus(paths, errors, max_bytes), progress=bar.update).to_dict(), "errors": errors.n}


def _check_corpus(paths: list[str]) -> None:
    for path in paths:
        if not Path(path).exists():
            raise InputError("no such file or directory", source=path)


def run_build(args: argparse.Namespace) -> int:
    """Builds into a temporary file beside INDEX and renames it at the end: a killed build
    leaves the previous INDEX (or none), never half an index."""
    from ..io.writers import refuse_overwriting_inputs
    from ..trace import TraceIndex, lexicon_vocabulary, thesaurus_vocabulary

    _check_corpus(args.corpus)
    refuse_overwriting_inputs(args.output, list(args.corpus) + ([args.lexicon] if args.lexicon else []))
    if args.lexicon:
        vocabulary, name = lexicon_vocabulary(Path(args.lexicon)), f"lexicon:{Path(args.lexicon).name}"
    else:
        vocabulary, name = thesaurus_vocabulary(), "thesaurus"
    if args.engine == "spark":
        from ..engines.spark_index import build_index_on_spark
        from .engine_options import start_spark

        built = build_index_on_spark(start_spark(args), args.corpus, args.output, vocabulary, name, max_bytes=args.max_bytes)
        _emit(built, args.format)
        return EXIT_INPUT if built["errors"] else EXIT_OK
    errors = _Errors(args.quiet)
    partial = Path(args.output).with_name(f".{Path(args.output).name}.partial")
    try:
        with TraceIndex.create(partial, vocabulary, name=name) as index:
            stats = _add_docs(index, args.corpus, errors, args.max_bytes, progress.wanted(args))
        partial.replace(args.output)
    except sqlite3.Error as exc:  # "database or disk is full", a read-only folder
        raise OutputError(f"cannot write the index: {exc}", source=args.output) from None
    finally:
        _remove_quietly(partial)
    _emit({"index": args.output, **stats, "bytes": Path(args.output).stat().st_size}, args.format)
    return EXIT_INPUT if errors.n else EXIT_OK


def _remove_quietly(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:  # a read-only folder: nothing was written there either
        pass


def run_export(args: argparse.Namespace) -> int:
    from ..engines.spark_trace import export_index

    if Path(args.output).resolve() == Path(args.index).resolve():
        raise InputError("the export would overwrite the index", source=args.output)
    _emit({"index": args.index, "output": args.output, **export_index(args.index, args.output)}, args.format)
    return EXIT_OK


def run_add(args: argparse.Namespace) -> int:
    from ..io.writers import refuse_overwriting_inputs
    from ..trace import TraceIndex

    _check_corpus(args.corpus)
    refuse_overwriting_inputs(args.index, args.corpus)
    _index_must_exist(args.index)
    errors = _Errors(args.quiet)
    with TraceIndex.open(args.index) as index:
        stats = _add_docs(index, args.corpus, errors, args.max_bytes, progress.wanted(args))
        total = index.info()
    _emit({"index": args.index, **stats, "total_documents": int(total["documents"]), "total_paragraphs": int(total["paragraphs"])}, args.format)
    return EXIT_INPUT if errors.n else EXIT_OK


def run_info(args: argparse.Namespace) -> int:
    from ..trace import TraceIndex

    _index_must_exist(args.index)
    with TraceIndex.open(args.index) as index:
        _emit({k: _number(v) for k, v in index.info().items()}, args.format)
    return EXIT_OK


def _index_must_exist(path: str) -> None:
    """A missing index is a missing input (exit 1), not an internal error."""
    if not Path(path).is_file():
        raise InputError("trace index not found: build one with `unspin index build`", source=path)


def _number(value: Any) -> Any:
    """SQLite meta values come back as strings: "35" -> 35, "0.5" -> 0.5."""
    if isinstance(value, str):
        for kind in (int, float):
            try:
                return kind(value)
            except ValueError:
                pass
    return value


def _readable(key: str, value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k} {_readable(k, v)}" for k, v in value.items()) or "none"
    if key == "bytes" and isinstance(value, int):
        return f"{value / 1e6:,.1f} MB ({value:,} bytes)"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _emit(record: dict[str, Any], fmt: str) -> None:
    if fmt == "json":
        print(json.dumps(record, ensure_ascii=False))
    else:
        width = max((len(k) for k in record), default=0)
        for key, value in record.items():
            print(f"{key.replace('_', ' ') + ':':<{width + 2}}{_readable(key, value)}")


# --- trace -----------------------------------------------------------------------------------


def read_input(path: str, max_bytes: int | None = None) -> str:
    """One document to trace, read like every other input (`unspin.io.readers.read_document`)."""
    from ..io.readers import read_document

    return read_document(path, max_bytes=max_bytes)


def _restorer(lm: str):
    """Loaded on the first copy that needs it (most copies are found without): `restore`'s engine."""
    from ..steps import restore_engine
    from ..trace.step import LazyRestorer

    return LazyRestorer(lm, load=restore_engine)


def run_trace(args: argparse.Namespace) -> int:
    from ..trace import MIN_SCORE, TraceIndex, trace

    if args.engine == "spark":
        return _run_trace_spark(args)
    restorer = _restorer(args.restore) if args.restore else None
    from ..io.writers import refuse_overwriting_inputs

    refuse_overwriting_inputs(args.output, list(args.docs) + [args.index])
    texts = [(path, read_input(path, args.max_bytes)) for path in args.docs]
    _index_must_exist(args.index)
    min_score = MIN_SCORE if args.min_score is None else args.min_score
    with TraceIndex.open(args.index) as index:
        results = [
            (path, trace(text, index, restorer=restorer, top=args.top, min_score=min_score, restore_when=args.restore_when))
            for path, text in texts
        ]
    if args.format == "text":
        rendered = render_text(results, min_score)
    else:
        rendered = {"json": render_json, "html": render_html}[args.format](results)
    if args.output:
        Path(args.output).write_text(rendered, encoding="utf-8")
    else:
        sys.stdout.write(rendered)
    return EXIT_OK


def _run_trace_spark(args: argparse.Namespace) -> int:
    """A batch of queries (JSONL/parquet rows, text files) against an exported index, on Spark."""
    import tempfile

    from ..engines.spark_input import read_documents
    from ..engines.spark_output import write_records
    from ..engines.spark_trace import export_index, trace_records
    from ..io.writers import format_from_path
    from .engine_options import start_spark

    if not args.output:
        print("unspin trace: --engine spark needs -o OUT (a directory)", file=sys.stderr)
        return EXIT_USAGE
    spark = start_spark(args)
    fmt = format_from_path(args.output, "parquet")
    if args.restore:
        from ..engines.spark import check_artifacts

        check_artifacts(spark, ["lexicon", "ngram"])
    with tempfile.TemporaryDirectory(prefix="unspin-index-") as tmp:
        index_dir = args.index
        if Path(args.index).is_file():  # a SQLite index: export it first (a cluster wants `index export` once)
            index_dir = tmp
            export_index(args.index, index_dir)
        documents = read_documents(spark, args.docs, text_field=args.text_field, id_field=args.id_field)
        records = trace_records(spark, index_dir, documents, top=args.top, min_score=args.min_score,
                                restore=args.restore, restore_when=args.restore_when, flat=fmt == "parquet")
        write_records(spark, records, args.output, fmt if fmt in ("jsonl", "parquet") else "parquet",
                      append=False, key_order=lambda: ["doc_id", "query_words", "matched", "best", "candidates"])
    print(f"unspin trace: traced on Spark -> {args.output}", file=sys.stderr)
    return EXIT_OK


def render_json(results: list) -> str:
    from ..schema import versioned

    return "".join(json.dumps(versioned({"doc": path, **result.to_dict()}), ensure_ascii=False) + "\n"
                   for path, result in results)


def render_text(results: list, min_score: float = 0.5) -> str:
    lines = []
    for path, result in results:
        lines.append(f"{path}: {'source ' + result.best.doc_id if result.best else 'no source found'} ({result.query_words:,} words)")
        if result.candidates and not result.matched:
            lines.append(f"  closest, below the score {min_score:.2f} a source needs:")
        for rank, cand in enumerate(result.candidates, 1):
            lines.append(f"  {rank}. {cand.score:.3f}  {cand.doc_id}  paragraphs {_ranges(cand.paragraphs)}")
        if result.alignment is not None:
            swaps = result.alignment.swaps
            aligned = f"{result.alignment.copied_fraction:.0%} of the copy aligned to the source"
            if swaps:
                lines.append(f"  {len(swaps)} swap{'s' if len(swaps) != 1 else ''}, {aligned}:")
                lines.extend(f"    {s.copy.start}-{s.copy.end}  {s.observed!r} -> {s.original!r}" for s in swaps)
            else:
                lines.append(f"  no swaps; {aligned}")
    return "\n".join(lines) + "\n"


def _ranges(numbers: tuple[int, ...]) -> str:
    if not numbers:
        return "-"
    return f"{numbers[0]}" if len(numbers) == 1 else f"{numbers[0]}..{numbers[-1]} ({len(numbers)})"





def render_html(results: list) -> str:
    found = sum(1 for _, r in results if r.alignment is not None)
    swaps = sum(len(r.alignment.swaps) for _, r in results if r.alignment is not None)
    from ..io.report_style import legend, stylesheet

    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>unspin trace</title><style>{stylesheet()}</style></head><body>",
             "<h1>unspin trace</h1>",
             f"<p class='summary'>{len(results)} cop{'y' if len(results) == 1 else 'ies'} traced: "
             f"{found} with a source found in the index, {swaps} swap{'s' if swaps != 1 else ''} in all.</p>",
             legend(trace=True)]
    for path, result in results:
        parts.append(f"<h2>{html.escape(path)}</h2>")
        if result.alignment is None:
            parts.append("<p class='none'>No source found in the index.</p>")
            continue
        best = result.best
        parts.append(f"<p>Source <b>{html.escape(best.doc_id)}</b>, score {best.score:.3f}; {len(result.alignment.swaps)} swaps highlighted.</p>")
        copy_html, source_html = _side_by_side(result.alignment)
        parts.append(f"<table class='side'><tr><th>Copy</th><th>Source</th></tr><tr><td>{copy_html}</td><td>{source_html}</td></tr></table>")
    parts.append("</body></html>\n")
    return "".join(parts)


def _side_by_side(alignment) -> tuple[str, str]:
    from ..trace import SegmentKind

    def mark(text: str, spans: list[tuple[int, int, str, str]]) -> str:
        out, cursor = [], 0
        for start, end, kind, title in sorted(spans):
            out.append(html.escape(text[cursor:start]))
            out.append(f"<span class='{kind}' title='{html.escape(title, quote=True)}'>{html.escape(text[start:end])}</span>")
            cursor = end
        out.append(html.escape(text[cursor:]))
        return "".join(out)

    copy_spans, source_spans = [], []
    for seg in alignment.segments:
        if seg.kind is SegmentKind.SAME:
            continue
        kind = seg.kind.value
        if seg.copy.end > seg.copy.start:
            title = "not in the source" if seg.kind is SegmentKind.INSERTED else f"original: {seg.original}"
            copy_spans.append((seg.copy.start, seg.copy.end, kind, title))
        if seg.source.end > seg.source.start:
            title = "left out of the copy" if seg.kind is SegmentKind.DELETED else f"copy: {seg.observed}"
            source_spans.append((seg.source.start, seg.source.end, kind, title))
    return mark(alignment.copy_text, copy_spans), mark(alignment.source_text, source_spans)
