"""bench/spinner.py, the ground truth of every calibration: swaps index the spun text, undoing
them gives the source back, the rate is met, names and stop words are left alone."""

from __future__ import annotations

import pytest

from unspin.bench import spinner as spinner_module
from unspin.bench.spinner import Spinner

DICTIONARY = {
    "big": ["large", "huge"],
    "large": ["vast", "big"],
    "market": ["marketplace", "bazaar"],
    "quick": ["fast", "rapid"],
    "fall": ["drop", "decline"],
    "city": ["town", "metropolis"],
}
TEXT = ("During the big storm the market prices fell, because of the quick rise in costs. "
        "People said the city was calm. Paris said nothing. The big market is quick.")


@pytest.fixture(autouse=True)
def small_dictionary(monkeypatch):
    monkeypatch.setattr(spinner_module, "spinner_dictionary", lambda: {k: list(v) for k, v in DICTIONARY.items()})


def undo(spun) -> str:
    text = spun.text
    for swap in sorted(spun.swaps, key=lambda s: s.start, reverse=True):
        text = text[: swap.start] + swap.original + text[swap.end :]
    return text


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("rate", [0.05, 0.2, 0.6])
def test_swaps_index_the_spun_text_and_undoing_them_gives_the_source(seed, rate):
    spun = Spinner(seed=seed).spin(TEXT, rate=rate)
    assert spun.source == TEXT and spun.swaps
    for swap in spun.swaps:
        assert spun.text[swap.start : swap.end] == swap.observed
        assert swap.observed.lower() != swap.original.lower()
    assert undo(spun) == TEXT
    spans = sorted((s.start, s.end) for s in spun.swaps)
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:]))  # never overlap


def test_rate_sets_the_number_of_swaps_when_there_are_enough_options():
    words = sum(t.is_word for t in spinner_module.tokenize(TEXT))
    low, high = Spinner(seed=1).spin(TEXT, rate=0.05), Spinner(seed=1).spin(TEXT, rate=0.2)
    assert len(low.swaps) == round(words * 0.05)
    assert len(high.swaps) == round(words * 0.2)


def test_same_seed_same_spin_other_seed_other_spin():
    assert Spinner(seed=3).spin(TEXT, 0.3) == Spinner(seed=3).spin(TEXT, 0.3)
    assert len({Spinner(seed=s).spin(TEXT, 0.3).text for s in range(6)}) > 1


def test_names_and_stop_words_are_not_swapped_and_case_is_kept():
    for seed in range(10):
        spun = Spinner(seed=seed).spin(TEXT, rate=1.0)
        originals = {s.original for s in spun.swaps}
        assert "Paris" not in originals and "the" not in originals and "The" not in originals
        for swap in spun.swaps:
            assert swap.observed[:1].isupper() == swap.original[:1].isupper()


def test_phrases_come_from_the_spinners_own_table():
    spun = Spinner(seed=0).spin("During the day, people worked because of the heat.", rate=1.0)
    by_original = {s.original: s.observed for s in spun.swaps}
    assert by_original["During"] in ("In the course of", "Throughout", "For the duration of")
    assert by_original["because of"] in ("due to", "owing to", "on account of")


def test_inflection_is_carried_to_the_synonym():
    spun = Spinner(seed=0, two_hop_share=0.0).spin("Prices fell in many markets.", rate=1.0)
    swap = next(s for s in spun.swaps if s.original == "markets")
    assert swap.observed in ("marketplaces", "bazaars")


def test_two_hops_reach_synonyms_of_synonyms():
    observed = {Spinner(seed=s, two_hop_share=1.0).spin("It was a big day.", rate=1.0).swaps[0].observed for s in range(20)}
    assert "vast" in observed  # big -> large -> vast: no dictionary entry lists it for "big"
