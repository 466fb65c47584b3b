"""Pass 1 and pass 2 are pure functions of their documents; merging chunk results equals one pass."""

from unspin.learn import CorpusCounts, GainStats, count_ngrams, occurrence_gains

from . import world

TEXTS = ["He stated in the city that it was fine. Inside the city, prices rose.", "In the end, he stated nothing."]



def _count(texts):
    return count_ngrams(texts, lambda p: p == "stated nothing", lambda w: w in {"in", "the", "it"}, max_words=3)


def test_counts_unigrams_function_bigrams_and_known_phrases_only():
    counts = _count(TEXTS)
    assert counts.docs == 2 and counts.tokens == 20
    assert counts.count("stated") == 2 and counts.count("in the") == 2 and counts.count("inside the") == 1
    assert counts.count("stated nothing") == 1  # a phrase the lexicon knows
    assert counts.count("prices rose") == 0  # neither a function word nor known: not kept
    assert counts.count("fine inside") == 0 and counts.count("end he") == 0  # runs break at sentence ends and commas


def test_merge_of_chunks_equals_one_pass():
    texts = world.corpus(seed=9, docs=30)
    whole = _count(texts)
    merged = CorpusCounts()
    for i in range(0, 30, 7):
        merged.merge(_count(texts[i : i + 7]))
    assert (merged.ngrams, merged.docs, merged.tokens) == (whole.ngrams, whole.docs, whole.tokens)


def test_gains_count_co_occurrence_per_document_and_cap_samples():
    lm = world.BigramLM(world.corpus(seed=1, docs=50))
    texts = ["He stated it. He said it.", "He stated it.", "He stated it."]
    stats = occurrence_gains(texts, {"stated": ("said",)}, lm, cap=2)
    assert stats.seen["stated"] == 3 and len(stats.samples["stated"]) == 2
    assert stats.docs_with["stated"] == 3 and stats.docs_with_both["stated\tsaid"] == 1
    assert stats.samples["stated"][0]["said"] > 0  # the LM prefers the original
    merged = GainStats().merge(occurrence_gains(texts[:1], {"stated": ("said",)}, lm, cap=2), cap=2)
    merged.merge(occurrence_gains(texts[1:], {"stated": ("said",)}, lm, cap=2), cap=2)
    assert merged.seen == stats.seen and merged.samples == stats.samples and merged.docs_with_both == stats.docs_with_both


def test_an_original_inside_the_observed_form_counts_as_beside_it_only_outside():
    lm = world.BigramLM(world.corpus(seed=1, docs=50))
    texts = ["It was actually late. It was late.", "It was actually late.", "It was actually late. It was actually fine."]
    stats = occurrence_gains(texts, {"was actually": ("was",)}, lm)
    assert stats.docs_with["was actually"] == 3 and stats.docs_with_both["was actually\twas"] == 3
    assert stats.docs_with_outside["was actually\twas"] == 1  # only the first has a "was" of its own
