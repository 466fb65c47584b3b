"""The machine a benchmark ran on, as its report names it."""

from __future__ import annotations

import os
import platform


def describe() -> str:
    return f"{platform.node()} {platform.machine()} {os.cpu_count()} cpus, Python {platform.python_version()}"
