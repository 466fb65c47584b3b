"""Replays the inputs `unspin bench fuzz` found crashing (tests/data/fuzz/<target>/) through the
same targets: each must now give text or a coded error, never an exception."""

from __future__ import annotations

from pathlib import Path

import pytest

from unspin.bench.fuzz import TARGETS, check
from unspin.bench.samples import seeds

CORPUS = Path(__file__).resolve().parents[1] / "data" / "fuzz"
CASES = sorted((p.parent.name, p) for p in CORPUS.glob("*/*") if p.is_file())


def test_the_regression_corpus_is_there_and_named_by_target():
    assert CASES, "tests/data/fuzz holds the crashes found so far"
    assert {target for target, _ in CASES} <= set(TARGETS)


@pytest.mark.parametrize("target,path", CASES, ids=[f"{t}/{p.name}" for t, p in CASES])
def test_a_crash_found_by_fuzzing_stays_fixed(target, path):
    check(target, path.read_bytes())


@pytest.mark.parametrize("target", TARGETS)
def test_seeds_read_cleanly(target):
    for seed in seeds()[target]:
        check(target, seed)


def test_check_reports_what_the_fuzzer_would_call_a_crash(monkeypatch):
    import unspin.io.extract as extract

    monkeypatch.setattr(extract, "_html_text", lambda data, label: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        check("html", b"<p>x</p>")
