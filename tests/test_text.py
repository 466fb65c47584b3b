import pytest

from unspin.text import apply_replacements, match_case, sentences, tokenize, word_count


def test_tokens_keep_offsets():
    text = "The corporate's CEO said sales fell 4 p.c. in Q3."
    for tok in tokenize(text):
        assert text[tok.start : tok.end] == tok.text
    assert [t.text for t in tokenize("corporate's")] == ["corporate", "'s"]
    assert "p.c." in [t.text for t in tokenize(text)]


def test_sentences_do_not_split_after_abbreviations():
    text = "Mr. Smith left. He said so! Did he?"
    sents = sentences(tokenize(text), text)
    assert [" ".join(t.text for t in s) for s in sents] == ["Mr . Smith left .", "He said so !", "Did he ?"]


def test_apply_replacements_any_order_and_rejects_overlap():
    assert apply_replacements("a b c", [(4, 5, "z"), (0, 1, "x")]) == "x b z"
    with pytest.raises(ValueError):
        apply_replacements("a b c", [(0, 3, "x"), (2, 5, "y")])


@pytest.mark.parametrize("template,word,want", [("Corporate", "company", "Company"), ("NASA", "agency", "AGENCY"), ("gross", "total", "total")])
def test_match_case(template, word, want):
    assert match_case(template, word) == want


def test_word_count_ignores_punctuation():
    assert word_count("Hello, world - 42!") == 2


# --- restored text: a/an agreement and sentence starts (issue 13) ------------------------------

from unspin.text import apply_restoration, indefinite_article, utf16_offsets  # noqa: E402


def test_article_before_an_edit_agrees_with_the_restored_word():
    text = "They trained an irregular woodland on the data."
    start = text.index("irregular")
    end = start + len("irregular woodland")
    assert apply_restoration(text, [(start, end, "random forest")]) == "They trained a random forest on the data."


def test_article_keeps_its_capital_at_a_sentence_start():
    text = "An irregular woodland was trained."
    assert apply_restoration(text, [(3, 21, "random forest")]) == "A random forest was trained."
    text = "A counterfeit consciousness unit."
    assert apply_restoration(text, [(2, 27, "artificial intelligence")]) == "An artificial intelligence unit."


def test_article_ending_a_replacement_agrees_with_the_next_word():
    text = "It was one useful idea."
    assert apply_restoration(text, [(7, 10, "an")]) == "It was a useful idea."
    assert apply_restoration("Take one egg.", [(5, 8, "a")]) == "Take an egg."


def test_a_restored_sentence_start_is_capitalised():
    text = "Sales fell. Corporate profits rose."
    start = text.index("Corporate")
    assert apply_restoration(text, [(start, start + 9, "company")]) == "Sales fell. Company profits rose."


def test_other_text_is_left_as_it_was():
    text = "an apple and a pear"  # no edit next to them: left alone, even if odd
    assert apply_restoration(text, [(13, 14, "the")]) == "an apple and the pear"
    assert apply_restoration("a b", []) == "a b"


def test_indefinite_article_by_sound():
    assert [indefinite_article(w) for w in ("hour", "unit", "umbrella", "forest", "European", "NASA", "idea")] == \
        ["an", "a", "an", "a", "a", None, "an"]


def test_utf16_offsets_count_emoji_twice():
    text = "a😀b\u0301c"
    assert utf16_offsets(text) == [0, 1, 3, 4, 5, 6]
