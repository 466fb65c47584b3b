"""Importing unspin (and its core modules) must not pull in heavy optional dependencies."""

import subprocess
import sys

CORE = ["unspin", "unspin.restorer.decode", "unspin.scanner.detect", "unspin.scanner.screen", "unspin.engine.features", "unspin.steps", "unspin.trace", "unspin.io.readers", "unspin.pipeline", "unspin.cli"]
HEAVY = ["torch", "transformers", "fastapi", "pyspark", "spacy", "matplotlib", "pyarrow"]


def test_core_imports_are_light():
    code = f"import sys\nfor m in {CORE!r}: __import__(m)\nprint([h for h in {HEAVY!r} if h in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"
