import pytest

from unspin.config import ngram_path
from unspin.model.base import lm_word
from unspin.model.ngram import training_lines


def test_lm_word_normalises_case_and_digits():
    assert lm_word("Percent") == "percent" and lm_word("2017") == "0000"


def test_training_lines_are_tokenised_sentences():
    lines = list(training_lines(["Sales fell 4%. The company said so! Hi."]))
    assert lines == ["sales fell 0% .", "the company said so !"]


@pytest.mark.integration
@pytest.mark.skipif(not ngram_path().exists(), reason="n-gram model not built")
def test_real_model_prefers_fluent_order():
    from unspin.model.ngram import NgramModel

    lm = NgramModel()
    fluent, odd = lm.score_sentences([["the", "company", "said"], ["the", "corporate", "stated"]])
    assert fluent > odd
