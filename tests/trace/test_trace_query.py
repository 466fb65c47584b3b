import pytest

from unspin.trace import SegmentKind, TraceIndex, trace
from unspin.trace.fingerprint import chunks

from .conftest import stand_in_spin


@pytest.fixture(scope="module")
def index(small_index):
    with TraceIndex.open(small_index) as idx:
        yield idx


def _long_paragraph(doc, min_words=40):
    return next((p for p in chunks(doc.text) if len(p.split()) >= min_words), chunks(doc.text)[0])


@pytest.mark.parametrize("n", [0, 7, 33, 58, 91])
def test_single_spun_paragraph_finds_its_document(index, news_docs, n):
    copy = stand_in_spin(_long_paragraph(news_docs[n]))
    result = trace(copy, index)
    assert result.matched and result.best.doc_id == news_docs[n].doc_id
    assert result.best.score >= 0.5


@pytest.mark.parametrize("n", [3, 44, 80])
def test_whole_spun_document_finds_its_document(index, news_docs, n):
    result = trace(stand_in_spin(news_docs[n].text, every=1), index, top=3)
    assert result.best.doc_id == news_docs[n].doc_id
    assert len(result.candidates) <= 3


@pytest.mark.parametrize("n", [101, 105, 110, 115])
def test_documents_not_in_the_index_have_no_source(index, news_docs, n):
    result = trace(news_docs[n].text, index)
    assert not result.matched and result.best is None and result.alignment is None


def test_alignment_marks_every_swap_with_offsets(index, news_docs):
    source = _long_paragraph(news_docs[12])
    copy = stand_in_spin(source, every=1)
    result = trace(copy, index)
    alignment = result.alignment
    assert alignment is not None and source in result.source_text
    for seg in alignment.swaps:
        assert copy[seg.copy.start : seg.copy.end] == seg.observed
        assert result.source_text[seg.source.start : seg.source.end] == seg.original
    changed = sum(a != b for a, b in zip(copy.split(), source.split()))
    assert len(alignment.swaps) == changed
    assert any(s.kind is SegmentKind.SAME for s in alignment.segments)


def test_restorer_is_used_when_given(index, news_docs, fake_restorer):
    calls = []

    class Counting:
        def restore(self, text, threshold=None):
            calls.append(text)
            return fake_restorer.restore(text)

    copy = stand_in_spin(_long_paragraph(news_docs[20]))
    result = trace(copy, index, restorer=Counting(), restore_when="always")
    assert calls and result.best.doc_id == news_docs[20].doc_id


def test_empty_and_json(index):
    assert not trace("   ", index).matched
    import json

    d = trace("Nothing in this sentence is in the index, surely not about zebras in 1066.", index).to_dict()
    json.dumps(d)
    assert d["matched"] is False and d["best"] is None


def test_restorer_only_when_unsure(index, news_docs, fake_restorer):
    calls = []

    class Counting:
        def restore(self, text, threshold=None):
            calls.append(text)
            return fake_restorer.restore(text)

    found = trace(stand_in_spin(_long_paragraph(news_docs[30])), index, restorer=Counting())
    assert found.matched and calls == []
    missing = trace(news_docs[111].text, index, restorer=Counting())
    assert not missing.matched and calls
    with pytest.raises(ValueError):
        trace("text", index, restore_when="never")
