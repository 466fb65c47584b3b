"""The decoder on a fake bigram LM and a tiny lexicon: behaviour, not accuracy."""

import pytest
from fakes import FakeLM, bigrams_of

from unspin.restorer.decode import DecodeConfig, Restorer
from unspin.lexicon.build import collect_pairs, write_artifact
from unspin.lexicon.index import ReverseIndex
from unspin.types import Source

SENTENCES = ["the company said sales fell .", "profits rose during the quarter ."]


def _bigrams():
    return bigrams_of(SENTENCES)


@pytest.fixture(scope="module")
def restorer(tmp_path_factory):
    readers = {Source.MOBY: lambda: [("company", ["corporate", "firm"]), ("say", ["state", "acknowledge"]), ("fall", ["drop"])]}
    path = tmp_path_factory.mktemp("lex") / "lexicon.tsv.gz"
    write_artifact(collect_pairs(readers), path)
    config = DecodeConfig(threshold=1.0, rho=0.1, q_exponent=0.5, name_penalty=6.0, em_passes=2, length_cost=2.0)
    return Restorer(ReverseIndex.load(path), FakeLM(_bigrams()), config=config)


def test_restores_swapped_words_with_offsets(restorer):
    text = "The corporate stated sales fell."
    result = restorer.restore(text)
    assert result.restored == "The company said sales fell."
    for edit in result.edits:
        assert text[edit.span.start : edit.span.end] == edit.observed
        assert 0 < edit.confidence <= 1
        assert set(edit.evidence.sources) <= {"moby", "function"} and edit.evidence.sources


def test_multiword_function_swap_is_one_decision(restorer):
    result = restorer.restore("Profits rose in the course of the quarter.")
    assert result.restored == "Profits rose during the quarter."
    assert [e.observed for e in result.edits] == ["in the course of"]


def test_clean_text_is_left_alone(restorer):
    text = "The company said sales fell."
    assert restorer.restore(text).edits == ()
    assert restorer.restore(text).restored == text


def test_capitalised_word_inside_a_sentence_is_guarded(restorer):
    # "Corporate" mid-sentence looks like a name; the fake LM gain is not enough to beat the guard
    assert restorer.restore("Profits of Corporate fell.").edits == ()


def test_a_higher_threshold_means_fewer_edits(restorer):
    text = "The corporate stated sales fell."
    assert len(restorer.restore(text, threshold=100.0).edits) == 0
    assert len(restorer.restore(text, threshold=0.0).edits) >= 2


def test_alternatives_are_ranked_and_include_keeping_the_observed(restorer):
    edit = restorer.restore("The corporate stated sales fell.").edits[0]
    texts = [a.text for a in edit.alternatives]
    assert edit.observed in texts
    assert len(edit.alternatives) <= 6


def test_learned_swaps_join_the_candidates(restorer):
    from unspin.lexicon.learned import LearnedLexicon

    learned = LearnedLexicon()
    learned.add("enterprise", "company", count=5)  # not in the thesaurus of this test
    text = "The enterprise said sales fell."
    assert restorer.restore(text).edits == ()
    with_learned = Restorer(restorer.lexicon, restorer.lm, config=restorer.config, learned=learned)
    edit = with_learned.restore(text).edits[0]
    assert (edit.observed, edit.original) == ("enterprise", "company")
    assert "learned" in edit.evidence.sources


def test_a_batch_shares_confident_swaps_between_documents(restorer):
    from collections import Counter

    from unspin.engine.channel import Channel

    channel = Channel(rho=0.1, batch=Counter({("corporate", "company"): 2}))
    assert channel.edit_logodds(0.5, "corporate", "company") > Channel(rho=0.1).edit_logodds(0.5, "corporate", "company")
    texts = ["The corporate stated sales fell.", "The corporate said sales fell."]
    shared = restorer.restore_many(texts)
    alone = [restorer.restore(t) for t in texts]
    assert [r.restored for r in shared][0] == alone[0].restored
    shared_edits = {(e.span.start, e.observed): e.confidence for e in shared[1].edits}
    alone_edits = {(e.span.start, e.observed): e.confidence for e in alone[1].edits}
    assert alone_edits and set(shared_edits) >= set(alone_edits)
    assert all(shared_edits[k] >= c for k, c in alone_edits.items())


@pytest.mark.parametrize("trained_with_learned, want", [(True, "model"), (False, "decoder")])
def test_a_learned_lexicon_goes_to_the_site_model_only_if_it_was_trained_with_learned_lexicons(monkeypatch, trained_with_learned, want):
    from unspin.engine import resources
    from unspin.restorer import decode, site_model

    monkeypatch.setattr(decode, "_ENGINES", {})
    monkeypatch.setattr(decode, "_model_knows_learned", lambda: trained_with_learned)
    monkeypatch.setattr(site_model, "load_model_restorer", lambda learned=None: ("model", learned))
    monkeypatch.setattr(decode, "Restorer", lambda lexicon, lm, reranker, config, learned: ("decoder", learned))
    for name in ("lexicon", "ngram"):
        monkeypatch.setattr(resources, name, lambda: None)
    monkeypatch.setattr(resources, "learned", lambda path: f"loaded {path}")
    got = decode.load_restorer("ngram", learned="spinner.tsv")
    assert got[0] == want
    assert decode.load_restorer("ngram")[0] == "model"  # without one: the site model either way
    assert decode.load_restorer("ngram", learned="spinner.tsv", decision="decoder")[0] == "decoder"


@pytest.mark.parametrize("trained_with_learned, want", [(True, "staged"), (False, "decoder")])
def test_the_neural_stage_takes_a_learned_lexicon_where_the_site_model_knows_learned_lexicons(monkeypatch, trained_with_learned, want):
    from unspin.engine import resources
    from unspin.restorer import decode, site_model

    monkeypatch.setattr(decode, "_ENGINES", {})
    monkeypatch.setattr(decode, "_model_knows_learned", lambda: trained_with_learned)
    monkeypatch.setattr(decode, "_neural_stage_lm", lambda: "smollm2")
    monkeypatch.setattr("unspin.model.neural.resolve_device", lambda device: "cpu")
    monkeypatch.setattr(site_model, "load_neural_restorer", lambda lm, learned=None: ("staged", lm, learned))
    monkeypatch.setattr(decode, "Restorer", lambda lexicon, lm, reranker, config, learned: ("decoder", reranker, learned))
    for name in ("lexicon", "ngram"):
        monkeypatch.setattr(resources, name, lambda: None)
    monkeypatch.setattr(resources, "neural", lambda name, device: f"neural {name}")
    monkeypatch.setattr(resources, "learned", lambda path: f"loaded {path}")
    got = decode.load_restorer("smollm2", learned="spinner.tsv", device="cpu")
    assert got[0] == want
    if want == "staged":
        assert got == ("staged", "neural smollm2", "spinner.tsv")
    assert decode.load_restorer("smollm2", device="cpu")[0] == "staged"  # without one: the stage either way


def test_the_shipped_site_model_record_says_whether_it_knows_learned_lexicons():
    import json

    from unspin.restorer.decode import _model_knows_learned
    from unspin.restorer.site_model import LEARNED_RECORD_PATH

    assert _model_knows_learned() is (LEARNED_RECORD_PATH.exists() and bool(json.loads(LEARNED_RECORD_PATH.read_text(encoding="utf-8")).get("trained_with_learned")))
