"""A candidate builder over a fake LM and a tiny lexicon, for the site model's tests."""

import pytest
from fakes import FakeLM, bigrams_of

from unspin.lexicon.build import collect_pairs, write_artifact
from unspin.lexicon.index import ReverseIndex
from unspin.restorer.candidates import CandidateBuilder
from unspin.types import Source

SENTENCES = ["the company said sales fell .", "the company said profits rose ."]


@pytest.fixture(scope="module")
def builder(tmp_path_factory):
    readers = {Source.MOBY: lambda: [("company", ["corporate", "firm"]), ("say", ["state"]), ("fall", ["drop"])]}
    path = tmp_path_factory.mktemp("lex") / "lexicon.tsv.gz"
    write_artifact(collect_pairs(readers), path)
    return CandidateBuilder(ReverseIndex.load(path), FakeLM(bigrams_of(SENTENCES)))
