"""The bundled fingerprint list (TorturePhrases_Estimator's queries) and how it merges with a user's."""

from __future__ import annotations

import json

import pytest

from unspin.cli import main
from unspin.lexicon.default_fingerprints import everyday_word, list_rows, pps_query
from unspin.lexicon.fingerprint_lists import effective_list
from unspin.lexicon.fingerprints import FingerprintMatcher

pytest.importorskip("TorturePhrases_Estimator")


@pytest.mark.parametrize("line,query", [
    ("profound learning AND deep learning", '"profound learning" AND "deep learning"'),
    ("PC helped AND (be that as it OR on the off chance)", '"PC helped" AND ("be that as it" OR "on the off chance")'),
    ("grouping relapse~5", '"grouping relapse"~5'),
    ("IoT (Web of Things)", '"IoT (Web of Things)"'),
    ("highlight extraction NOT specular", '"highlight extraction" NOT "specular"'),
])
def test_unquoted_queries_become_pps_queries(line, query):
    assert pps_query(line) == query


def test_rows_are_distinct_and_everyday_single_words_are_left_out():
    rows = list_rows("Tortured Phrases\nprofound learning\nProfound Learning\nsurface\nneuro-fluffy\n")
    assert [r[0] for r in rows] == ['"profound learning"', '"neuro-fluffy"']
    assert everyday_word("surface") and not everyday_word("neuro-fluffy") and not everyday_word("profound learning")


@pytest.fixture
def bundled(monkeypatch, tmp_path):
    monkeypatch.setenv("UNSPIN_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("UNSPIN_DEFAULT_FINGERPRINTS", "1")
    monkeypatch.delenv("UNSPIN_FINGERPRINTS", raising=False)


def test_bundled_list_is_on_by_default_and_merges_with_a_users(bundled, tmp_path):
    matcher = FingerprintMatcher.from_csv(effective_list(None))
    assert len(matcher) > 5000
    (found,) = matcher.find("They trained a neural organization model.")
    assert found.observed == "neural organization" and found.suggestion == ""  # the list gives none
    mine = tmp_path / "mine.csv"
    mine.write_text('tortured_phrase,expected_phrase,num_papers\n"neural organization",neural network,3\n')
    merged = FingerprintMatcher.from_csv(effective_list(mine))
    assert len(merged) == len(matcher)  # the user's row replaced the bundled one for that phrase
    (found,) = merged.find("They trained a neural organization model.")
    assert found.suggestion == "neural network"


def test_scan_cli_uses_it_unless_told_not_to(bundled, tmp_path, capsys):
    doc = tmp_path / "paper.txt"
    doc.write_text("Our neural organization model beat the baseline.")
    assert main(["scan", str(doc), "--no-model", "-q"]) == 0
    assert [f["observed"] for f in json.loads(capsys.readouterr().out)["findings"]] == ["neural organization"]
    assert main(["scan", str(doc), "--no-model", "-q", "--no-default-fingerprints"]) == 0
    assert json.loads(capsys.readouterr().out)["findings"] == []


def test_a_scanner_told_to_leave_the_bundled_list_out_keeps_that_where_it_runs(bundled):
    """A Spark executor or --jobs worker does not see the driver's environment: the setting
    travels with the pickled step."""
    import pickle

    from unspin.steps import Scanner

    step = pickle.loads(pickle.dumps(Scanner(use_model=False, bundled_fingerprints=False)))
    assert step.matcher() is None  # $UNSPIN_DEFAULT_FINGERPRINTS=1 here, as on an executor
    assert len(pickle.loads(pickle.dumps(Scanner(use_model=False))).matcher()) > 5000
