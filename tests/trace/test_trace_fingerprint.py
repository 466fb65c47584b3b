import numpy as np

from unspin.trace.fingerprint import (
    FAMILIES, STABLE, WORDS, Vocabulary, band_keys, containment, features, shingle_hashes, signature, stable_tokens, text_keys,
)

VOCAB = Vocabulary(["company", "corporate", "said", "stated", "fall", "decline", "big", "large", "the", "a"])


def test_inflected_forms_count_as_swappable():
    assert VOCAB.has_synonyms("fell") is False  # irregular: not de-inflected, stays stable
    assert VOCAB.has_synonyms("falls") and VOCAB.has_synonyms("declined") and VOCAB.has_synonyms("companies")
    assert VOCAB.has_synonyms("Company")
    assert not VOCAB.has_synonyms("toshiba")


def test_stable_tokens_skip_swappable_words_and_keep_names_and_numbers():
    text = "Toshiba said the company declined 4.5% in 2016, Westinghouse said."
    tokens = stable_tokens(text, VOCAB.has_synonyms)
    assert "toshiba" in tokens and "2016" in tokens and "4.5%" in tokens
    assert not {"said", "company", "declined", "the"} & set(tokens)


def test_stable_features_survive_swaps_from_the_vocabulary():
    source = "Toshiba said the company declined 4.5% in 2016, Westinghouse said on Monday in Tokyo."
    copy = "Toshiba stated a corporate decline 4.5% in 2016, Westinghouse stated on Monday in Tokyo."
    a, b = features(source, VOCAB), features(copy, VOCAB)
    assert a.stable == b.stable
    assert containment(b.words, a.words) < 0.6


def test_signatures_are_deterministic_and_estimate_jaccard():
    x = shingle_hashes([f"w{i}" for i in range(200)], 2)
    y = shingle_hashes([f"w{i}" for i in range(100)] + [f"v{i}" for i in range(100)], 2)
    sx, sy = signature(x, STABLE), signature(y, STABLE)
    assert np.array_equal(sx, signature(set(x), STABLE))
    true = len(x & y) / len(x | y)
    assert abs(float(np.mean(sx == sy)) - true) < 0.2
    assert signature([], STABLE) is None


def test_band_keys_one_per_band_and_family():
    feats = features("Toshiba said the company declined 4.5% in 2016, Westinghouse said on Monday in Tokyo.", VOCAB)
    keys = text_keys(feats)
    assert len(keys) == sum(f.bands for f in FAMILIES)
    assert keys == text_keys(feats)
    sig = signature(feats.words, WORDS)
    assert band_keys(sig, WORDS) == keys[STABLE.bands :]
