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
