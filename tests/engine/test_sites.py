"""The engine core's site finder and gains, on a tiny prefix table and a fake LM."""

from fakes import FakeLM, bigrams_of

from unspin.engine.gains import context, window_gains
from unspin.engine.sites import find_spans, is_capitalised_inside

PREFIXES = {"chief", "chief government", "chief government officer", "gross", "gross sales"}


def _spans(text: str) -> list[tuple[int, int, str]]:
    words = text.split()
    return list(find_spans([w.lower() for w in words], [w.isalpha() for w in words], 3, PREFIXES.__contains__,
                           lambda phrase: phrase == "gross sale"))


def test_every_word_is_a_span_and_phrases_only_along_known_prefixes():
    spans = _spans("the chief government officer said")
    assert [s for s in spans if s[1] - s[0] == 1] == [(i, i + 1, w) for i, w in enumerate("the chief government officer said".split())]
    assert (1, 3, "chief government") in spans and (1, 4, "chief government officer") in spans
    assert not any(s[0] == 0 and s[1] > 1 for s in spans)  # "the ..." starts no known phrase


def test_a_phrase_stops_at_punctuation_and_takes_a_lemma_last_word():
    assert (0, 2, "gross sales") in _spans("gross sales rose")
    assert not any(s[1] - s[0] > 1 for s in _spans("gross , sales"))


def test_capitalised_inside_a_sentence_is_a_name_but_not_at_its_start():
    words = ["The", "White", "Home", "said"]
    flags = [True] * 4
    assert is_capitalised_inside(words, flags, 1, 3) and not is_capitalised_inside(words, flags, 0, 1)
    assert is_capitalised_inside(["``", "Home"], [False, True], 1, 2) is False


def test_window_gains_prefer_the_wording_the_lm_knows_and_charge_for_removed_words():
    lm = FakeLM(bigrams_of(["the company said ."]))
    gains = window_gains(lm, ["the"], ["corporate"], ["said"], True, False, [["company"], ["firm"]])
    assert gains == [14.0, 0.0]  # two bad bigrams (8 nats each) become good ones (1 each)
    shorter = window_gains(lm, ["the"], ["big", "company"], ["said"], True, False, [["company"]], length_cost=4.0)
    plain = window_gains(lm, ["the"], ["big", "company"], ["said"], True, False, [["company"]])
    assert shorter[0] == plain[0] - 4.0
    assert context(list("abcdefgh"), 3, 4, 2) == (1, 6) and context(list("abc"), 0, 1, 4) == (0, 3)
