"""Errors with codes users can search for (spaCy-style): "U103 paper.pdf: no text layer".

`CATALOGUE` is the one list of codes: each has a title, the exit code the CLI returns for it
and the HTTP status the server answers with. Raise the exception class of a code
(`BinaryInput("binary file", source=path)`), or build one from its code with `error_for`;
error records (`{"doc_id": ..., "error": "U105 path:3: ..."}`) are built by `error_record`.
Every message starts with the code and names the input it is about.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_FAIL_OVER, EXIT_INTERNAL = 0, 1, 2, 3, 4


@dataclass(frozen=True)
class ErrorCode:
    code: str
    title: str
    exit_code: int
    http_status: int


def _codes(*rows: tuple[str, str, int, int]) -> dict[str, ErrorCode]:
    return {code: ErrorCode(code, title, exit_code, status) for code, title, exit_code, status in rows}


CATALOGUE: dict[str, ErrorCode] = _codes(
    ("U000", "internal error (a step failed on a document)", EXIT_INTERNAL, 500),
    ("U100", "input could not be read", EXIT_INPUT, 422),
    ("U101", "binary file, not text", EXIT_INPUT, 422),
    ("U102", "empty input or no text", EXIT_INPUT, 422),
    ("U103", "PDF without a text layer", EXIT_INPUT, 422),
    ("U104", "bad text encoding", EXIT_INPUT, 422),
    ("U105", "malformed row (JSON line, CSV row)", EXIT_INPUT, 422),
    ("U106", "input over the size limit", EXIT_INPUT, 413),
    ("U107", "unsupported format", EXIT_INPUT, 415),
    ("U108", "corrupt file", EXIT_INPUT, 422),
    ("U109", "missing text field", EXIT_INPUT, 422),
    ("U110", "expands past the extraction limit (decompression bomb?)", EXIT_INPUT, 413),
    ("U111", "not a regular file (FIFO, device, socket)", EXIT_INPUT, 422),
    ("U112", "output would overwrite an input", EXIT_USAGE, 400),
    ("U113", "cannot write the output (disk full, read-only, permissions)", EXIT_INPUT, 500),
    ("U200", "artifact missing or malformed", EXIT_INTERNAL, 500),
    ("U300", "language model could not load or run", EXIT_INTERNAL, 500),
    ("U301", "device unknown or not available (--device, $UNSPIN_DEVICE)", EXIT_USAGE, 500),
    ("U400", "optional dependency not installed", EXIT_INTERNAL, 500),
)


class UnspinError(Exception):
    """Base of every error unspin raises on purpose."""

    code = "U000"

    def __init__(self, message: str, *, source: str | None = None) -> None:
        self.source = source  # the input (file, field, URL) the error is about
        self.detail = message
        where = f"{source}: " if source else ""
        super().__init__(f"{self.code} {where}{message}")

    @property
    def exit_code(self) -> int:
        return CATALOGUE[self.code].exit_code

    @property
    def http_status(self) -> int:
        return CATALOGUE[self.code].http_status


class InputError(UnspinError):
    """An input could not be read: binary, empty, bad encoding, malformed rows, no text layer."""

    code = "U100"


class BinaryInput(InputError):
    code = "U101"


class EmptyInput(InputError):
    code = "U102"


class NoTextLayer(InputError):
    code = "U103"


class BadEncoding(InputError):
    code = "U104"


class MalformedRow(InputError):
    code = "U105"


class TooLarge(InputError):
    code = "U106"


class UnsupportedFormat(InputError):
    code = "U107"


class CorruptFile(InputError):
    code = "U108"


class MissingField(InputError):
    code = "U109"


class ExtractionLimit(InputError):
    """A container (docx/zip, pdf) would expand past a cap: member size, pages or characters."""

    code = "U110"


class NotRegularFile(InputError):
    code = "U111"


class OutputIsInput(InputError):
    code = "U112"


class OutputError(InputError):
    code = "U113"


class ArtifactError(UnspinError):
    """A built artifact (lexicon, n-gram model, model cache) is missing or malformed."""

    code = "U200"


class ModelError(UnspinError):
    """A language model could not be loaded or run."""

    code = "U300"


class DeviceError(ModelError):
    """The device asked for a neural LM (--device, $UNSPIN_DEVICE, device=) is unknown or absent."""

    code = "U301"


class MissingExtraError(UnspinError):
    """An optional dependency is not installed."""

    code = "U400"

    def __init__(self, extra: str, feature: str) -> None:
        super().__init__(f"install unspin[{extra}] to use {feature}")


class StepFailed(UnspinError):
    """A pipeline step raised on one document (a bug, or input the step did not expect)."""

    code = "U000"


_CLASSES: dict[str, type[UnspinError]] = {}
for _cls in (InputError, BinaryInput, EmptyInput, NoTextLayer, BadEncoding, MalformedRow, TooLarge, UnsupportedFormat,
             CorruptFile, MissingField, ExtractionLimit, NotRegularFile, OutputIsInput, OutputError, ArtifactError,
             ModelError, DeviceError, StepFailed):
    _CLASSES.setdefault(_cls.code, _cls)


def error_for(code: str, message: str, *, source: str | None = None) -> UnspinError:
    """The exception of a catalogue code ("U105" -> MalformedRow)."""
    if code not in CATALOGUE:
        raise KeyError(f"{code} is not in unspin.errors.CATALOGUE")
    return _CLASSES[code](message, source=source)


def error_record(doc_id: str, error: UnspinError | str) -> dict[str, Any]:
    """The record of a document that failed: {"doc_id": ..., "error": "U1xx source: message"}."""
    from .schema import SCHEMA_VERSION

    return {"schema_version": SCHEMA_VERSION, "doc_id": doc_id, "error": str(error)}


def error_from_message(message: str) -> UnspinError:
    """The exception of an error record's message ("U105 a.jsonl:2: ..."), the message kept as it is."""
    cls = _CLASSES[code_of(message)]
    err = cls.__new__(cls)
    Exception.__init__(err, message)
    err.source, err.detail = None, message
    return err


def code_of(message: str) -> str:
    """The catalogue code an error message starts with ("U000" when it has none)."""
    head = message[:4]
    return head if head in CATALOGUE else "U000"


def exit_code_of(message: str) -> int:
    return CATALOGUE[code_of(message)].exit_code
