import json

import pytest

from unspin.errors import ArtifactError
from unspin.lexicon.learned import LearnedLexicon
from unspin.trace import align


def _lexicon():
    lex = LearnedLexicon()
    lex.add_pairs([("corporate", "company"), ("Corporate", "company"), ("corporate", "business"), ("p.c.", "percent", 5)])
    return lex


def test_lookup_counts_most_frequent_first():
    lex = _lexicon()
    assert lex.lookup("corporate") == [("company", 2), ("business", 1)]
    assert lex.lookup("CORPORATE ") == lex.lookup("corporate")
    assert lex.lookup("unknown") == []
    assert len(lex) == 3 and "p.c." in lex and lex.count("p.c.", "percent") == 5


def test_channel_is_a_smoothed_share_of_the_original():
    lex = _lexicon()
    assert lex.channel("corporate", "company") == pytest.approx((2 + 1) / (2 + 2))
    assert lex.channel("anything", "never-seen") == 0.0


def test_identity_and_empty_pairs_are_ignored():
    lex = LearnedLexicon()
    lex.add_pairs([("same", "Same"), ("", "x"), ("y", " ")])
    assert len(lex) == 0
    with pytest.raises(ValueError):
        lex.add_pairs([("only-one",)])


def test_save_load_round_trip(tmp_path):
    lex = _lexicon()
    lex.documents = 7
    path = tmp_path / "learned.tsv"
    lex.save(path)
    assert path.read_text().splitlines()[1] == "p.c.\tpercent\t5\t1.0\t0"
    again = LearnedLexicon.load(path)
    assert list(again.pairs()) == list(lex.pairs()) and again.documents == 7


@pytest.mark.parametrize(
    "row",
    ["only\ttwo", "a\tb\tmany", "a\tb\t0", "\tb\t1", "a\tb\t1\t1.5", "a\tb\t1\tsure", "a\tb\t1\t0.5\t2\t9"],
    ids=["fields", "count-text", "count-zero", "empty-observed", "confidence-above-1", "confidence-text", "six-fields"],
)
def test_load_rejects_malformed_rows_naming_the_line(tmp_path, row):
    path = tmp_path / "bad.tsv"
    path.write_text("# unspin learned lexicon v1\nok\tfine\t1\n" + row + "\n")
    with pytest.raises(ArtifactError, match="bad.tsv:3"):
        LearnedLexicon.load(path)


def test_load_missing_file(tmp_path):
    with pytest.raises(ArtifactError, match="U200"):
        LearnedLexicon.load(tmp_path / "none.tsv")


def test_add_alignment_learns_the_swaps():
    lex = LearnedLexicon()
    lex.add_alignment(align("The corporate has stated sales fell 5 p.c.", "The company has said sales fell 5 percent"))
    assert lex.lookup("corporate") == [("company", 1)] and lex.lookup("stated") == [("said", 1)]
    assert lex.lookup("p.c.") == [("percent", 1)] and lex.documents == 1


def test_merge_and_export():
    lex = _lexicon()
    other = LearnedLexicon()
    other.add("corporate", "company", 3)
    lex.merge(other)
    assert lex.lookup("corporate")[0] == ("company", 5)
    assert lex.export("tsv").splitlines()[:2] == ["observed\toriginal\tcount\tconfidence\tseen", "corporate\tcompany\t5\t1.0\t0"]
    assert lex.export("csv").splitlines()[1] == "corporate,company,5,1.0,0"
    assert json.loads(lex.export("json"))["pairs"][0] == {"observed": "corporate", "original": "company", "count": 5, "confidence": 1.0, "seen": 0}
    with pytest.raises(ValueError):
        lex.export("xml")
