import gzip

import pytest

from unspin.errors import ArtifactError
from unspin.lexicon.build import collect_pairs, function_entries, read_artifact, write_artifact
from unspin.lexicon.index import ReverseIndex
from unspin.types import Source


def _fake_readers():
    return {
        Source.MOBY: lambda: [("say", ["state", "acknowledge", "utter"]), ("company", ["firm", "corporation"])],
        Source.MYTHES: lambda: [("say", ["state"]), ("find", ["discover", "detect"])],
    }


def test_weights_share_each_headword_across_its_synonyms():
    pairs = collect_pairs(_fake_readers())
    sources, weight = pairs[("state", "say")]
    assert sources == {"moby", "mythes"}
    # moby gives 1/3, mythes 1/1, averaged over the two sources that list "say"
    assert weight == pytest.approx((1 / 3 + 1) / 2)
    assert ("in the course of", "during") in pairs  # the function-word table is always in


def test_artifact_round_trip_and_inflected_lookup(tmp_path):
    path = tmp_path / "lexicon.tsv.gz"
    write_artifact(collect_pairs(_fake_readers()), path)
    index = ReverseIndex.load(path)
    originals = {c.original for c in index.candidates("acknowledged")}
    assert "said" in originals
    assert {c.original for c in index.candidates("discovered")} >= {"found"}
    assert index.has_synonyms("company") and not index.has_synonyms("xylophone")
    # second load comes from the fast cache and agrees
    assert ReverseIndex.load(path).candidates("firm") == index.candidates("firm")


@pytest.mark.parametrize(
    "row,message",
    [
        ("state\tsay\tmoby", "malformed"),
        ("state\tsay\tnowhere\t0.5", "unknown lexicon source"),
        ("state\tsay\tmoby\tabc", "not a number"),
        ("state\tsay\tmoby\t-1", "out of range"),
    ],
    ids=["too-few-fields", "unknown-source", "bad-weight", "negative-weight"],
)
def test_loader_rejects_malformed_rows(tmp_path, row, message):
    path = tmp_path / "bad.tsv.gz"
    with gzip.open(path, "wt") as f:
        f.write("# header\n" + row + "\n")
    with pytest.raises(ArtifactError, match=message) as err:
        list(read_artifact(path))
    assert "bad.tsv.gz:2" in str(err.value)


def test_function_table_is_well_formed():
    rows = list(function_entries())
    assert len(rows) > 100
    assert all(0 < w <= 1 and o != s for o, s, w in rows)
