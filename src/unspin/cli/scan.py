"""`unspin scan PATHS...`: per document, how likely it is spun and its tortured phrases.

    unspin scan papers/ -o report.jsonl --jobs 4 --fingerprints pps_tortured_phrases.csv
    unspin scan corpus.jsonl -o scan.jsonl --resume          # continue a killed run
    unspin scan paper.pdf --format html -o report.html
    unspin scan drafts/ --no-model --fail-over 0.5           # CI gate: exit 3 if any doc scores > 0.5

Known fingerprints: a bundled list (TorturePhrases_Estimator's ~5,700 published tortured phrases,
no expected phrases), merged with --fingerprints FILE (a PPS CSV export or any query,expected
CSV) or the file named by $UNSPIN_FINGERPRINTS. --no-default-fingerprints leaves the bundled list
out; --no-fingerprints turns every list off.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, Iterable, Iterator

from ..errors import InputError
from ..schema import versioned
from ..types import Document
from . import EXIT_FAIL_OVER, EXIT_INPUT, EXIT_OK, EXIT_USAGE, add_device_option, add_reading_options, check_device, progress

FORMATS = ("jsonl", "csv", "parquet", "json", "html")
RESUMABLE = ("jsonl", "csv", "parquet", "json")


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "scan",
        help="screen documents: spin probability and tortured phrases with their likely originals",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="files, directories, or - for stdin")
    p.add_argument("-o", "--output", metavar="OUT", help="output file (default: stdout)")
    p.add_argument("--format", choices=FORMATS, help="output format (default: from OUT's extension, else jsonl)")
    p.add_argument("--jobs", type=int, default=1, metavar="N", help="worker processes (default 1)")
    p.add_argument("--resume", action="store_true", help="skip documents already in OUT and append the rest")
    p.add_argument("--fail-over", type=float, metavar="P", help="exit 3 when any document's spin probability is above P")
    p.add_argument("--threshold", type=float, metavar="T", help="call a document spun above T (default: calibrated, <= 1%% FPR)")
    p.add_argument("--fingerprints", metavar="FILE", help="known tortured phrases (PPS CSV export); default $UNSPIN_FINGERPRINTS")
    p.add_argument("--no-fingerprints", action="store_true", help="do not use any fingerprint list")
    p.add_argument("--no-default-fingerprints", action="store_true",
                   help="leave out the bundled list (TorturePhrases_Estimator's phrases), which is otherwise "
                        "merged with --fingerprints FILE")
    p.add_argument("--no-model", action="store_true", help="fingerprints only: no restoration engine (fast)")
    p.add_argument("--thorough", action="store_true",
                   help="findings from the full restoration engine, as `unspin restore` edits (slower, more precise); the score is the same")
    p.add_argument("--lm", default="ngram", metavar="NAME",
                   help="language model of the --thorough engine: ngram (default), smollm2, gemma3, or a model name")
    add_device_option(p)
    add_reading_options(p)
    p.add_argument("--include", action="append", default=[], metavar="GLOB", help="only files matching GLOB in directories (repeatable)")
    p.add_argument("--exclude", action="append", default=[], metavar="GLOB", help="skip files matching GLOB in directories (repeatable)")
    p.add_argument("--rows", choices=("documents", "findings"), default="documents",
                   help="one record per document (default), or one per finding as the Problematic Paper Screener "
                        "exports them (a document without findings still gets one row)")
    progress.add_options(p)
    from .engine_options import add_engine_options

    add_engine_options(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.engine == "spark":
        fmt = args.format or _format_from_output(args.output, default="parquet")
    else:
        fmt = args.format or _format_from_output(args.output)
    problem = _usage_problem(args, fmt)
    if problem:
        print(f"unspin scan: {problem}", file=sys.stderr)
        return EXIT_USAGE
    from ..io.writers import refuse_overwriting_inputs

    refuse_overwriting_inputs(args.output, list(args.paths) + ([args.fingerprints] if args.fingerprints else []))
    if args.thorough and not args.no_model:
        check_device(args.lm, args.device)
    if args.fingerprints and not os.path.isfile(args.fingerprints):
        raise InputError("fingerprint list not found", source=args.fingerprints)
    if args.fingerprints:
        from ..scanner.detect import load_fingerprints

        load_fingerprints(args.fingerprints)  # fail early (and once) on a malformed list

    if args.no_default_fingerprints:  # read by lexicon.fingerprint_lists, here and in --jobs workers
        from ..lexicon.fingerprint_lists import BUNDLED_ENV

        os.environ[BUNDLED_ENV] = "0"
    from ..steps import Scanner
    from ..io.readers import iter_documents

    step = KeepFields(Scanner(
        lm=args.lm,
        use_model=not args.no_model,
        thorough=args.thorough,
        fingerprints_path=args.fingerprints,
        threshold=args.threshold,
        use_default_fingerprints=not args.no_fingerprints,
        bundled_fingerprints=False if args.no_default_fingerprints else None,
        device=args.device,
    ))
    if args.engine == "spark":
        return _run_spark(step, args, fmt)
    documents = iter_documents(
        args.paths, include=args.include, exclude=args.exclude, text_field=args.text_field, id_field=args.id_field,
        max_bytes=args.max_bytes,
    )
    if args.output and args.output != "-":
        documents = _without_output(documents, args.output)
    gate = _FailOver(args.fail_over)
    if fmt == "html":
        stats = _run_html(step, documents, args, gate)
    else:
        stats = _run_records(step, documents, args, fmt, gate)
    if not args.quiet:
        from ..messages import plural

        print(f"unspin scan: {plural(stats.documents, 'document')}, {gate.spun} spun, {plural(stats.errors, 'error')}"
              + (f", {stats.skipped} already done" if stats.skipped else ""), file=sys.stderr)
    if gate.tripped:
        print(f"unspin scan: {gate.worst_id} scored {gate.worst:.3f} > --fail-over {args.fail_over}", file=sys.stderr)
        return EXIT_FAIL_OVER
    return EXIT_INPUT if stats.errors or gate.errors_before else EXIT_OK


def _format_from_output(output: str | None, default: str = "jsonl") -> str:
    from ..io.writers import format_from_path

    if output and output.lower().endswith((".html", ".htm")):
        return "html"
    return format_from_path(output, default)


def _usage_problem(args: argparse.Namespace, fmt: str) -> str | None:
    if args.jobs < 1:
        return "--jobs must be at least 1"
    if args.fail_over is not None and not 0.0 <= args.fail_over <= 1.0:
        return "--fail-over takes a probability between 0 and 1"
    if args.threshold is not None and not 0.0 <= args.threshold <= 1.0:
        return "--threshold takes a probability between 0 and 1"
    if args.resume and (not args.output or args.output == "-"):
        return "--resume needs -o OUT (the output to continue)"
    if args.resume and fmt not in RESUMABLE:
        return f"--resume works with {', '.join(RESUMABLE)} output, not {fmt}"
    if args.no_model and args.no_fingerprints:
        return "--no-model with --no-fingerprints leaves nothing to scan with"
    if args.engine == "spark":
        return _spark_usage_problem(args, fmt)
    return None


def _spark_usage_problem(args: argparse.Namespace, fmt: str) -> str | None:
    if not args.output or args.output == "-":
        return "--engine spark needs -o OUT (a directory of part files)"
    if fmt not in ("parquet", "jsonl"):
        return f"--engine spark writes parquet or jsonl, not {fmt}"
    return None


def _run_spark(step: Any, args: argparse.Namespace, fmt: str) -> int:
    from ..engines.spark import run_on_spark
    from .engine_options import print_spark_summary, start_spark

    reading = {"text_field": args.text_field, "id_field": args.id_field, "max_bytes": args.max_bytes}
    spark = start_spark(args)
    stats = run_on_spark(spark, step, args.paths, args.output, fmt=fmt, resume=args.resume, reading=reading,
                         include=args.include, exclude=args.exclude, error_record=_error_record,
                         rows=record_rows if args.rows == "findings" else None)
    print_spark_summary("scan", stats, args.output, progress.quiet(args))
    if args.fail_over is not None:  # read back from the output: a resumed run's earlier records count too
        from ..engines.spark_output import highest

        worst = highest(spark, args.output, fmt)
        if worst is not None and worst[1] > args.fail_over:
            print(f"unspin scan: {worst[0]} scored {worst[1]:.3f} > --fail-over {args.fail_over}", file=sys.stderr)
            return EXIT_FAIL_OVER
    return EXIT_INPUT if stats.errors else EXIT_OK


def _without_output(documents: Iterable[Document], output: str) -> Iterator[Document]:
    """Skip our own output when it lies inside a scanned directory (e.g. on --resume)."""
    target = os.path.abspath(output)
    for doc in documents:
        source = os.path.abspath(doc.source) if doc.source else ""
        if source == target or source.startswith((target + ":", target + "#")):
            continue
        yield doc


class KeepFields:
    """A step wrapper: the document's own fields (id, DOI, title, ...) kept in its record."""

    def __init__(self, step: Any) -> None:
        self.step = step

    def __call__(self, doc: Document) -> dict[str, Any]:
        record = self.step(doc)
        record = record.to_dict() if hasattr(record, "to_dict") else record
        kept = {k: v for k, v in doc.meta.items() if k not in record}
        return versioned({"doc_id": record.pop("doc_id", doc.doc_id), **kept, **record})


