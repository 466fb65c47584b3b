"""`bench tune-phrases`: the perceptron learns which evidence picks the original."""

from unspin.bench.tune_phrases import fit_temperature, train, training_examples
from unspin.engine.phrases import FEATURES, PhraseDecoder
from tests.engine.test_phrases import TinyLexicon, TinyPairs


def test_the_perceptron_learns_to_trust_known_pairs():
    d = PhraseDecoder(TinyLexicon(), TinyPairs(), [0.0] * len(FEATURES))
    rows = [("irregular woodland", ["random forest"]), ("irregular woodland", ["random forest"])]
    examples = training_examples(d, rows)
    assert len(examples) == 2
    d.weights = train(d, examples, epochs=3)
    assert d.best("irregular woodland") == "random forest"
    assert fit_temperature(d, examples) > 0


def test_rows_the_decoder_cannot_reach_do_not_train():
    d = PhraseDecoder(TinyLexicon(), TinyPairs(), [0.0] * len(FEATURES))
    rows = [("irregular woodland", ["random trees"]), ("woodland", ["forest"]), ("irregular woodland x", ["random forest"])]
    assert training_examples(d, rows) == []
