"""The phrase decoder: a tortured phrase's original from the words' originals and word-pair counts."""

import math

import pytest

from unspin.engine.phrases import FEATURES, PAIR_FEATURES, WORD_FEATURES, PhraseDecoder, join_phrase, read_model, split_phrase
from unspin.lexicon.index import Candidate


class TinyLexicon:
    """observed word -> originals (weight 0.5 each, one source); "random forest" a known phrase."""

    table = {"irregular": ("random", "uneven"), "woodland": ("forest", "wood"), "picture": ("image",)}

    def candidates(self, observed):
        return tuple(Candidate(o, 0.5, ("moby",)) for o in self.table.get(observed, ()))

    def is_spin_output(self, phrase):
        return phrase == "random forest"

    def inverse_candidates(self, word):
        return (Candidate("forest", 0.5, ("moby",)), Candidate("grove", 0.5, ("moby",))) if word == "woodland" else ()


class TinyPairs:
    counts = {"random forest": 12.0, "uneven wood": 3.0}

    def pair(self, left, right):
        return self.counts.get(f"{left} {right}", 0.0)

    def word(self, word):
        return 10.0


def weights(**named):
    return [named.get(name, 0.0) for name in FEATURES]


def decoder(**named):
    return PhraseDecoder(TinyLexicon(), TinyPairs(), weights(**named))


def test_split_keeps_hyphens_and_joins_back():
    words, separators = split_phrase("Move-layer  framework")
    assert words == ["move", "layer", "framework"]
    assert join_phrase(words, separators) == "move-layer framework"


def test_a_known_collocation_wins_over_the_words_as_written():
    d = decoder(pair_log_count=1.0, pair_unseen=-3.0, keep=0.1)
    assert d.best("irregular woodland") == "random forest"


def test_without_pair_evidence_the_words_are_kept():
    d = decoder(keep=1.0)
    assert d.best("irregular woodland") == "irregular woodland"


def test_guesses_are_ranked_probabilities_that_sum_to_one():
    d = decoder(pair_log_count=1.0, pair_unseen=-3.0, keep=0.1)
    guesses = d.guesses("irregular woodland", k=3)
    assert [g.text for g in guesses][0] == "random forest"
    assert [g.probability for g in guesses] == sorted((g.probability for g in guesses), reverse=True)
    assert math.isclose(sum(g.probability for g in guesses), 1.0)


def test_a_phrase_too_long_or_empty_comes_back_as_it_is():
    d = decoder(keep=1.0)
    assert d.guesses("a b c d e f g")[0].text == "a b c d e f g"
    assert d.guesses("  ")[0].text == "  "


def test_path_features_sum_word_and_pair_features():
    d = decoder()
    total = d.path_features(["irregular", "woodland"], ["random", "forest"])
    assert total[FEATURES.index("swap")] == 2.0
    assert total[FEATURES.index("known_phrase")] == 1.0
    assert total[FEATURES.index("pair_log_count")] == 12.0
    assert d.path_features(["irregular", "woodland"], ["random", "tree"]) is None  # "tree" is not an option


class TinyTechnical(TinyPairs):
    counts = {"uneven wood": 2.0}


def test_technical_prose_can_vouch_for_a_pair_the_web_counts_lack():
    named = dict(pair_log_count=1.0, pair_unseen=-3.0, keep=0.1, technical_log_count=2.0)
    plain = PhraseDecoder(TinyLexicon(), TinyPairs(), weights(**named))
    with_technical = PhraseDecoder(TinyLexicon(), TinyPairs(), weights(**named), technical=TinyTechnical())
    assert plain.best("irregular woodland") == "random forest"  # 12 - 0 against 3 + 0
    assert plain.pair_features("uneven", "wood")[-2:] == (0.0, 0.0)
    assert with_technical.pair_features("uneven", "wood")[-2:] == (1.0, 2.0)
    assert with_technical.pair_features("random", "forest")[-2:] == (0.0, 0.0)
    with_technical.weights = tuple(weights(**{**named, "technical_log_count": 5.0}))
    assert with_technical.best("irregular woodland") == "uneven wood"  # 3 + 10 against 12


def test_the_weights_must_fit_the_features():
    with pytest.raises(ValueError, match=f"{len(FEATURES)} weights"):
        PhraseDecoder(TinyLexicon(), TinyPairs(), [0.0])


def test_the_shipped_record_matches_the_features():
    record = read_model()
    assert record["features"] == list(WORD_FEATURES + PAIR_FEATURES)
    assert len(record["weights"]) == len(FEATURES) and record["temperature"] > 0
    assert "learn half" in record["data"]["source"]


def test_words_the_thesauri_list_a_word_for_are_options_once_and_marked():
    d = decoder()
    options = {c.word: c.features[WORD_FEATURES.index("inverse")] for c in d.choices("woodland")}
    assert options == {"woodland": 0.0, "forest": 0.0, "wood": 0.0, "grove": 1.0}  # "forest" stays a direct original
    assert decoder(inverse=5.0, swap=-1.0).best("irregular woodland") == "irregular grove"
