"""The reverse index's shortcuts for the screener: ranked shortlists and phrase prefixes."""

import math

import pytest

from unspin.lexicon.build import collect_pairs, write_artifact
from unspin.lexicon.index import TOP_ROWS, ReverseIndex
from unspin.types import Source

ORIGINALS_OF_LARGE = (
    "big great huge vast wide broad ample bulky hefty massive giant grand heavy major full extensive sizable "
    "roomy spacious generous immense enormous tall long deep high strong thick fat considerable substantial "
    "plenty mighty jumbo colossal"
).split()


@pytest.fixture(scope="module")
def artifact(tmp_path_factory):
    readers = {Source.MOBY: lambda: [
        ("sales", ["gross sales", "revenue"]),
        ("lettuce", ["iceberg lettuce"]),
        ("participate", ["take part in"]),
        *[(original, ["large"]) for original in ORIGINALS_OF_LARGE],
    ]}
    path = tmp_path_factory.mktemp("lex") / "lexicon.tsv.gz"
    write_artifact(collect_pairs(readers), path)
    return path


@pytest.fixture(scope="module")
def index(artifact):
    return ReverseIndex.load(artifact)


def _prior(candidate) -> float:
    from wordfreq import zipf_frequency

    zipf = min(zipf_frequency(w, "en") for w in candidate.original.split())
    return math.log(candidate.weight) + math.log(10) * zipf


def test_top_candidates_are_the_best_ranked_of_all_candidates(index):
    everything = sorted(index.candidates("large"), key=_prior, reverse=True)
    assert len(everything) > TOP_ROWS
    assert [c.original for c in index.top_candidates("large", 3)] == [c.original for c in everything[:3]]
    assert len(index.top_candidates("large", 100)) == TOP_ROWS  # only the best rows are kept
    assert [c.original for c in index.top_candidates("gross sales", 3)] == ["sales"]


def test_phrase_prefixes_allow_inflected_first_and_last_words(index):
    assert index.phrase_prefix("gross") and index.phrase_prefix("gross sales")
    assert not index.phrase_prefix("net sales")
    assert index.phrase_prefix("took part")  # "take part in", its verb inflected
    assert not index.phrase_prefix("iceberg lettuces")
    assert index.last_word_lemma_prefix("iceberg lettuces")  # "iceberg lettuce", its noun inflected
    assert [c.original for c in index.candidates("iceberg lettuces")] == ["lettuces"]


def test_the_fast_load_cache_keeps_the_ranked_rows(artifact, index):
    assert artifact.with_suffix(".pickle").exists()
    again = ReverseIndex.load(artifact)
    assert again.top_candidates("large", 5) == index.top_candidates("large", 5)


def test_inverse_candidates_are_the_single_words_listed_for_a_word(index):
    assert [c.original for c in index.inverse_candidates("sales")] == ["revenue"]  # not the phrase "gross sales"
    assert [c.original for c in index.inverse_candidates("huge")] == ["large"]
    assert index.inverse_candidates("large") == ()  # no word's row lists it


def test_inverse_rows_keep_the_likeliest_by_prior():
    from unspin.lexicon.index import _inverse_rows

    row = "\x1f".join(("big", "0.5", "moby"))
    table = {"large": row, "grand": row, "zzzyx": row, "huge things": row}
    kept = _inverse_rows(table, keep=2)["big"]
    assert [c.original for c in kept] == ["large", "grand"]  # "zzzyx" is rarest; phrases never count
    assert kept[0].weight == 0.5 and kept[0].sources == ("moby",)
