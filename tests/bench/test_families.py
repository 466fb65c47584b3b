"""Properties 1-4 of issue 9 for every spinner family, on text generated from its own rules."""

import re
from pathlib import Path

import pytest

from unspin.bench.families import family_names, get_family, training_families
from unspin.text import apply_replacements, tokenize

pytestmark = pytest.mark.integration  # builds dictionaries from Moby, LibreOffice and WordNet

DICTIONARY_FAMILIES = [n for n in family_names() if n != "random"]
PARAGRAPH = (Path(__file__).parents[1] / "data" / "bench" / "news_paragraph.txt").read_text(encoding="utf-8")
SRC = Path(__file__).parents[2] / "src" / "unspin" / "bench"


def single_word_rules(family, count=40):
    """Deterministic one-word rules on plain lower-case words, a stable sample."""
    rules = family.rules()
    words = sorted(k for k, v in rules.items() if re.fullmatch(r"[a-z]{4,}", k) and len(v) == 1)
    return words[:: max(1, len(words) // count)][:count]


def generated_text(words):
    """Each word twice: once mid-sentence capitalised, once in lower case."""
    return " ".join(f"Then the {w.capitalize()} came. Later we saw {w} again." for w in words)


def restored(spun):
    return apply_replacements(spun.text, [(s.start, s.end, s.original) for s in spun.swaps])


@pytest.mark.parametrize("name", family_names())
@pytest.mark.parametrize("density", ["light", "dense"])
def test_offsets_index_the_spun_text_and_the_answer_key_restores_it(name, density):
    family = get_family(name, density)
    spun = family.spin(PARAGRAPH)
    assert spun.swaps
    assert all(spun.text[s.start : s.end] == s.observed for s in spun.swaps)
    assert restored(spun) == PARAGRAPH
    assert family.spin(PARAGRAPH) == spun  # the same text always spins the same way


@pytest.mark.parametrize("name", DICTIONARY_FAMILIES)
def test_no_original_of_a_deterministic_word_rule_survives_and_each_has_one_output(name):
    family = get_family(name, "dense")
    rules = family.rules()
    words = single_word_rules(family)
    spun = family.spin(generated_text(words))
    covered = [(s.start, s.end) for s in spun.swaps]
    outside = [t for t in tokenize(spun.text) if not any(a <= t.start < b for a, b in covered)]
    survivors = {t.lower for t in outside if t.lower in rules and len(rules[t.lower]) == 1 and " " not in t.lower}
    assert not survivors
    for word in words:
        outputs = {s.observed.lower() for s in spun.swaps if s.original.lower() == word}
        assert outputs == {rules[word][0]}, word


@pytest.mark.parametrize("name", DICTIONARY_FAMILIES)
def test_capitalised_words_inside_sentences_are_swapped_with_case_kept(name):
    family = get_family(name, "dense")
    words = single_word_rules(family, 10)
    spun = family.spin(generated_text(words))
    capitalised = [s for s in spun.swaps if s.original[:1].isupper() and s.original.lower() in words]
    assert len(capitalised) == len(words)
    assert all(s.observed[:1].isupper() for s in capitalised)
    shouted = family.spin(f"THE {words[0].upper()} CAME.")
    assert any(s.observed == s.observed.upper() and s.original == words[0].upper() for s in shouted.swaps)


@pytest.mark.parametrize("name", DICTIONARY_FAMILIES)
def test_inflection_is_kept(name):
    from unspin.lexicon.inflection import all_inflections

    from unspin.bench.families.holdout import RECIPE
    from unspin.bench.families.lexicons import source
    from unspin.bench.families.public import RECIPES

    rules = get_family(name, "dense").rules()
    heads = source(next(r.source for r in (RECIPE, *RECIPES) if r.name == name))  # a headword's own rule wins
    checked = 0
    for lemma in sorted(k for k, v in rules.items() if re.fullmatch(r"[a-z]{4,}", k) and " " not in v[0]):
        plural = all_inflections(lemma, upos="NOUN").get("NNS", (None,))[0]
        if plural and plural != lemma and plural in rules and plural not in heads:
            tags = [tag for tag, forms in all_inflections(lemma).items() if plural in forms]  # NNS, maybe VBZ
            expected = {f for tag in tags for f in all_inflections(rules[lemma][0]).get(tag, ())[:1]}
            if expected:
                assert rules[plural][0] in expected, (lemma, plural, rules[lemma], rules[plural])
                checked += 1
        if checked >= 20:
            break
    assert checked >= 20


@pytest.mark.parametrize("name", DICTIONARY_FAMILIES)
def test_function_word_phrase_rules_fire_and_are_keyed_on_the_next_word(name):
    family = get_family(name, "dense")
    rules = family.rules()
    keyed = [k for k in rules if re.fullmatch(r"(in|at|with|on|for|of|to|from|by|about|after|is) (the|his|a)", k)]
    assert len(keyed) >= 5
    for key in keyed:
        spun = family.spin(f"They waited {key} gate.")
        assert any(s.original == key for s in spun.swaps), key
    lone = keyed[0].split()[0]
    if lone not in rules:  # the function word alone is left: the survivors a real spinner leaves
        assert lone in family.spin(f"They waited {lone} silence.").text.split()


@pytest.mark.parametrize("name", DICTIONARY_FAMILIES)
def test_modal_verbs_are_swapped_even_when_they_are_a_month(name):
    family = get_family(name, "dense")
    assert {"will", "may", "can"} & set(family.rules())
    assert len(max((family.rules()[m] for m in ("will", "may", "can") if m in family.rules()), key=len)) >= 2
    if "may" in family.rules():
        spun = family.spin("In May, the prices rose.")
        assert any(s.original == "May" and s.observed[:1].isupper() for s in spun.swaps)


@pytest.mark.parametrize("name", DICTIONARY_FAMILIES)
def test_density_bands_differ_as_promised(name):
    light, dense = get_family(name, "light"), get_family(name, "dense")
    assert set(light.rules()) < set(dense.rules())
    words = sum(t.is_word for t in tokenize(PARAGRAPH))
    light_rate = sum(len(s.original.split()) for s in light.spin(PARAGRAPH).swaps) / words
    dense_rate = sum(len(s.original.split()) for s in dense.spin(PARAGRAPH).swaps) / words
    assert 0.01 <= light_rate <= 0.12 < dense_rate <= 0.40, (light_rate, dense_rate)


def test_the_holdout_family_comes_first_and_is_never_a_training_family():
    assert family_names()[0] == "holdout" and get_family("holdout").holdout
    assert [f.name for f in training_families()] == family_names()[1:]
    assert not any(f.holdout for f in training_families("light"))


def test_tuning_and_calibration_cannot_name_the_holdout():
    for module in ("tune.py", "calibrate_scan.py", "train_restore.py"):
        source = (SRC / module).read_text(encoding="utf-8")
        assert "holdout" not in source and "get_family" not in source, module


def test_unknown_family_or_density_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown spinner family 'nope'"):
        get_family("nope")
    with pytest.raises(ValueError, match="unknown density"):
        get_family("holdout", "medium")
