"""`unspin restore FILE|-`: print the restored text (or JSON, a diff, an HTML page)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import IO, Iterator

from ..errors import InputError

DEFAULT_LM = "smollm2"  # measured better than the n-gram model alone: see BENCHMARKS.md


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("restore", help="give the original wording of a spun text back")
    p.add_argument("input", help="a .txt/.md/.html/.pdf/.docx file, a .jsonl file with --jsonl, or - for stdin")
    p.add_argument("--format", default="text", choices=["text", "json", "diff", "html"])
    p.add_argument("--jsonl", action="store_true", help="input is JSON lines with a text field; output adds restored and edits")
    p.add_argument("--text-field", default="text")
    p.add_argument(
        "--lm", default=None,
        help="smollm2 (default: n-gram + SmolLM2 rerank), ngram (fast, ~5x quicker, lower recall), or a cached Hugging Face model name/path",
    )
    p.add_argument("--threshold", type=float, default=None, help="nats an edit must win by (default: calibrated)")
    p.add_argument("--learned", default=None, help="a learned lexicon (unspin learn) to use as extra candidates")
    p.add_argument("-o", "--output", default=None, help="write here instead of stdout")
    p.add_argument("--id-field", default="id", help="id field of the JSONL rows (--engine spark)")
    p.add_argument("--resume", action="store_true", help="skip rows already in OUT (--engine spark)")
    from .engine_options import add_engine_options

    add_engine_options(p)
    p.set_defaults(handler=run)


def _engine(args: argparse.Namespace):
    """The asked-for engine; by default SmolLM2, falling back to the n-gram model if it is missing."""
    from ..restorer.decode import load_restorer
    from ..errors import MissingExtraError, ModelError

    if args.lm is not None:
        return load_restorer(args.lm, learned=args.learned)
    try:
        return load_restorer(DEFAULT_LM, learned=args.learned)
    except (MissingExtraError, ModelError) as exc:
        print(f"unspin: {exc}; using the n-gram model alone", file=sys.stderr)
        return load_restorer("ngram", learned=args.learned)


def run(args: argparse.Namespace) -> int:
    if args.engine == "spark":
        return _run_spark(args)
    if args.jsonl:
        restorer = _engine(args)
        with _open_out(args.output) as out:
            _restore_jsonl(restorer, args, out)
        return 0
    text = _read_input(args.input)
    result = _engine(args).restore(text, threshold=args.threshold)
    from ..io.restore_render import RENDERERS

    rendered = RENDERERS[args.format](result)
    with _open_out(args.output) as out:
        out.write(rendered if rendered.endswith("\n") else rendered + "\n")
    return 0


def _read_input(name: str) -> str:
    if name == "-":
        data = sys.stdin.buffer.read()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError("standard input is not UTF-8 text", source="<stdin>") from None
        if not text.strip():
            raise InputError("standard input is empty", source="<stdin>")
        return text
    path = Path(name)
    if not path.is_file():
        raise InputError("no such file", source=name)
    from ..io.readers import read_text_input

    return read_text_input(str(path), path.name)


def _restore_jsonl(restorer, args: argparse.Namespace, out: IO[str]) -> None:
    from tqdm import tqdm

    lines = list(_jsonl_lines(args.input))
    for lineno, line in tqdm(lines, desc="restore", unit="doc", file=sys.stderr, disable=len(lines) < 2):
        out.write(json.dumps(_restore_record(restorer, line, lineno, args), ensure_ascii=False) + "\n")
        out.flush()


def _restore_record(restorer, line: str, lineno: int, args: argparse.Namespace) -> dict:
    """One output record per input line; a bad line keeps its raw text and gets an error."""
    where = f"{args.input}:{lineno}"
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"line": lineno, "raw": line, "error": f"U105 {where}: malformed JSON ({exc.msg})"}
    if not isinstance(record, dict) or not isinstance(record.get(args.text_field), str):
        return {"line": lineno, "raw": line, "error": f"U109 {where}: no string field {args.text_field!r}"}
    result = restorer.restore(record[args.text_field], threshold=args.threshold)
    record["restored"] = result.restored
    record["edits"] = [e.to_dict() for e in result.edits]
    return record


def _jsonl_lines(name: str) -> Iterator[tuple[int, str]]:
    if name != "-" and not Path(name).is_file():
        raise InputError("no such file", source=name)
    stream = sys.stdin if name == "-" else open(name, encoding="utf-8", errors="replace")
    with stream:
        for lineno, line in enumerate(stream, 1):
            if line.strip():
                yield lineno, line.rstrip("\n")


class _open_out:
    def __init__(self, path: str | None) -> None:
        self.path = path

    def __enter__(self) -> IO[str]:
        self.stream = open(self.path, "w", encoding="utf-8") if self.path else sys.stdout
        return self.stream

    def __exit__(self, *exc) -> None:
        if self.path:
            self.stream.close()


class JsonlRestoreStep:
    """restore --jsonl as a pipeline step: the row (id, other fields, text) plus restored and edits.

    Picklable; the engine loads lazily, once per worker (the default LM falls back to the n-gram
    model where SmolLM2 is missing, as the local command does)."""

    def __init__(self, lm: str | None, threshold: float | None, learned: str | None, text_field: str = "text",
                 engine: object = None) -> None:
        self.lm, self.threshold, self.learned, self.text_field = lm, threshold, learned, text_field
        self._engine, self._injected = engine, engine is not None  # an injected engine (tests) travels along

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_engine": self._engine if self._injected else None}

    @property
    def requires(self) -> tuple[str, ...]:
        return () if self._injected else ("lexicon", "ngram")

    def __call__(self, doc) -> dict:
        if self._engine is None:
            self._engine = _engine(argparse.Namespace(lm=self.lm, learned=self.learned))
        result = self._engine.restore(doc.text, threshold=self.threshold)
        return {"doc_id": doc.doc_id, **doc.meta, self.text_field: doc.text,
                "restored": result.restored, "edits": [e.to_dict() for e in result.edits]}


def _run_spark(args: argparse.Namespace) -> int:
    from ..engines.spark import run_on_spark
    from ..io.writers import format_from_path
    from .engine_options import print_spark_summary, start_spark

    if not args.jsonl or not args.output:
        print("unspin restore: --engine spark needs --jsonl and -o OUT (a directory)", file=sys.stderr)
        return 2
    fmt = format_from_path(args.output, "parquet")
    step = JsonlRestoreStep(args.lm, args.threshold, args.learned, args.text_field)
    stats = run_on_spark(start_spark(args), step, [args.input], args.output, fmt=fmt, resume=args.resume,
                         text_field=args.text_field, id_field=args.id_field)
    print_spark_summary("restore", stats, args.output)
    return 1 if stats.errors else 0
