"""The v2 learned-lexicon format: confidence and seen columns, v1 files still load."""

import math

import pytest

from unspin.lexicon.learned import LearnedLexicon


def test_v1_file_loads_with_full_confidence_and_no_prior(tmp_path):
    path = tmp_path / "old.tsv"
    path.write_text("# unspin learned lexicon v1 pairs=2 documents=3\ncorporate\tcompany\t4\np.c.\tpercent\t1\n")
    lex = LearnedLexicon.load(path)
    assert lex.documents == 3 and lex.lookup("corporate") == [("company", 4)]
    assert lex.confidence("corporate", "company") == 1.0 and lex.seen("corporate") == 0
    assert lex.prior_logodds("corporate", "company") is None


def test_v2_round_trip_keeps_confidence_and_seen(tmp_path):
    lex = LearnedLexicon()
    lex.add("stated", "said", 90, confidence=0.97, seen=100)
    lex.add("inside the", "in the", 40, confidence=0.6, seen=50)
    path = tmp_path / "spinner.tsv"
    lex.save(path)
    again = LearnedLexicon.load(path)
    assert list(again.rows()) == list(lex.rows())
    assert [r[0] for r in again.rows()] == ["stated", "inside the"]  # most confident first
    p = 0.97 * 0.9
    assert again.prior_logodds("stated", "said") == pytest.approx(math.log(p / (1 - p)), abs=1e-3)


def test_merge_adds_counts_and_keeps_the_higher_confidence():
    a, b = LearnedLexicon(), LearnedLexicon()
    a.add("stated", "said", 10, confidence=0.6, seen=20)
    b.add("stated", "said", 5, confidence=0.9, seen=30)
    a.merge(b)
    assert a.count("stated", "said") == 15 and a.confidence("stated", "said") == 0.9 and a.seen("stated") == 30
