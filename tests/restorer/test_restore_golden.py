"""Golden cases for the real engine (needs `unspin setup` artifacts): one test id per case."""

import json
from pathlib import Path

import pytest

from unspin.config import lexicon_path, ngram_path

CASES = [json.loads(line) for line in (Path(__file__).parents[1] / "data" / "golden" / "restore.jsonl").read_text().splitlines() if line.strip()]

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not (lexicon_path().exists() and ngram_path().exists()), reason="artifacts not built: run `unspin setup`"),
]


@pytest.fixture(scope="module")
def engine():
    from unspin.restorer.decode import load_restorer

    return load_restorer("ngram")


def params(cases):
    """A known gap must fail: once the engine closes it, the strict xfail turns red and the case is updated."""
    return [pytest.param(c, id=c["id"], marks=[pytest.mark.xfail(reason=c["known_gap"], strict=True)] if c.get("known_gap") else [])
            for c in cases]


def check_golden(engine, case):
    result = engine.restore(case["text"])
    got = [[e.observed, e.original.lower()] for e in result.edits]
    assert sorted(got) == sorted(case["edits"]), f"want exactly {case['edits']}; got {got}"
    for e in result.edits:
        assert case["text"][e.span.start : e.span.end] == e.observed


@pytest.mark.parametrize("case", params(CASES))
def test_golden(engine, case):
    check_golden(engine, case)


def test_restore_phrase_forces_a_choice(engine):
    assert engine.restore_phrase("p.c.") == "percent"


def test_the_scan_posterior_lowers_the_cut_in_a_spun_document_only(engine):
    """The bundled example is surely spun: with a cut for spun documents it gets more edits, all
    of the default's among them; a clean text is flagged by nothing and restored as by default."""
    from unspin.steps import restore_engine

    spun = (Path(__file__).parents[2] / "examples" / "spun_article.txt").read_text(encoding="utf-8")
    clean = "The company said on Tuesday that sales fell 4 percent during the third quarter."
    composed = restore_engine("ngram", spun_threshold=0.6)
    default, aggressive = engine.restore(spun), composed.restore(spun)
    assert aggressive.signals["spin_probability"] > composed.flag_at
    assert len(aggressive.edits) > len(default.edits)
    assert {(e.span.start, e.suggestion) for e in default.edits} <= {(e.span.start, e.suggestion) for e in aggressive.edits}
    assert composed.restore(clean).edits == engine.restore(clean).edits == ()


def test_the_site_model_asks_scan_first_unless_told_not_to(engine):
    """By default the site model carries scan's prior (a clean text is left alone and says how
    likely it is spun); without it, it is the bare engine; a spun cut needs the prior."""
    from unspin.steps import restore_engine

    clean = "The company said on Tuesday that sales fell 4 percent during the third quarter."
    composed = restore_engine("ngram")
    result = composed.restore(clean)
    assert result.edits == () and result.signals["spin_probability"] < composed.flag_at
    bare = restore_engine("ngram", document_prior=False)
    assert bare.document_prior is None and "spin_probability" not in bare.restore(clean).signals
    with pytest.raises(ValueError, match="document prior"):
        restore_engine("ngram", spun_threshold=0.8, document_prior=False)


NEURAL_CASES = [json.loads(line) for line in (Path(__file__).parents[1] / "data" / "golden" / "restore_neural.jsonl").read_text().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def neural_engine():
    pytest.importorskip("transformers")
    from unspin.config import neural_cache_dir
    from unspin.restorer.decode import load_restorer

    if not (neural_cache_dir("smollm2") / "config.json").exists():
        pytest.skip("SmolLM2 not built: run `unspin setup --neural`")
    return load_restorer("smollm2", device="cpu")


@pytest.mark.neural
def test_smollm2_goes_to_the_site_model_with_its_neural_stage(neural_engine):
    from unspin.restorer.decode import load_restorer
    from unspin.restorer.site_model import ModelRestorer

    assert isinstance(neural_engine, ModelRestorer) and neural_engine.neural is not None
    assert not isinstance(load_restorer("smollm2", decision="decoder", device="cpu"), ModelRestorer)


NEAR_CUT_BAND = 0.01  # how far CPU float differences moved a stage probability between two VMs


@pytest.mark.neural
@pytest.mark.parametrize("case", params(NEURAL_CASES))
def test_golden_neural(neural_engine, case):
    """A `near_cut` case sits within `NEAR_CUT_BAND` of the stage's cut, where the CPU's float
    arithmetic decides: restored at the cut less the band, and nothing else at the cut."""
    if not case.get("near_cut"):
        check_golden(neural_engine, case)
        return
    lowered = neural_engine.restore(case["text"], neural_engine.neural.cut - NEAR_CUT_BAND)
    assert sorted([e.observed, e.original.lower()] for e in lowered.edits) == sorted(case["edits"])
    at_cut = [[e.observed, e.original.lower()] for e in neural_engine.restore(case["text"]).edits]
    assert at_cut in ([], case["edits"]), f"want {case['edits']} or nothing at the cut; got {at_cut}"


@pytest.mark.neural
def test_the_neural_stage_asks_scan_first_too(neural_engine):
    """restore --lm smollm2 carries scan's prior (a flagged document reaches the stage after the
    flagged passes); the bundled example is flagged and keeps every edit of the bare stage."""
    from unspin.steps import restore_engine

    spun = (Path(__file__).parents[2] / "examples" / "spun_article.txt").read_text(encoding="utf-8")
    composed = restore_engine("smollm2", device="cpu")
    assert composed.neural is neural_engine.neural and composed.document_prior is not None
    result = composed.restore(spun)
    assert result.signals["spin_probability"] > composed.flag_at
    assert {(e.span.start, e.suggestion) for e in neural_engine.restore(spun).edits} <= {(e.span.start, e.suggestion) for e in result.edits}
