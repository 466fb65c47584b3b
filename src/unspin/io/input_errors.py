"""The coded input errors of `unspin.io`: subclasses of `InputError`, so `except InputError` catches them all.

Each message starts with its code and names the source: "U101 notes/a.bin: binary file (NUL bytes)".
"""

from __future__ import annotations

from unspin.errors import InputError


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
