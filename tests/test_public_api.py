"""The Python API as a user calls it: `unspin.scan` with a fingerprint list given as a path."""

from __future__ import annotations

from pathlib import Path

import pytest

import unspin

LIST = "tortured_phrase,expected_phrase,num_papers\n\"counterfeit consciousness\",artificial intelligence,\"1,234\"\n"


@pytest.mark.parametrize("as_path", [str, Path])
def test_scan_takes_a_fingerprint_list_as_a_path(tmp_path, as_path):
    csv = tmp_path / "pps.csv"
    csv.write_text(LIST, encoding="utf-8")
    report = unspin.scan("Our counterfeit consciousness lab grew.", fingerprints=as_path(csv), use_model=False)
    (finding,) = report.findings
    assert (finding.observed, finding.suggestion) == ("counterfeit consciousness", "artificial intelligence")
    assert finding.evidence["num_papers"] == 1234


def test_scan_names_a_missing_list(tmp_path):
    with pytest.raises(unspin.InputError, match="missing.csv"):
        unspin.scan("text", fingerprints=tmp_path / "missing.csv", use_model=False)


def test_restore_takes_a_fingerprint_list(tmp_path, monkeypatch):
    from fakes import FakeRestorer

    monkeypatch.setattr("unspin.restorer.decode.load_restorer", lambda lm="ngram", **kw: FakeRestorer({"corporate": "company"}))
    csv = tmp_path / "pps.csv"
    csv.write_text(LIST, encoding="utf-8")
    result = unspin.restore("The corporate made a counterfeit consciousness lab.", lm="ngram", fingerprints=csv)
    assert result.restored == "The company made an artificial intelligence lab."


def test_scan_findings_carry_messages(tmp_path):
    csv = tmp_path / "pps.csv"
    csv.write_text(LIST, encoding="utf-8")
    (finding,) = unspin.scan("Our counterfeit consciousness lab grew.", fingerprints=csv, use_model=False).findings
    assert finding.message == ("Known tortured phrase for 'artificial intelligence' "
                               "(listed by the Problematic Paper Screener).")
    assert finding.short_message == "Known tortured phrase"
