"""Scoring one restorer on spun and clean documents (shared by `bench restore` and `bench tune`).

Imports no spinner family: `bench tune` and calibration use this module and must never reach
the holdout family (import-linter contract in pyproject.toml).
"""

from __future__ import annotations

import re
import sys
import time
from dataclasses import asdict, dataclass
from typing import Iterable

from ..corpora import documents
from ..text import word_count
from .spinner import Spinner


@dataclass
class RestoreScores:
    docs: int = 0
    words: int = 0
    swaps: int = 0
    restored_exactly: int = 0
    edits: int = 0
    correct_edits: int = 0
    clean_words: int = 0
    clean_false_edits: int = 0
    seconds: float = 0.0

    @property
    def recall(self) -> float:
        return self.restored_exactly / max(self.swaps, 1)

    @property
    def precision(self) -> float:
        return self.correct_edits / max(self.edits, 1)

    @property
    def false_per_1k(self) -> float:
        return 1000 * self.clean_false_edits / max(self.clean_words, 1)

    def summary(self) -> dict:
        return {
            **asdict(self),
            "swap_recall": round(self.recall, 4),
            "edit_precision": round(self.precision, 4),
            "false_edits_per_1k_clean_words": round(self.false_per_1k, 3),
            "words_per_second": round((self.words + self.clean_words) / max(self.seconds, 1e-9), 1),
        }


def sample_docs(split: str, n: int, min_words: int = 150, max_words: int = 600, source: str = "news") -> list[str]:
    """Held-out articles (or other corpus documents), cut to at most max_words at a sentence end."""
    out = []
    for doc in documents(split, sources=(source,)):
        text = _truncate(doc.text, max_words)
        if word_count(text) >= min_words:
            out.append(text)
        if len(out) >= n:
            break
    return out


def clean_chunks(source: str, split: str, n: int) -> list[str]:
    """n clean documents of 150-600 words: news articles, speech chunks, or technical prose
    (consecutive docstrings joined, since one is rarely 150 words)."""
    if source == "news":
        return sample_docs(split, n)
    return joined_chunks((doc.text for doc in documents(split, sources=(source,))), n, join=source != "sotu")


def unseen_technical_chunks(n: int) -> list[str]:
    """n clean technical documents from packages no model, lexicon or calibration was built
    from (`corpora.unseen_technical_docs`), consecutive docstrings joined."""
    from ..corpora import unseen_technical_docs

    return joined_chunks((doc.text for doc in unseen_technical_docs()), n)


def joined_chunks(texts: Iterable[str], n: int, join: bool = True) -> list[str]:
    """Up to n documents of 150-600 words (`calibrate_scan.chunk_text`) cut from the texts; with
    `join`, consecutive texts are first joined until they hold 400 words."""
    from .calibrate_scan import chunk_text

    out: list[str] = []
    pending: list[str] = []
    for text in texts:
        pending.append(text)
        if not join or sum(word_count(p) for p in pending) >= 400:
            out.extend(chunk_text("\n\n".join(pending)))
            pending = []
        if len(out) >= n:
            break
    return out[:n]


def _truncate(text: str, max_words: int) -> str:
    words = 0
    for m in re.finditer(r"[^.!?]+[.!?]+[\"']?\s*", text):
        words += len(m.group().split())
        if words > max_words:
            return text[: m.start()].strip()
    return text.strip()


def score_documents(restorer, texts: list[str], rate: float, seed: int = 0, progress: bool = True) -> RestoreScores:
    """The old random spinner at one rate (what `bench tune` optimises; see training_families)."""
    from tqdm import tqdm

    spinner = Spinner(seed=seed)
    scores = RestoreScores()
    for text in tqdm(texts, desc="restore bench", disable=not progress, file=sys.stderr):
        spun = spinner.spin(text, rate=rate)
        score_spun(restorer, spun, scores)
        score_clean(restorer, text, scores)
    return scores


def score_family(restorer, family, texts: list[str], progress: bool = True) -> RestoreScores:
    from tqdm import tqdm

    scores = RestoreScores()
    for text in tqdm(texts, desc=f"restore {family.name}/{family.density}", disable=not progress, file=sys.stderr):
        score_spun(restorer, family.spin(text), scores)
    return scores


def answer_key(spun) -> dict[tuple[int, int], str]:
    """A spun text's swaps: character span -> the original (lower case), what a right edit puts back."""
    return {(s.start, s.end): s.original.lower() for s in spun.swaps}


def restored_right(edit, key: dict[tuple[int, int], str]) -> bool:
    return key.get((edit.span.start, edit.span.end)) == edit.original.lower()


def score_spun(restorer, spun, scores: RestoreScores) -> None:
    t0 = time.perf_counter()
    result = restorer.restore(spun.text)
    scores.seconds += time.perf_counter() - t0
    gold = answer_key(spun)
    scores.docs += 1
    scores.words += result.words
    scores.swaps += len(gold)
    scores.edits += len(result.edits)
    for edit in result.edits:
        if restored_right(edit, gold):
            scores.correct_edits += 1
            scores.restored_exactly += 1


def score_clean(restorer, text: str, scores: RestoreScores) -> None:
    t0 = time.perf_counter()
    clean = restorer.restore(text)
    scores.seconds += time.perf_counter() - t0
    scores.clean_words += clean.words
    scores.clean_false_edits += len(clean.edits)
