"""Golden cases for the real screener (needs `unspin setup` artifacts): one test id per case.

The spun council story is written the way commercial spinners rewrite (typical tortured
phrases); the clean stories were written for this file, not taken from any corpus.
"""

import json
from pathlib import Path

import pytest

from unspin.config import lexicon_path, ngram_path

CASES = [json.loads(line) for line in (Path(__file__).parents[1] / "data" / "golden" / "scan.jsonl").read_text().splitlines() if line.strip()]

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not (lexicon_path().exists() and ngram_path().exists()), reason="artifacts not built: run `unspin setup`"),
]


@pytest.mark.parametrize("case", [pytest.param(c, id=c["id"]) for c in CASES])
def test_golden(case):
    from unspin.scanner.detect import scan_text

    report = scan_text(case["text"], fingerprints=False)
    assert report.spun is case["spun"], f"spin probability {report.spin_probability}"
    for f in report.findings:
        assert case["text"][f.span.start : f.span.end] == f.observed
