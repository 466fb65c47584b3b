"""The learner on a synthetic language spun by a deterministic test spinner (tests/learn/world.py)."""

import dataclasses

import pytest

from unspin.learn import LearnConfig, SpunLearner, learn_from_spun, to_lexicon
from unspin.lexicon.learned import LearnedLexicon

from . import world

TRUE = {(out, orig) for orig, out in world.RULES.items()}
MIN_CONFIDENCE = 0.5


@pytest.fixture(scope="module")
def learner():
    return SpunLearner(world.toolkit(world.corpus(seed=1, docs=300)), LearnConfig())


def _learn(learner, texts, **kw):
    return learn_from_spun(lambda: texts, learner, **kw)


def _confident(result):
    return {(p.observed, p.original) for p in result.pairs if p.confidence >= MIN_CONFIDENCE}


def test_recovers_the_spinners_pairs_and_nothing_else(learner):
    spun = [world.spin(t) for t in world.corpus(seed=2, docs=150)]
    result = _learn(learner, spun)
    assert _confident(result) == TRUE
    by_pair = {(p.observed, p.original): p for p in result.pairs}
    stated = by_pair[("stated", "said")]
    assert stated.original_count == 0 and stated.share > 0.9 and stated.count > 50


def test_clean_corpus_learns_no_pair(learner):
    result = _learn(learner, world.corpus(seed=3, docs=150))
    assert _confident(result) == set()


def test_mixed_corpus_still_yields_the_pairs(learner):
    clean = world.corpus(seed=4, docs=200)
    mixed = [world.spin(t) for t in clean[:100]] + clean[100:]
    assert _confident(_learn(learner, mixed)) >= {("stated", "said"), ("massive", "big"), ("corporate", "company")}


def test_more_documents_only_sharpen(learner):
    docs = [world.spin(t) for t in world.corpus(seed=5, docs=160)]
    small = _learn(learner, docs[:15])
    state = _learn(learner, docs[:80]).state
    more = _learn(learner, docs[80:], state=state)  # incremental: the earlier statistics merged in
    whole = _learn(learner, docs)
    conf = lambda r: {(p.observed, p.original): p.confidence for p in r.pairs}
    for pair in TRUE:
        assert conf(more)[pair] >= conf(small).get(pair, 0.0) - 1e-9
        assert conf(more)[pair] == pytest.approx(conf(whole)[pair], abs=0.05)
    assert more.documents == 160
    assert _confident(more) == TRUE


def test_parallel_chunks_give_the_same_counts(learner):
    spun = [world.spin(t) for t in world.corpus(seed=6, docs=120)]
    one, two = _learn(learner, spun, jobs=1), _learn(learner, spun, jobs=2)
    assert one.state.counts.ngrams == two.state.counts.ngrams
    assert [(p.observed, p.original, round(p.confidence, 6)) for p in one.pairs] == [(p.observed, p.original, round(p.confidence, 6)) for p in two.pairs]


def test_state_and_lexicon_round_trip(learner, tmp_path):
    from unspin.learn import LearnState

    spun = [world.spin(t) for t in world.corpus(seed=7, docs=100)]
    result = _learn(learner, spun)
    result.state.save(tmp_path / "s.gz")
    again = LearnState.load(tmp_path / "s.gz")
    assert again.counts.ngrams == result.state.counts.ngrams and again.gains.samples == result.state.gains.samples
    lexicon = to_lexicon(result, MIN_CONFIDENCE)
    lexicon.save(tmp_path / "spinner.tsv")
    loaded = LearnedLexicon.load(tmp_path / "spinner.tsv")
    assert {(o, r) for o, r, *_ in loaded.rows()} == TRUE
    assert loaded.prior_logodds("stated", "said") > 2.0  # nearly every "stated" was "said"


def _screened(learner, keep):
    return SpunLearner(dataclasses.replace(learner.kit, keep=keep), learner.config)


def test_a_screen_keeps_the_clean_half_of_a_mixed_corpus_out(learner):
    """The screen decides which documents are learned from, in both passes: with the clean half
    of a mixed corpus screened out, the learner sees what it would see in the spun half alone."""
    clean = world.corpus(seed=4, docs=200)
    spun = [world.spin(t) for t in clean[:100]]
    screened = _learn(_screened(learner, frozenset(spun).__contains__), spun + clean[100:])
    alone = _learn(learner, spun)
    assert (screened.documents, screened.screened_out) == (100, 100)
    assert screened.state.counts.ngrams == alone.state.counts.ngrams
    assert screened.state.gains.samples == alone.state.gains.samples
    assert _confident(screened) == _confident(alone) == TRUE


def test_a_screen_that_keeps_nothing_learns_nothing(learner):
    result = _learn(_screened(learner, lambda text: False), world.corpus(seed=3, docs=40), jobs=2)
    assert (result.documents, result.screened_out, result.pairs) == (0, 40, ())


def test_the_state_keeps_how_many_documents_were_screened_out(learner, tmp_path):
    from unspin.learn import LearnState

    spun = [world.spin(t) for t in world.corpus(seed=8, docs=30)]
    result = _learn(_screened(learner, frozenset(spun).__contains__), spun + world.corpus(seed=9, docs=10))
    result.state.save(tmp_path / "s.gz")
    assert LearnState.load(tmp_path / "s.gz").counts.screened_out == result.screened_out == 10


def test_a_word_the_spinner_adds_is_deciphered_as_an_insertion(learner):
    rules = {**world.RULES, "was": "was actually"}
    spun = [world.spin(t, rules) for t in world.corpus(seed=6, docs=150)]
    assert ("was actually", "was") not in {(p.observed, p.original) for p in _learn(learner, spun).pairs}  # off by default
    inserting = SpunLearner(learner.kit, LearnConfig(insertions=True))
    by_pair = {(p.observed, p.original): p for p in _learn(inserting, spun).pairs}
    added = by_pair[("was actually", "was")]
    assert added.source == "insertion"
    assert added.original_count == 0  # every "was" left sits inside "was actually"
    assert added.share > 0.5 and added.mean_gain > 0


def test_a_bigram_clean_text_has_gives_no_insertion(learner):
    result = _learn(SpunLearner(learner.kit, LearnConfig(insertions=True)), world.corpus(seed=7, docs=150))
    assert not [p for p in result.pairs if p.source == "insertion" and p.confidence >= MIN_CONFIDENCE]
