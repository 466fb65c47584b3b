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


DEVICE_ENV = "UNSPIN_DEVICE"
DEVICES = ("auto", "cpu", "cuda")


def is_device_name(value: str) -> bool:
    return value in DEVICES or (value.startswith("cuda:") and value[5:].isdigit())


def device_setting(device: str | None = None) -> str:
    """The device a neural LM is asked to run on: `device`, else $UNSPIN_DEVICE, else "auto".

    "auto" is CUDA when torch sees a GPU, else the CPU; "cuda:N" names one GPU. Resolved against
    torch by `model.neural.resolve_device` (torch is imported there, never here)."""
    from .errors import DeviceError

    source = "device" if device else DEVICE_ENV
    value = (device or os.environ.get(DEVICE_ENV) or "auto").strip().lower()
    if is_device_name(value):
        return value
    raise DeviceError(f"unknown device {value!r}: use auto, cpu, cuda or cuda:N", source=source)


PRECISION_ENV = "UNSPIN_CPU_PRECISION"
PRECISIONS = ("auto", "float32", "bfloat16")


def cpu_precision_setting() -> str:
    """The weights' type for a neural LM on the CPU: $UNSPIN_CPU_PRECISION, else "auto" (bfloat16
    where the CPU multiplies it natively, AMX or AVX512-BF16, else float32). Resolved against
    torch by `model.neural`."""
    from .errors import DeviceError

    value = (os.environ.get(PRECISION_ENV) or "auto").strip().lower()
    if value in PRECISIONS:
        return value
    raise DeviceError(f"unknown CPU precision {value!r}: use {', '.join(PRECISIONS)}", source=PRECISION_ENV)
