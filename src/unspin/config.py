"""Where built artifacts live, and the settings that name them."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """$UNSPIN_HOME, else $XDG_CACHE_HOME/unspin, else ~/.cache/unspin."""
    if os.environ.get("UNSPIN_HOME"):
        return Path(os.environ["UNSPIN_HOME"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "unspin"


def lexicon_path() -> Path:
    return cache_dir() / "lexicon.tsv.gz"


def ngram_path() -> Path:
    return cache_dir() / "news.5gram.binary"


def bin_dir() -> Path:
    return cache_dir() / "bin"


def neural_cache_dir(model_name: str) -> Path:
    return cache_dir() / "models" / model_name.replace("/", "--")
