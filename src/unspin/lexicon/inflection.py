"""lemminflect, imported without its spaCy hook.

`import lemminflect` also imports spaCy, when installed, to add `Token._.lemma` and
`Token._.inflect`; spaCy in turn imports thinc and torch. That took 3 of the 5 seconds of
`unspin scan` on a 90-word document. unspin never uses those extensions, so the first import
here hides spaCy from lemminflect. A program that has already imported spaCy keeps the hook.
While that one import runs (once per process, well under a second), another thread's
`import spacy` would fail as well.
"""

from __future__ import annotations

import sys
import threading
from importlib.abc import MetaPathFinder
from types import ModuleType

_IMPORT = threading.Lock()


class _WithoutSpacy(MetaPathFinder):
    """Makes `import spacy` fail (lemminflect then skips its hook) while it is on sys.meta_path."""

    def find_spec(self, fullname, path, target=None):
        if fullname == "spacy":
            raise ModuleNotFoundError("spaCy is hidden while lemminflect is imported", name="spacy")
        return None


def lemminflect() -> ModuleType:
    """The lemminflect module (imported on first use, without spaCy unless spaCy is loaded)."""
    module = sys.modules.get("lemminflect")
    if module is not None:
        return module
    with _IMPORT:
        if "spacy" in sys.modules:
            import lemminflect as module

            return module
        finder = _WithoutSpacy()
        sys.meta_path.insert(0, finder)
        try:
            import lemminflect as module
        finally:
            sys.meta_path.remove(finder)
        return module


def all_lemmas(word: str, upos: str | None = None) -> dict[str, tuple[str, ...]]:
    """lemminflect's getAllLemmas: universal POS -> lemmas of `word`."""
    return lemminflect().getAllLemmas(word, upos=upos)


def all_inflections(lemma: str, upos: str | None = None) -> dict[str, tuple[str, ...]]:
    """lemminflect's getAllInflections: Penn tag -> forms of `lemma`."""
    return lemminflect().getAllInflections(lemma, upos=upos)


def inflection(lemma: str, tag: str) -> tuple[str, ...]:
    """lemminflect's getInflection: the forms of `lemma` for one Penn tag."""
    return lemminflect().getInflection(lemma, tag=tag)
