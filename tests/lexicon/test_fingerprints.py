"""Known fingerprints: PPS query parsing, expected-phrase cleaning, matching (golden cases as data)."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from unspin.errors import InputError
from unspin.lexicon.fingerprints import (
    FingerprintMatcher,
    anchors_and_conditions,
    clean_expected,
    describe,
    parse_query,
)
from unspin.types import FindingKind

DATA = Path(__file__).resolve().parents[1] / "data" / "fingerprints"


@pytest.fixture(autouse=True)
def _private_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("UNSPIN_HOME", str(tmp_path / "unspin-home"))


def _cases(name: str) -> list:
    rows = [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    return [pytest.param(row, id=row["id"]) for row in rows]


@pytest.mark.parametrize("case", _cases("queries.jsonl"))
def test_query_parsing(case):
    rules = anchors_and_conditions(parse_query(case["query"]))
    assert [[describe(a), describe(c)] for a, c in rules] == case["rules"]


@pytest.mark.parametrize("case", _cases("expected.jsonl"))
def test_expected_phrase_cleaning(case):
    expected = clean_expected(case["raw"])
    assert expected.suggestion == case["suggestion"]
    assert list(expected.options) == case["options"]
    assert expected.uncertain == case["uncertain"]


@pytest.mark.parametrize("case", _cases("matches.jsonl"))
def test_matching(case):
    matcher = FingerprintMatcher.from_rows([(q, e, "1") for q, e in case["rows"]])
    findings = matcher.find(case["text"])
    assert [[f.observed, f.suggestion] for f in findings] == case["findings"]
    for f in findings:
        assert case["text"][f.span.start : f.span.end] == f.observed
        assert f.kind is FindingKind.FINGERPRINT
        assert f.rule in [q for q, _ in case["rows"]]


def test_confidence_reflects_context_and_uncertainty():
    matcher = FingerprintMatcher.from_rows([
        ('"profound learning" AND "deep learning"', "deep learning", "10"),
        ('"haze figuring"', "cloud computing (?)", "3"),
        ('"counterfeit consciousness"', "artificial intelligence", "5"),
    ])
    found = {f.observed: f for f in matcher.find("Profound learning, haze figuring, counterfeit consciousness and deep learning.")}
    assert found["Profound learning"].confidence > found["counterfeit consciousness"].confidence > found["haze figuring"].confidence
    assert found["Profound learning"].evidence["context"] is True
    assert found["haze figuring"].evidence["uncertain"] is True


def test_alternatives_from_slash_options():
    matcher = FingerprintMatcher.from_rows([('"favorable cancer"', "benign cancer/tumor", "1")])
    (finding,) = matcher.find("A favorable cancer was seen.")
    assert finding.suggestion == "benign cancer"
    assert [a.text for a in finding.alternatives] == ["benign tumor"]


def test_whitelist_can_be_replaced():
    rows = [('"information mining"', "data mining", "1")]
    assert FingerprintMatcher.from_rows(rows).find("information mining") == []
    assert len(FingerprintMatcher.from_rows(rows, whitelist=()).find("information mining")) == 1


def test_offsets_survive_characters_that_lower_to_two():
    matcher = FingerprintMatcher.from_rows([('"counterfeit consciousness"', "artificial intelligence", "1")])
    text = "İstanbul: counterfeit consciousness."
    (finding,) = matcher.find(text)
    assert text[finding.span.start : finding.span.end] == "counterfeit consciousness"


def test_pickles_and_rebuilds_its_automaton():
    matcher = FingerprintMatcher.from_rows([('"counterfeit consciousness"', "artificial intelligence", "1")])
    clone = pickle.loads(pickle.dumps(matcher))
    assert [f.observed for f in clone.find("counterfeit consciousness")] == ["counterfeit consciousness"]


def test_plain_user_csv_without_header(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text("counterfeit consciousness,artificial intelligence\nprofound learning,deep learning\n", encoding="utf-8")
    matcher = FingerprintMatcher.from_csv(path)
    assert [f.suggestion for f in matcher.find("Profound learning beats counterfeit consciousness.")] == [
        "Deep learning", "artificial intelligence"]


def test_compiled_list_is_cached(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text("counterfeit consciousness,artificial intelligence\n", encoding="utf-8")
    first = FingerprintMatcher.from_csv(path)
    cached = list((tmp_path / "unspin-home" / "fingerprints").glob("*.pickle"))
    assert len(cached) == 1
    second = FingerprintMatcher.from_csv(path)
    assert second is not first and second.rules == first.rules
    assert [f.observed for f in second.find("counterfeit consciousnesses")] == ["counterfeit consciousnesses"]
    path.write_text("profound learning,deep learning\n", encoding="utf-8")  # new content, new entry
    assert [r.anchor.text for r in FingerprintMatcher.from_csv(path).rules] == ["profound learning"]
    cached[0].write_bytes(b"garbage")
    path.write_text("counterfeit consciousness,artificial intelligence\n", encoding="utf-8")
    assert len(FingerprintMatcher.from_csv(path)) == 1  # a broken cache entry is rebuilt


def test_unreadable_list_is_an_input_error(tmp_path):
    with pytest.raises(InputError):
        FingerprintMatcher.from_csv(tmp_path / "missing.csv")


@pytest.fixture(scope="module")
def pps_matcher():
    from tests.conftest import PPS_CSV

    if not PPS_CSV.exists():
        pytest.skip(f"{PPS_CSV} not found (../shared is beside the repo in CI)")
    return FingerprintMatcher.from_csv(PPS_CSV, cache=False)  # no writes outside tmp


def test_pps_list_loads_every_query_form(pps_matcher):
    matcher = pps_matcher
    assert len(matcher) >= 7644
    queries = {r.query for r in matcher.rules}
    assert any(" NOT " in q for q in queries) and any("~" in q for q in queries) and any(" OR " in q for q in queries)
    text = ("Counterfeit consciousness and profound learning need deep learning. "
            "Image acknowledgments use a neural organization.")
    observed = [f.observed for f in matcher.find(text)]
    assert observed == ["Counterfeit consciousness", "profound learning", "Image acknowledgments", "neural organization"]


def test_pps_list_is_quiet_on_clean_news(pps_matcher):
    corpora = pytest.importorskip("unspin.corpora")
    try:
        docs = [d.text for _, d in zip(range(150), corpora.documents("dev", ("news",)))]
    except Exception as exc:  # noqa: BLE001 - the corpus package is optional
        pytest.skip(f"news corpus unavailable: {exc}")
    hits = sum(len(pps_matcher.find(d)) for d in docs)
    assert hits <= 2


def test_pyahocorasick_fallback(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "ahocorasick_rs", None)  # import fails -> pyahocorasick
    matcher = FingerprintMatcher.from_rows([('"counterfeit consciousness"', "artificial intelligence", "1"),
                                            ('"profound learning"', "deep learning", "1")])
    assert matcher._rs is None and matcher._py is not None
    text = "Profound learning, not counterfeit consciousnesses."
    assert [(f.observed, f.suggestion) for f in matcher.find(text)] == [
        ("Profound learning", "Deep learning"), ("counterfeit consciousnesses", "artificial intelligence")]