def _error_record(doc_id: str, error: str) -> dict[str, Any]:
    return versioned({"doc_id": doc_id, "error": error})


FINDING_COLUMNS = ("observed", "suggestion", "kind", "rule", "confidence", "start", "end", "num_papers", "message")
_DOCUMENT_COLUMNS = ("spin_probability", "spun", "words", "findings_per_1k", "source", "error")


def finding_rows(record: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per finding (the document's fields repeated on each); one empty row without any."""
    from ..messages import finding_message

    document = {k: v for k, v in record.items() if k != "findings"}
    rows = []
    for f in record.get("findings") or ():
        span = f.get("span") or {}
        evidence = f.get("evidence") or {}
        rows.append({**document,
                     "observed": f.get("observed"), "suggestion": f.get("suggestion"), "kind": f.get("kind"),
                     "rule": f.get("rule"), "confidence": f.get("confidence"),
                     "start": span.get("start", f.get("start")), "end": span.get("end", f.get("end")),
                     "num_papers": evidence.get("num_papers") if isinstance(evidence, dict) else None,
                     "message": f.get("message") or finding_message(str(f.get("observed", "")), str(f.get("suggestion", "")),
                                                                    str(f.get("kind", "")), str(f.get("rule", ""))).message})
    return rows or [{**document, **dict.fromkeys(FINDING_COLUMNS)}]


def record_rows(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The `--rows findings` rows of one document's record (an error record: one row with every column)."""
    if record.get("error") and "findings" not in record:
        record = {**record, **dict.fromkeys(FINDING_COLUMNS)}
        return [{k: record.get(k) for k in ("doc_id", *_DOCUMENT_COLUMNS, *FINDING_COLUMNS)} | record]
    return finding_rows(record)


class _FindingRows:
    """A writer wrapper that writes `record_rows(record)` for each document record."""

    def __init__(self, writer: Any) -> None:
        self.writer = writer

    def write(self, record: dict[str, Any]) -> None:
        for row in record_rows(record):
            self.writer.write(row)

    def close(self) -> None:
        self.writer.close()


class _FailOver:
    """Watches records as they are written: the highest score, and how many are spun."""

    def __init__(self, limit: float | None) -> None:
        self.limit = limit
        self.worst = -1.0
        self.worst_id = ""
        self.spun = 0
        self.errors_before = 0  # error records an earlier run left in the output (--resume)

    def __call__(self, record: dict[str, Any]) -> None:
        if record.get("error"):
            return
        probability = float(record.get("spin_probability") or 0.0)
        self.spun += bool(record.get("spun"))
        if probability > self.worst:
            self.worst, self.worst_id = probability, str(record.get("doc_id", ""))

    @property
    def tripped(self) -> bool:
        return self.limit is not None and self.worst > self.limit


def _run_records(step: Any, documents: Iterable[Document], args: argparse.Namespace, fmt: str, gate: _FailOver) -> Any:
    from ..io.writers import open_writer
    from ..pipeline import resume_state, run_local

    before = resume_state(args.output, fmt) if args.resume else None
    if before:
        gate.errors_before = before.errors  # a resumed run exits as the first run would have
        if args.fail_over is not None:
            for record in _existing_records(args.output, fmt):
                gate(record)
    writer = open_writer(fmt, args.output, append=bool(before and before.records))
    if args.rows == "findings":
        writer = _FindingRows(writer)
    stats = run_local(step, documents, writer=writer, jobs=args.jobs, resume_ids=before.done if before else None,
                      progress=progress.wanted(args), on_record=gate, error_record=_error_record)
    writer.close()
    return stats


def _existing_records(path: str, fmt: str) -> list[dict[str, Any]]:
    """Records already in OUT (for --fail-over after --resume); jsonl and json only."""
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        return []
    if fmt == "jsonl":
        from ..io.writers import scan_jsonl

        return scan_jsonl(path)[0]
    if fmt == "json":
        import json

        with open(path, encoding="utf-8") as fh:
            return [r for r in json.load(fh) if isinstance(r, dict)]
    return []


class _Collect:
    """A writer that keeps records in memory (for the HTML report)."""

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []
        self.count = 0

    def write(self, record: dict[str, Any]) -> None:
        self.records.append(record)
        self.count += 1

    def close(self) -> None:
        pass


def _run_html(step: Any, documents: Iterable[Document], args: argparse.Namespace, gate: _FailOver) -> Any:
    from ..io.report_html import render_report
    from ..pipeline import run_local

    texts: dict[str, str] = {}

    def remember(docs: Iterable[Document]) -> Iterator[Document]:
        for doc in docs:
            texts[doc.doc_id] = doc.text
            yield doc

    sink = _Collect()
    stats = run_local(step, remember(documents), writer=sink, jobs=args.jobs, progress=progress.wanted(args), on_record=gate)
    html = render_report(sink.records, texts)
    if args.output and args.output != "-":
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(html)
    else:
        sys.stdout.write(html)
    return stats
