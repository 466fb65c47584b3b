"""Fingerprints of a text that survive spinning: MinHash signatures cut into LSH bands.

Two families of features, each with its own MinHash signature and LSH bands:

- ``stable``: 2-shingles over the *stable* tokens only (numbers, and words no thesaurus lists,
  in any inflection: names, rare words). A spinner swaps words for thesaurus synonyms, so these
  tokens, and their order, come through untouched; the swappable words in between are skipped.
- ``words``: 3-shingles over every word. Robust only at low swap rates, or on a copy the
  restorer has already restored.

The index is built from clean source text, so no restoring is needed at build time.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Sequence

import numpy as np

from ..text import _TOKEN_RE

MERSENNE = np.uint64((1 << 61) - 1)
MAX_HASH = np.uint64((1 << 32) - 1)
_SUFFIXES = ("ies", "ied", "ing", "ed", "es", "s", "er", "est", "ly", "d", "'s")


@dataclass(frozen=True)
class Family:
    """One kind of shingle and how its MinHash signature is cut into bands."""

    name: str
    shingle: int  # tokens per shingle
    bands: int
    rows: int  # signature values per band

    @property
    def num_perm(self) -> int:
        return self.bands * self.rows


STABLE = Family("stable", shingle=2, bands=20, rows=3)
WORDS = Family("words", shingle=3, bands=20, rows=2)
FAMILIES = (STABLE, WORDS)
SEED = 1


class Vocabulary:
    """Words a spinner may swap: every single word a thesaurus lists, head or synonym."""

    def __init__(self, swappable: Iterable[str]) -> None:
        self.swappable = frozenset(w.lower() for w in swappable)
        self._cache: dict[str, bool] = {}

    def has_synonyms(self, word: str) -> bool:
        word = word.lower()
        hit = self._cache.get(word)
        if hit is None:
            hit = any(form in self.swappable for form in _base_forms(word))
            self._cache[word] = hit
        return hit

    def __len__(self) -> int:
        return len(self.swappable)


def _base_forms(word: str) -> Iterator[str]:
    """The word and the stems a crude de-inflection gives ("strolled" -> "stroll")."""
    yield word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)]
            yield stem
            if suffix in ("ies", "ied"):
                yield stem + "y"
            if suffix in ("ed", "ing", "er", "est", "es"):
                yield stem + "e"
                if len(stem) > 3 and stem[-1] == stem[-2]:
                    yield stem[:-1]


def thesaurus_vocabulary() -> Vocabulary:
    """The default: Moby + LibreOffice thesaurus + WordNet, whichever are installed."""
    from ..errors import ArtifactError
    from ..lexicon.thesaurus import read_moby, read_mythes, read_wordnet

    words: set[str] = set()
    for read in (read_moby, read_mythes, read_wordnet):
        try:
            for head, synonyms in read():
                words.update(w for w in (head, *synonyms) if " " not in w)
        except ArtifactError:
            continue
    words.update(_function_words())
    return Vocabulary(words)


def _function_words() -> set[str]:
    """Single words of the hand-written function-word swap table, if it ships."""
    from ..lexicon.build import function_entries

    try:
        return {w for original, observed, _ in function_entries() for w in (original, observed) if " " not in w}
    except (FileNotFoundError, ModuleNotFoundError):
        return set()


def lexicon_vocabulary(path) -> Vocabulary:
    """Every single word of a built lexicon artifact (observed or original)."""
    from ..lexicon.build import read_artifact

    words: set[str] = set()
    for observed, original, _sources, _weight in read_artifact(path):
        words.update(w for w in (observed, original) if " " not in w)
    return Vocabulary(words)


@dataclass(frozen=True)
class Features:
    """Shingle hashes of one text, per family."""

    stable: frozenset[int]
    words: frozenset[int]

    def of(self, family: Family) -> frozenset[int]:
        return self.stable if family.name == "stable" else self.words


def token_texts(text: str) -> list[str]:
    # The same tokens as unspin.text.tokenize, without building offset objects (build speed).
    return _TOKEN_RE.findall(text)


def _split(text: str, has_synonyms: Callable[[str], bool]) -> tuple[list[str], list[str]]:
    """(stable tokens, all word and number tokens), lower-cased."""
    stable: list[str] = []
    words: list[str] = []
    for tok in token_texts(text):
        first = tok[0]
        if first.isdigit():
            stable.append(tok)
            words.append(tok)
        elif first.isalpha():
            low = tok.lower().replace("’", "'")
            words.append(low)
            if not has_synonyms(low):
                stable.append(low)
    return stable, words


def stable_tokens(text: str, has_synonyms: Callable[[str], bool]) -> list[str]:
    return _split(text, has_synonyms)[0]


def word_tokens(text: str) -> list[str]:
    return [t.lower().replace("’", "'") for t in token_texts(text) if t[0].isalnum()]


def shingle_hashes(tokens: Sequence[str], k: int) -> frozenset[int]:
    if not tokens:
        return frozenset()
    if len(tokens) < k:
        return frozenset({zlib.crc32(" ".join(tokens).encode())})
    return frozenset(zlib.crc32(" ".join(tokens[i : i + k]).encode()) for i in range(len(tokens) - k + 1))


def features(text: str, vocabulary: Vocabulary) -> Features:
    stable, words = _split(text, vocabulary.has_synonyms)
    return Features(stable=shingle_hashes(stable, STABLE.shingle), words=shingle_hashes(words, WORDS.shingle))


def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    # The same universal hashing datasketch.MinHash uses: (a * x + b) mod (2^61 - 1), keep 32 bits.
    gen = np.random.RandomState(seed)
    a = gen.randint(1, int(MERSENNE), size=num_perm, dtype=np.uint64)
    b = gen.randint(0, int(MERSENNE), size=num_perm, dtype=np.uint64)
    return a, b


_PERMS = {f.name: _permutations(f.num_perm, SEED) for f in FAMILIES}


def signature(hashes: Iterable[int], family: Family) -> np.ndarray | None:
    """MinHash signature (uint64 values < 2^32); None for an empty set."""
    values = np.fromiter(hashes, dtype=np.uint64)
    if values.size == 0:
        return None
    a, b = _PERMS[family.name]
    with np.errstate(over="ignore"):
        phv = ((values[:, None] * a[None, :] + b[None, :]) % MERSENNE) & MAX_HASH
    return phv.min(axis=0)


def band_keys(sig: np.ndarray, family: Family) -> list[int]:
    """One signed 64-bit key per band: family, band number and the band's values, hashed."""
    tag = family.name.encode()
    keys = []
    for band in range(family.bands):
        chunk = sig[band * family.rows : (band + 1) * family.rows].tobytes()
        digest = hashlib.blake2b(tag + bytes([band]) + chunk, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys


MIN_STABLE_SHINGLES = 4  # smaller stable sets are shared by too many paragraphs to be worth banding


def text_keys(feats: Features) -> list[int]:
    keys: list[int] = []
    for family in FAMILIES:
        if family is STABLE and len(feats.stable) < MIN_STABLE_SHINGLES:
            continue
        sig = signature(feats.of(family), family)
        if sig is not None:
            keys.extend(band_keys(sig, family))
    return keys


def chunks(text: str, min_words: int = 25) -> list[str]:
    """Paragraph-sized pieces, cut the same way for indexed sources and for queries."""
    from ..corpora import CorpusDoc, paragraphs

    text = re.sub(r"[ \t]+", " ", text).strip()
    if not text:
        return []
    return paragraphs(CorpusDoc("", "", text, ""), min_words=min_words)


def containment(query: frozenset[int], source: frozenset[int] | set[int]) -> float:
    return len(query & source) / len(query) if query else 0.0
