"""The learned decision on a fake LM, a tiny lexicon and a scripted model: rows, cuts, overlaps."""

import pytest
from fakes import FakeLM, bigrams_of

from unspin.lexicon.build import collect_pairs, write_artifact
from unspin.lexicon.index import ReverseIndex
from unspin.restorer.candidates import CANDIDATE_FEATURES, CandidateBuilder
from unspin.restorer.site_model import ModelRestorer
from unspin.types import Source

SENTENCES = ["the company said sales fell .", "the company said profits rose ."]
GAIN = CANDIDATE_FEATURES.index("lm_gain")
ABSENT = CANDIDATE_FEATURES.index("candidate_absent")
POOLED = CANDIDATE_FEATURES.index("pooled_gain")


class GainModel:
    """Probability 0.9 when the candidate's LM gain is positive, else 0.1 (stands in for LightGBM)."""

    cut = 0.5

    def probabilities(self, rows):
        return [0.9 if row[GAIN] > 0 else 0.1 for row in rows]


@pytest.fixture(scope="module")
def builder(tmp_path_factory):
    readers = {Source.MOBY: lambda: [("company", ["corporate", "firm"]), ("say", ["state"]), ("fall", ["drop"])]}
    path = tmp_path_factory.mktemp("lex") / "lexicon.tsv.gz"
    write_artifact(collect_pairs(readers), path)
    return CandidateBuilder(ReverseIndex.load(path), FakeLM(bigrams_of(SENTENCES)))


def test_every_candidate_gets_one_row_of_every_feature(builder):
    doc = builder.build("The corporate stated sales fell.")
    by_observed = {s.observed: s for s in doc.sites}
    site = by_observed["corporate"]
    assert [c.original for c in site.candidates] == ["company"]
    assert len(site.rows) == 1 and len(site.rows[0]) == len(CANDIDATE_FEATURES)
    assert site.rows[0][GAIN] > 0 and site.rows[0][ABSENT] == 1  # "company" occurs nowhere in the text
    assert (site.char_start, site.char_end) == (4, 13)


def test_evidence_is_pooled_over_every_occurrence_of_the_observed_form(builder):
    doc = builder.build("The corporate said sales fell. Profits of the corporate rose.")
    rows = [s.rows[0] for s in doc.sites if s.observed == "corporate"]
    assert len(rows) == 2 and rows[0][POOLED] == rows[1][POOLED] == pytest.approx((rows[0][GAIN] + rows[1][GAIN]) / 2)


def test_the_restorer_edits_sites_over_the_cut_with_offsets_and_alternatives(builder):
    restorer = ModelRestorer(builder, GainModel())
    text = "The corporate stated sales fell."
    result = restorer.restore(text)
    assert result.restored == "The company said sales fell."
    for edit in result.edits:
        assert text[edit.span.start : edit.span.end] == edit.observed
        assert edit.confidence == 0.9 and edit.alternatives[-1].text == edit.observed
    assert restorer.restore(text, threshold=0.95).edits == ()  # nothing reaches a higher cut


def test_clean_text_is_left_alone(builder):
    assert ModelRestorer(builder, GainModel()).restore("The company said sales fell.").edits == ()


class Prior:
    """A document prior that says `p` for every text and counts its calls."""

    def __init__(self, p):
        self.p, self.calls = p, 0

    def __call__(self, text):
        self.calls += 1
        return self.p


def test_a_flagged_document_is_edited_at_the_spun_cut_and_others_at_the_default(builder):
    text = "The corporate stated sales fell."
    strict = ModelRestorer(builder, GainModel(), cut=0.95)  # the default cut edits nothing here
    assert strict.restore(text).edits == ()
    flagged = strict.with_document_prior(Prior(0.99), flag_at=0.9, spun_cut=0.5)
    result = flagged.restore(text)
    assert result.restored == "The company said sales fell." and result.signals["spin_probability"] == 0.99
    unflagged = strict.with_document_prior(Prior(0.9), flag_at=0.9, spun_cut=0.5)  # not over the flag
    assert unflagged.restore(text).edits == () and unflagged.restore(text).signals["spin_probability"] == 0.9
    assert flagged.restore(text, threshold=0.95).edits == ()  # an explicit threshold wins
    assert strict.document_prior is None  # the original engine is unchanged


def test_a_spun_cut_outside_the_probabilities_is_refused(builder):
    with pytest.raises(ValueError, match="probability"):
        ModelRestorer(builder, GainModel()).with_document_prior(Prior(1.0), flag_at=0.5, spun_cut=0.0)
