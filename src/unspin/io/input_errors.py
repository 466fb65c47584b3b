"""The coded input errors of `unspin.io` (defined, with their codes, in `unspin.errors.CATALOGUE`).

Each message starts with its code and names the source: "U101 notes/a.bin: binary file (NUL bytes)".
"""

from __future__ import annotations

from unspin.errors import (  # noqa: F401 - re-exported
    BadEncoding,
    BinaryInput,
    CorruptFile,
    EmptyInput,
    ExtractionLimit,
    InputError,
    MalformedRow,
    MissingField,
    NotRegularFile,
    NoTextLayer,
    TooLarge,
    UnsupportedFormat,
)
