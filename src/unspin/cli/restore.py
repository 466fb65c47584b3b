"""`unspin restore FILE|-`: print the restored text (or JSON, a diff, an HTML page).

`restore --jsonl ROWS -o OUT` restores one row per line on the resumable runner (`--resume`,
`--jobs`), like `scan`: exit 1 when a row could not be read.
"""

from __future__ import annotations

import argparse
import sys
from itertools import islice
from pathlib import Path
from typing import IO, Any

from ..errors import EXIT_INPUT, EXIT_OK, EXIT_USAGE, InputError
from . import add_device_option, add_reading_options, check_device, progress

DEFAULT_LM = "ngram"  # n-gram + the learned site model: more precise than the SmolLM2 decoder, within the speed budget (BENCHMARKS.md)


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("restore", help="give the original wording of a spun text back")
    p.add_argument("input", help="a .txt/.md/.html/.pdf/.docx file, a .jsonl file with --jsonl, or - for stdin")
    p.add_argument("--format", default="text", choices=["text", "json", "diff", "html"])
    p.add_argument("--jsonl", action="store_true", help="input is JSON lines with a text field; output adds restored and edits")
    p.add_argument("--resume", action="store_true", help="with --jsonl: skip rows already in OUT and append the rest")
    p.add_argument("--jobs", type=int, default=1, metavar="N", help="with --jsonl: worker processes (default 1)")
    add_reading_options(p)
    p.add_argument(
        "--lm", default=None,
        help="ngram (default: the n-gram model and the learned site model), smollm2 (the site model with a SmolLM2 "
             "stage over its likeliest candidates: over twice the recall, about 5x slower on densely spun text: BENCHMARKS.md; "
             "with --learned or --learn-from-input, the learned site model with a stage fitted for a learned lexicon), gemma3 (Gemma-3-270M rerank, "
             "make gemma), or the path of a local Hugging Face causal-LM folder",
    )
    add_device_option(p)
    p.add_argument("--threshold", type=float, default=None, help="the decision cut (site model: probability an edit must reach; decoder: nats it must win by; default: calibrated)")
    p.add_argument("--spun-threshold", type=float, default=None, metavar="P",
                   help="in a document that scan flags as spun, edit wherever the site model's probability reaches P "
                        "(default: the calibrated cut everywhere); lower P restores more of a spun document, less precisely "
                        "(BENCHMARKS.md); other documents keep the default cut. Site model (--lm ngram) only")
    p.add_argument("--no-document-prior", dest="document_prior", action="store_false",
                   help="do not ask scan first. By default the site model (and its --lm smollm2 stage) asks scan's spin probability of each document, "
                        "and a document scan flags as spun gets a third pass, each later pass taking the previous one's "
                        "likelier guesses as context (more of a dense spinning restored, as precisely; BENCHMARKS.md); a document scan does "
                        "not flag is restored the same either way. Without it each document is screened once less")
    p.add_argument("--learned", default=None, help="a learned lexicon (unspin learn) to use as extra candidates")
    p.add_argument("--learn-from-input", action="store_true",
                   help="with --jsonl -o OUT: first decipher the spinner's dictionary from the input itself (as `learn "
                        "--from-spun`, from the rows scan gives spin probability >= 0.5; one spinner across many rows leaves a "
                        "trace no single document does), write it to "
                        "OUT.learned.tsv, then restore every row with it; --resume reuses that file")
    p.add_argument("--no-confirm", dest="confirm", action="store_false",
                   help="with --learn-from-input: do not lower the cut for pairs the first 40 rows confirm. By default (no --threshold) a pair "
                        "restored 3 times or more in those rows (written to OUT.confirmed.tsv) is restored in every row from "
                        "probability 0.8 up: one spinner makes the same swap on every page (BENCHMARKS.md)")
    p.add_argument("--fingerprints", metavar="FILE",
                   help="known tortured phrases (PPS CSV export): each match is restored to the list's expected phrase; "
                        "default $UNSPIN_FINGERPRINTS")
    p.add_argument("--no-fingerprints", action="store_true", help="do not use any fingerprint list")
    p.add_argument("-o", "--output", default=None, help="write here instead of stdout")
    progress.add_options(p)
    from .engine_options import add_engine_options

    add_engine_options(p)
    p.set_defaults(handler=run)


def _engine(args: argparse.Namespace):
    """The asked-for engine; by default SmolLM2, falling back to the n-gram model if it is missing."""
    from ..errors import MissingExtraError, ModelError
    from ..steps import restore_engine

    if args.lm is not None:
        return restore_engine(args.lm, learned=args.learned, spun_threshold=args.spun_threshold, device=args.device,
                              document_prior=args.document_prior)
    try:
        return restore_engine(DEFAULT_LM, learned=args.learned, spun_threshold=args.spun_threshold, device=args.device,
                              document_prior=args.document_prior)
    except (MissingExtraError, ModelError) as exc:
        print(f"unspin: {exc}; using the n-gram model alone", file=sys.stderr)
        return restore_engine("ngram", learned=args.learned, spun_threshold=args.spun_threshold,
                              document_prior=args.document_prior)


