"""The dictionary spinner's mechanics on a hand-made rule table (no thesaurus needed)."""

from unspin.bench.families.dictionary import DictionarySpinner
from unspin.text import apply_replacements

RULES = {
    "big": ("large",),
    "bigger": ("larger",),
    "in the": ("within the",),
    "a lot of": ("plenty of",),
    "will": ("shall", "can", "may"),
    "house": ("home",),
    "said": ("pointed out",),
}


def spin(text):
    return DictionarySpinner(RULES, salt="test").spin(text)


def restored(spun):
    return apply_replacements(spun.text, [(s.start, s.end, s.original) for s in spun.swaps])


def test_offsets_index_the_spun_text_and_the_key_gives_the_clean_text_back():
    text = "A big house in the park. The White House said a lot of BIG things will change."
    spun = spin(text)
    assert [spun.text[s.start : s.end] for s in spun.swaps] == [s.observed for s in spun.swaps]
    assert restored(spun) == text


def test_longest_match_first_and_no_overlap():
    spun = spin("We saw a lot of people in the house.")
    assert [s.original for s in spun.swaps] == ["a lot of", "in the", "house"]
    assert spun.text == "We saw plenty of people within the home."


def test_case_kept_and_capitalised_words_inside_a_sentence_are_swapped():
    spun = spin("In the end the White House said BIG. Big news.")
    assert spun.text == "Within the end the White Home pointed out LARGE. Large news."


def test_phrases_do_not_cross_punctuation():
    spun = spin("They live in. The end.")
    assert all(s.original != "in. The" for s in spun.swaps)
    assert "in." in spun.text


def test_multi_output_rules_draw_from_their_set_and_repeat_exactly():
    text = " ".join(["It will rain."] * 12)
    first, second = spin(text), spin(text)
    assert first == second
    outputs = {s.observed for s in first.swaps if s.original == "will"}
    assert outputs <= {"shall", "can", "may"} and len(outputs) >= 2
    assert "will" not in first.text
