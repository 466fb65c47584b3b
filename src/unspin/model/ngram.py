"""KenLM n-gram backend: fast scoring, and the set-up step that trains it."""

from __future__ import annotations

import math
import subprocess
import tempfile
from pathlib import Path
from typing import Iterable, Sequence

from ..config import bin_dir, ngram_path
from ..errors import ArtifactError, MissingExtraError
from ..text import sentences, tokenize
from .base import lm_word

LOG10_TO_LN = math.log(10)


class NgramModel:
    """A KenLM model over lower-cased word tokens (see `lm_word`)."""

    def __init__(self, path: Path | None = None) -> None:
        try:
            import kenlm
        except ImportError:
            raise MissingExtraError("ngram", "the n-gram language model") from None
        path = path or ngram_path()
        if not path.exists():
            raise ArtifactError("n-gram model not built: run `unspin setup`", source=str(path))
        self._kenlm = kenlm
        self.model = kenlm.Model(str(path))
        self.order = self.model.order
        # log10_score(text, bos=, eos=): log10-probability of space-separated `lm_word` tokens;
        # KenLM's own method, with no Python layer between, for the screener's inner loop
        self.log10_score = self.model.score
        self.name = f"ngram:{path.name}"

    def score_sentences(self, sentences_: Sequence[Sequence[str]]) -> list[float]:
        score = self.model.score
        return [score(" ".join(lm_word(w) for w in s), bos=True, eos=True) * LOG10_TO_LN for s in sentences_]

    def score_window(self, words: Sequence[str], bos: bool, eos: bool) -> float:
        """Log-probability of a word window (already in `lm_word` form)."""
        return self.model.score(" ".join(words), bos=bos, eos=eos) * LOG10_TO_LN

    def close(self) -> None:
        self.model = None


def training_lines(texts: Iterable[str]) -> Iterable[str]:
    """One tokenised, lower-cased sentence per line, as lmplz wants."""
    for text in texts:
        tokens = tokenize(text)
        for sentence in sentences(tokens, text):
            words = [lm_word(t.text) for t in sentence]
            if len(words) >= 3:
                yield " ".join(words)


def train(texts: Iterable[str], out: Path | None = None, order: int = 5, memory: str = "15%") -> Path:
    """Train a modified Kneser-Ney model with lmplz and binarise it (needs `scripts/build_lmplz.sh`)."""
    out = out or ngram_path()
    lmplz, build_binary = bin_dir() / "lmplz", bin_dir() / "build_binary"
    if not lmplz.exists():
        raise ArtifactError("lmplz not built: run scripts/build_lmplz.sh (make artifacts does)", source=str(lmplz))
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        corpus, arpa = Path(work) / "corpus.txt", Path(work) / "model.arpa"
        with open(corpus, "w", encoding="utf-8") as f:
            for line in training_lines(texts):
                f.write(line + "\n")
        with open(corpus, "rb") as stdin, open(arpa, "wb") as stdout:
            subprocess.run(
                [str(lmplz), "-o", str(order), "-S", memory, "-T", work, "--discount_fallback"],
                stdin=stdin, stdout=stdout, stderr=subprocess.DEVNULL, check=True,
            )
        subprocess.run([str(build_binary), "-s", "probing", str(arpa), str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return out
