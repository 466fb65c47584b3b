"""The step contract (in the spirit of datatrove's PipelineStep): `Document -> record`.

A step is any callable ``Document -> dict`` (an object with ``to_dict()``, such as `DocReport`,
is accepted too). `Step` is the small base class for steps that need an engine:

- `requires`: what it needs, declared up front ("lexicon", "ngram", "neural:<model>", "extra:io");
  an executor calls `check()` before it starts, so a missing artifact is one clear error, not one
  error record per document;
- `setup()`: builds the engine, lazily, once per process (the first document triggers it);
- `run(doc)`: the work on one document;
- `lazy`: the attributes `setup()` fills; they are dropped when the step is pickled, so a built
  engine never travels to a worker process or a Spark executor;
- `error_record(doc_id, error, meta)`: the record of a document that could not be read or on
  which `run` failed (default ``{"doc_id": ..., "error": "U1xx ..."}``).

    class ScanStep(Step):
        requires = ("lexicon", "ngram")
        lazy = ("engine",)

        def __init__(self, lm: str = "ngram") -> None:
            super().__init__()
            self.lm = lm

        def setup(self) -> None:
            self.engine = build_engine(self.lm)

        def run(self, doc: Document) -> dict:
            return self.engine.scan(doc).to_dict()
"""

from __future__ import annotations

from typing import Any

from unspin.errors import ArtifactError, MissingExtraError, error_record
from unspin.types import Document


class Step:
    name = "step"
    requires: tuple[str, ...] = ()
    lazy: tuple[str, ...] = ()

    def __init__(self) -> None:
        self._ready = False
        for attribute in self.lazy:
            setattr(self, attribute, None)

    def setup(self) -> None:
        """Build what `run` needs (engines, lists); called once per process, before the first document."""

    def run(self, doc: Document) -> Any:
        raise NotImplementedError

    def __call__(self, doc: Document) -> Any:
        if not getattr(self, "_ready", False):
            self.setup()
            self._ready = True
        return self.run(doc)

    def error_record(self, doc_id: str, error: str, meta: dict[str, Any]) -> dict[str, Any]:
        return error_record(doc_id, error)

    def check(self) -> None:
        """Raise `ArtifactError`/`MissingExtraError` if a declared requirement is missing."""
        for requirement in self.requires:
            check_requirement(requirement)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        for attribute in self.lazy:
            state[attribute] = None
        state["_ready"] = False
        return state


def check_requirement(requirement: str) -> None:
    """One declared requirement: "lexicon", "ngram", "extra:<module>", "neural:<model>"."""
    from unspin import config

    kind, _, name = requirement.partition(":")
    if kind == "lexicon" and not config.lexicon_path().is_file():
        raise ArtifactError("the lexicon is not built: run `unspin setup`", source=str(config.lexicon_path()))
    if kind == "ngram" and not config.ngram_path().is_file():
        raise ArtifactError("the n-gram model is not built: run `unspin setup`", source=str(config.ngram_path()))
    if kind == "neural" and not config.neural_cache_dir(name).exists():
        raise ArtifactError("the model is not cached: run `unspin setup --neural`", source=str(config.neural_cache_dir(name)))
    if kind == "extra":
        import importlib.util

        module, _, extra = name.partition("@")
        if importlib.util.find_spec(module) is None:
            raise MissingExtraError(extra or module, f"this step (needs {module})")


__all__ = ["Step", "check_requirement"]
