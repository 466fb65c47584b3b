"""`steps.restore_batch` / `unspin.restore_many`: a batch deciphers its own spinner first
(synthetic world's corpus; the site-model restorer replaced by a fake that records its lexicon)."""

import pytest
from fakes import FakeRestorer

import unspin

from tests.learn import world

TRUE = {(out, orig) for orig, out in world.RULES.items()}


@pytest.fixture
def given(monkeypatch):
    world.use_as_default_toolkit(monkeypatch)
    lexicons = []

    def with_lexicon(learned=None):
        lexicons.append(learned)
        return FakeRestorer()

    monkeypatch.setattr("unspin.restorer.site_model.model_restorer_with", with_lexicon)
    monkeypatch.setattr("unspin.restorer.decode.load_restorer", lambda lm="ngram", **kw: lexicons.append("plain") or FakeRestorer())
    return lexicons


def test_a_batch_is_restored_with_the_dictionary_it_gives_away(given):
    texts = [world.spin(t) for t in world.corpus(seed=2, docs=120)]
    results = unspin.restore_many(texts, min_confidence=0.5)
    assert len(results) == 120 and [r.text for r in results] == texts
    (lexicon,) = given
    assert {(o, r) for o, r, _ in lexicon.pairs()} == TRUE


def test_without_learning_each_text_is_restored_alone(given):
    results = unspin.restore_many(["The corporate stated sales fell."], learn=False)
    assert len(results) == 1 and given == ["plain"]
