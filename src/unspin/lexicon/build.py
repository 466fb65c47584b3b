"""Build the reverse-synonym index once into a compact cached artifact.

Artifact (`lexicon.tsv.gz`): one row per (observed, original) pair,
    observed <TAB> original <TAB> sources <TAB> weight
where `weight` is the channel probability q(observed | original): how likely a spinner that
replaces `original` picks `observed`, averaged over the sources that have `original` as a
headword (a source with n synonyms for a word gives each 1/n). A pickled copy of the parsed
index sits beside it for sub-second loads.
"""

from __future__ import annotations

import csv
import gzip
import time
from collections import defaultdict
from importlib import resources
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..errors import ArtifactError
from ..types import Source
from .thesaurus import Entry, read_moby, read_mythes, read_wordnet

MAX_PHRASE_WORDS = 4
MIN_ZIPF_ORIGINAL = 2.5  # originals are ordinary words; skip archaic/technical headwords
MIN_ZIPF_OBSERVED = 1.0

Readers = dict[Source, Callable[[], Iterable[Entry]]]
DEFAULT_READERS: Readers = {Source.MOBY: read_moby, Source.MYTHES: read_mythes, Source.WORDNET: read_wordnet}


def function_entries() -> Iterator[tuple[str, str, float]]:
    """Hand-written (original, observed, weight) rows for function words and short phrases."""
    text = resources.files("unspin.data").joinpath("function_swaps.tsv").read_text(encoding="utf-8")
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 3:
            raise ArtifactError(f"function_swaps.tsv line {lineno}: expected 3 tab-separated fields")
        original, observed, weight = fields
        yield original.strip().lower(), observed.strip().lower(), float(weight)


def _phrase_ok(phrase: str, min_zipf: float, zipf: Callable[[str], float]) -> bool:
    words = phrase.split()
    if not words or len(words) > MAX_PHRASE_WORDS or any(not w[:1].isalpha() for w in words):
        return False
    return min(zipf(w) for w in words) >= min_zipf


def collect_pairs(readers: Readers | None = None) -> dict[tuple[str, str], tuple[set[str], float]]:
    """(observed, original) -> (sources, channel weight)."""
    from wordfreq import zipf_frequency

    cache: dict[str, float] = {}

    def zipf(word: str) -> float:
        if word not in cache:
            cache[word] = zipf_frequency(word, "en")
        return cache[word]

    per_source: dict[Source, dict[str, set[str]]] = {}
    for source, read in (readers or DEFAULT_READERS).items():
        forward: dict[str, set[str]] = defaultdict(set)
        for head, synonyms in read():
            if not _phrase_ok(head, MIN_ZIPF_ORIGINAL, zipf):
                continue
            forward[head].update(s for s in synonyms if s != head and _phrase_ok(s, MIN_ZIPF_OBSERVED, zipf))
        per_source[source] = forward

    heads_in: dict[str, int] = defaultdict(int)
    for forward in per_source.values():
        for head, syns in forward.items():
            if syns:
                heads_in[head] += 1
    pairs: dict[tuple[str, str], tuple[set[str], float]] = {}
    for source, forward in per_source.items():
        for head, syns in forward.items():
            share = 1.0 / (len(syns) * heads_in[head]) if syns else 0.0
            for observed in syns:
                _add(pairs, observed, head, source.value, share)
    for original, observed, weight in function_entries():
        _add(pairs, observed, original, Source.FUNCTION.value, weight)
    return pairs


def _add(pairs: dict, observed: str, original: str, source: str, weight: float) -> None:
    sources, total = pairs.get((observed, original), (set(), 0.0))
    sources.add(source)
    pairs[(observed, original)] = (sources, total + weight)


def write_artifact(pairs: dict[tuple[str, str], tuple[set[str], float]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=5) as out:
        out.write(f"# unspin lexicon v1 built {time.strftime('%Y-%m-%d')} pairs={len(pairs)}\n")
        for (observed, original), (sources, weight) in sorted(pairs.items()):
            out.write(f"{observed}\t{original}\t{','.join(sorted(sources))}\t{weight:.6g}\n")
    tmp.replace(path)


def read_artifact(path: Path) -> Iterator[tuple[str, str, tuple[str, ...], float]]:
    """Rows of a lexicon artifact; a malformed row raises ArtifactError naming file and line."""
    if not path.exists():
        raise ArtifactError("lexicon not built: run `unspin setup`", source=str(path))
    known = {s.value for s in Source}
    with gzip.open(path, "rt", encoding="utf-8") as rows:
        for lineno, row in enumerate(csv.reader(rows, delimiter="\t", quoting=csv.QUOTE_NONE), 1):
            if lineno == 1 and row and row[0].startswith("#"):
                continue
            yield _parse_row(row, lineno, path, known)


def _parse_row(row: list[str], lineno: int, path: Path, known: set[str]) -> tuple[str, str, tuple[str, ...], float]:
    where = f"{path}:{lineno}"
    if len(row) != 4 or not row[0] or not row[1]:
        raise ArtifactError(f"malformed lexicon row (want observed, original, sources, weight): {row!r}", source=where)
    sources = tuple(row[2].split(","))
    if not set(sources) <= known:
        raise ArtifactError(f"unknown lexicon source in {row[2]!r}", source=where)
    try:
        weight = float(row[3])
    except ValueError:
        raise ArtifactError(f"weight is not a number: {row[3]!r}", source=where) from None
    if not 0.0 < weight <= 10.0:
        raise ArtifactError(f"weight out of range: {weight}", source=where)
    return row[0], row[1], sources, weight
