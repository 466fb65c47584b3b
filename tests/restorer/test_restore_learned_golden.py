"""Golden cases for restoring with a learned lexicon on the real engine (needs `unspin setup`
artifacts): the site model trained with learned lexicons. The lexicon is
tests/data/golden/restore_learned.tsv (observed, original, count, confidence, seen)."""

import json
from pathlib import Path

import pytest

from unspin.config import lexicon_path, ngram_path

GOLDEN = Path(__file__).parents[1] / "data" / "golden"
CASES = [json.loads(line) for line in (GOLDEN / "restore_learned.jsonl").read_text().splitlines() if line.strip()]

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not (lexicon_path().exists() and ngram_path().exists()), reason="artifacts not built: run `unspin setup`"),
]

PARAMS = [
    pytest.param(c, id=c["id"], marks=[pytest.mark.xfail(reason=c["known_gap"], strict=True)] if c.get("known_gap") else [])
    for c in CASES
]


@pytest.fixture(scope="module")
def engine():
    from unspin.restorer.decode import load_restorer
    from unspin.restorer.site_model import ModelRestorer

    restorer = load_restorer("ngram", learned=str(GOLDEN / "restore_learned.tsv"))
    assert isinstance(restorer, ModelRestorer)  # the site model trained with learned lexicons, not the decoder
    return restorer


@pytest.mark.parametrize("case", PARAMS)
def test_golden(engine, case):
    result = engine.restore(case["text"])
    got = [[e.observed, e.original.lower()] for e in result.edits]
    assert sorted(got) == sorted(case["edits"]), f"want exactly {case['edits']}; got {got}"
