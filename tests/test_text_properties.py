"""Property tests for tokens and offsets (unspin.text)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from unspin.text import apply_replacements, match_case, sentences, tokenize

FAST = settings(max_examples=200, deadline=None)
PIECES = list("abcXYZ .,;!?'’-\n\t0123456789%:éß") + ["U.S.", "p.c.", "Mr.", "'s", "don't", "well-known", "\n\n"]
TEXT = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)
ANY = st.text(max_size=200)


@FAST
@given(text=st.one_of(TEXT, ANY))
def test_tokens_index_the_text_in_order_and_cover_every_non_space(text):
    tokens = tokenize(text)
    covered = set()
    last_end = 0
    for tok in tokens:
        assert text[tok.start : tok.end] == tok.text and tok.text
        assert tok.start >= last_end
        last_end = tok.end
        covered.update(range(tok.start, tok.end))
    assert all(ch.isspace() for i, ch in enumerate(text) if i not in covered)


@FAST
@given(text=st.one_of(TEXT, ANY))
def test_sentences_partition_the_tokens(text):
    tokens = tokenize(text)
    parts = sentences(tokens, text)
    assert [t for sentence in parts for t in sentence] == tokens and all(parts)


@FAST
@given(text=TEXT, data=st.data())
def test_replacements_in_any_order_give_the_same_text(text, data):
    tokens = tokenize(text)
    chosen = data.draw(st.lists(st.sampled_from(tokens), unique_by=lambda t: t.start, max_size=6)) if tokens else []
    news = [data.draw(st.text("xyz", max_size=4)) for _ in chosen]
    replacements = [(t.start, t.end, new) for t, new in zip(chosen, news)]
    forward = apply_replacements(text, replacements)
    assert forward == apply_replacements(text, list(reversed(replacements)))
    assert apply_replacements(text, [(t.start, t.end, t.text) for t in tokens]) == text
    expected, cursor = [], 0
    for start, end, new in sorted(replacements):
        expected += [text[cursor:start], new]
        cursor = end
    assert forward == "".join(expected) + text[cursor:]


@FAST
@given(template=st.text("abcABC", min_size=1, max_size=6), word=st.text("xyz", min_size=1, max_size=6))
def test_match_case_copies_the_capitalisation_pattern(template, word):
    out = match_case(template, word)
    assert out.lower() == word.lower()
    if template.isupper() and len(template) > 1:
        assert out == word.upper()
    elif template[0].isupper():
        assert out[0].isupper()
    else:
        assert out == word
