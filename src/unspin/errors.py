"""Errors with codes users can search for (spaCy-style): "U103 cannot read PDF: no text layer"."""

from __future__ import annotations


class UnspinError(Exception):
    """Base of every error unspin raises on purpose."""

    code = "U000"

    def __init__(self, message: str, *, source: str | None = None) -> None:
        self.source = source  # the input (file, field, URL) the error is about
        where = f"{source}: " if source else ""
        super().__init__(f"{self.code} {where}{message}")


class InputError(UnspinError):
    """An input could not be read: binary, empty, bad encoding, malformed rows, no text layer."""

    code = "U100"


class ArtifactError(UnspinError):
    """A built artifact (lexicon, n-gram model, model cache) is missing or malformed."""

    code = "U200"


class ModelError(UnspinError):
    """A language model could not be loaded or run."""

    code = "U300"


class MissingExtraError(UnspinError):
    """An optional dependency is not installed."""

    code = "U400"

    def __init__(self, extra: str, feature: str) -> None:
        super().__init__(f"install unspin[{extra}] to use {feature}")
