"""Property tests for PPS fingerprint queries: parsing never fails oddly, describe round-trips,
and a rule that fires (anchor found, condition true) means the whole query holds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from unspin.lexicon.fingerprint_query import And, Not, Or, Term, anchors_and_conditions, describe, holds, parse_query

FAST = settings(max_examples=200, deadline=None)
WORDS = ["alpha", "beta", "gamma", "delta", "eps"]
word = st.sampled_from(WORDS)
term = st.builds(lambda ws, slop: Term(tuple(ws), slop), st.lists(word, min_size=1, max_size=3),
                 st.one_of(st.none(), st.integers(0, 3)))
trees = st.recursive(
    term,
    lambda children: st.one_of(
        st.builds(lambda ps: And(tuple(ps)), st.lists(children, min_size=2, max_size=3)),
        st.builds(lambda ps: Or(tuple(ps)), st.lists(children, min_size=2, max_size=3)),
        st.builds(Not, children),
    ),
    max_leaves=6,
)
documents = st.lists(word, max_size=12).map(" ".join)


@FAST
@given(query=st.text(max_size=80))
def test_any_text_parses_or_is_an_empty_query_error(query):
    try:
        node = parse_query(query)
    except ValueError as err:
        assert "empty query" in str(err)
    else:
        assert describe(node)


@FAST
@given(tree=trees)
def test_describe_round_trips_through_the_parser(tree):
    text = describe(tree)
    assert describe(parse_query(text)) == describe(parse_query(describe(parse_query(text))))
    if not isinstance(tree, Not) and not any(isinstance(p, Not) for p in getattr(tree, "parts", ())):
        reparsed = parse_query(text)
        for doc in ("alpha beta gamma", "delta eps alpha", ""):
            assert holds(reparsed, doc, {}) == holds(tree, doc, {})


@FAST
@given(tree=trees, doc=documents)
def test_a_rule_that_fires_means_the_query_holds(tree, doc):
    for anchor, condition in anchors_and_conditions(tree):
        fired = holds(anchor, doc, {}) and (condition is None or holds(condition, doc, {}))
        if fired:
            assert holds(tree, doc, {})


@FAST
@given(words=st.lists(word, min_size=1, max_size=10), data=st.data())
def test_a_phrase_present_in_the_document_holds_and_negation_flips_it(words, data):
    doc = " ".join(words)
    i = data.draw(st.integers(0, len(words) - 1))
    j = data.draw(st.integers(i + 1, len(words)))
    phrase = Term(tuple(words[i:j]))
    assert holds(phrase, doc, {})
    assert not holds(Not(phrase), doc, {})
    assert holds(parse_query(f'"{" ".join(words[i:j])}"'), doc.upper().lower(), {})
    assert not holds(Term(("zeta",)), doc, {})