def _option_problem(args: argparse.Namespace) -> str | None:
    if args.learn_from_input:
        if not args.jsonl or not args.output or args.output == "-" or args.input == "-":
            return "--learn-from-input needs --jsonl, an input file (read twice, not -) and -o OUT"
        if args.learned:
            return "--learn-from-input writes its own learned lexicon: leave out --learned"
        if args.engine == "spark":
            return "--learn-from-input runs with --engine local (learn on Spark with `unspin learn --from-spun --engine spark`)"
    if args.spun_threshold is None:
        return None
    if not args.document_prior:
        return "--spun-threshold is the cut in documents scan flags: leave out --no-document-prior"
    if not 0.0 < args.spun_threshold <= 1.0:
        return f"--spun-threshold takes a probability in (0, 1], not {args.spun_threshold}"
    if args.lm not in (None, "ngram") or args.learned:
        return "--spun-threshold works with the site model only (--lm ngram, no --learned)"
    return None


def learned_path_for(output: str) -> str:
    return output + ".learned.tsv"


def confirmed_path_for(output: str) -> str:
    return output + ".confirmed.tsv"


def _learn_from_input(args: argparse.Namespace) -> str:
    """Decipher the input's spinner (as `learn --from-spun`) into OUT.learned.tsv; a resumed run
    keeps the dictionary its first rows were restored with."""
    from ..io.readers import iter_documents
    from ..io.writers import refuse_overwriting_inputs
    from ..learn import default_toolkit
    from ..learn.from_spun import decipher_texts

    path = learned_path_for(args.output)
    refuse_overwriting_inputs(path, [args.input])
    if args.resume and Path(path).exists():
        return path
    reading = {"text_field": args.text_field, "id_field": args.id_field, "max_bytes": args.max_bytes, "jsonl": True}

    def texts():
        return (doc.text for doc in iter_documents([args.input], **reading) if not doc.error)

    if not progress.quiet(args):
        print("unspin restore: learning the spinner's dictionary from the input…", file=sys.stderr, flush=True)
    lexicon, result = decipher_texts(texts, default_toolkit(), jobs=args.jobs)
    lexicon.save(path)
    if not progress.quiet(args):
        print(f"unspin restore: {len(lexicon)} pairs learned from {result.documents} rows "
              f"({result.screened_out} rows too clean to learn from) -> {path}", file=sys.stderr)
    return path


def _confirm_from_input(args: argparse.Namespace) -> tuple[str | None, dict[str, Any]]:
    """The pairs the input's first rows restore often with its learned lexicon
    (`restorer.confirmed`), into OUT.confirmed.tsv, and those rows' restorations left open
    (text -> `PendingRestoration`), so the restore step decides them without restoring them again;
    (None, {}) where the engine cannot take confirmed pairs (a decoder LM). A resumed run keeps
    the file its first rows were restored with (and restores those rows anew)."""
    from ..io.readers import iter_documents
    from ..io.writers import refuse_overwriting_inputs
    from ..restorer.confirmed import CONFIRM_DOCS, confirmed_in

    path = confirmed_path_for(args.output)
    refuse_overwriting_inputs(path, [args.input])
    if args.resume and Path(path).exists():
        return path, {}
    engine = _engine(args)
    if not hasattr(engine, "restore_pending"):
        return None, {}
    if not progress.quiet(args):
        print(f"unspin restore: restoring the first {CONFIRM_DOCS} rows to find the pairs they confirm…", file=sys.stderr, flush=True)
    rows = iter_documents([args.input], text_field=args.text_field, id_field=args.id_field, max_bytes=args.max_bytes, jsonl=True)
    first = {doc.text: engine.restore_pending(doc.text) for doc in islice((d for d in rows if not d.error), CONFIRM_DOCS)}
    confirmed = confirmed_in(pending.decided() for pending in first.values())
    confirmed.save(path)
    if not progress.quiet(args):
        print(f"unspin restore: {sum(n >= confirmed.min_count for n in confirmed.counts.values())} pairs confirmed -> {path}",
              file=sys.stderr)
    return path, first


def fingerprints_path(args: argparse.Namespace) -> str | None:
    """The known list restore uses: --fingerprints, else $UNSPIN_FINGERPRINTS; none with --no-fingerprints."""
    import os

    if args.no_fingerprints:
        return None
    path = args.fingerprints or os.environ.get("UNSPIN_FINGERPRINTS")
    if path and not os.path.isfile(path):
        raise InputError("fingerprint list not found", source=path)
    return path or None


def run(args: argparse.Namespace) -> int:
    import time

    from ..io.writers import refuse_overwriting_inputs

    refuse_overwriting_inputs(args.output, [args.input])
    problem = _option_problem(args)
    if problem:
        print(f"unspin restore: {problem}", file=sys.stderr)
        return EXIT_USAGE
    check_device(args.lm, args.device)
    if args.engine == "spark":
        return _run_spark(args)
    if args.jsonl:
        from ..model.trees import prefer_lightgbm

        prefer_lightgbm()  # a batch: the restore model predicts with lightgbm from its first row
        return _restore_jsonl(args)
    if args.resume:
        print("unspin restore: --resume works with --jsonl", file=sys.stderr)
        return EXIT_USAGE
    from ..io.readers import read_document
    from ..pipeline.steps import with_fingerprints

    show = progress.wanted(args)

    def say(message: str) -> None:
        if show:
            print(f"unspin restore: {message}", file=sys.stderr, flush=True)

    text = read_document(args.input, max_bytes=args.max_bytes)
    path = fingerprints_path(args)
    say(f"loading the {args.lm or DEFAULT_LM} engine…")
    restorer = with_fingerprints(_engine(args), path)
    started = time.perf_counter()
    say(f"restoring {len(text.split()):,} words…")
    result = restorer.restore(text, threshold=args.threshold)
    say(f"{len(result.edits)} edit{'s' if len(result.edits) != 1 else ''} in {time.perf_counter() - started:.1f} s")
    from ..io.restore_render import RENDERERS

    rendered = RENDERERS[args.format](result)
    with _open_out(args.output) as out:
        out.write(rendered if rendered.endswith("\n") else rendered + "\n")
    return EXIT_OK


def _restore_jsonl(args: argparse.Namespace) -> int:
    from ..io.readers import iter_documents
    from ..io.writers import open_writer
    from ..pipeline import resume_state, run_local
    from ..pipeline.steps import RestoreStep

    if args.resume and (not args.output or args.output == "-"):
        print("unspin restore: --resume needs -o OUT (the output to continue)", file=sys.stderr)
        return EXIT_USAGE
    first_rows: dict[str, Any] = {}
    if args.learn_from_input:
        args.learned = _learn_from_input(args)
        args.confirmed, first_rows = _confirm_from_input(args) if args.confirm and args.threshold is None else (None, {})
    if args.jobs < 1:
        print("unspin restore: --jobs must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    documents = iter_documents([args.input], text_field=args.text_field, id_field=args.id_field,
                               max_bytes=args.max_bytes, jsonl=True, keep_fields=True)
    step = RestoreStep(args.lm, learned=args.learned, threshold=args.threshold, text_field=args.text_field,
                       fingerprints=fingerprints_path(args), device=args.device,
                       spun_threshold=args.spun_threshold, document_prior=args.document_prior,
                       confirmed=getattr(args, "confirmed", None), first_rows=first_rows)
    show = progress.wanted(args)
    before = resume_state(args.output, "jsonl") if args.resume else None
    writer = open_writer("jsonl", args.output, append=bool(before and before.records))
    stats = run_local(step, documents, writer=writer, jobs=args.jobs, resume_ids=before.done if before else None,
                      progress=show)
    writer.close()
    errors = stats.errors + (before.errors if before else 0)
    if not progress.quiet(args):
        print(f"unspin restore: {stats.documents} rows, {stats.errors} errors"
              + (f", {stats.skipped} already done" if stats.skipped else ""), file=sys.stderr)
    return EXIT_INPUT if errors else EXIT_OK


class _open_out:
    def __init__(self, path: str | None) -> None:
        self.path = path

    def __enter__(self) -> IO[str]:
        self.stream = open(self.path, "w", encoding="utf-8") if self.path and self.path != "-" else sys.stdout
        return self.stream

    def __exit__(self, *exc) -> None:
        if self.stream is not sys.stdout:
            self.stream.close()


def _run_spark(args: argparse.Namespace) -> int:
    from ..engines.spark import run_on_spark
    from ..io.writers import format_from_path
    from .engine_options import print_spark_summary, start_spark

    if not args.jsonl or not args.output:
        print("unspin restore: --engine spark needs --jsonl and -o OUT (a directory)", file=sys.stderr)
        return 2
    from ..pipeline.steps import RestoreStep

    fmt = format_from_path(args.output, "parquet")
    step = RestoreStep(args.lm, learned=args.learned, threshold=args.threshold, text_field=args.text_field,
                       fingerprints=fingerprints_path(args), device=args.device,
                       spun_threshold=args.spun_threshold, document_prior=args.document_prior)
    reading = {"text_field": args.text_field, "id_field": args.id_field, "max_bytes": args.max_bytes,
               "jsonl": True, "keep_fields": True}  # as the local `_restore_jsonl` reads
    stats = run_on_spark(start_spark(args), step, [args.input], args.output, fmt=fmt, resume=args.resume, reading=reading)
    print_spark_summary("restore", stats, args.output, progress.quiet(args))
    return EXIT_INPUT if stats.errors else EXIT_OK
