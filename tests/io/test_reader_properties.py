"""Property tests over the readers: arbitrary bytes in any format never crash (a coded error or
text), and every row written is exactly one document."""

from __future__ import annotations

import csv
import io
import json

from builders import make_docx, make_pdf, paragraphs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unspin.errors import CATALOGUE
from unspin.io import iter_documents, read_text_input

SUFFIXES = (".txt", ".md", ".html", ".pdf", ".docx", ".jsonl", ".csv", ".json", ".jsonl.gz", ".csv.gz")
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
SEEDS = {
    ".docx": make_docx(paragraphs("Seed paragraph one.", "Two.")),
    ".pdf": make_pdf(["Seed page."]),
    ".html": b"<html><body><p>Seed text here.</p></body></html>",
    ".jsonl": b'{"id": "a", "text": "seed"}\n{"id": "b", "text": "two"}\n',
    ".csv": b'id,text\na,"seed, quoted"\nb,two\n',
    ".json": b'[{"id": "a", "text": "seed"}]',
}


def _well_formed(doc) -> bool:
    if doc.error is not None:
        return doc.error[:4] in CATALOGUE and doc.text == ""
    return isinstance(doc.text, str) and isinstance(doc.doc_id, str)


@FAST
@given(suffix=st.sampled_from(SUFFIXES), data=st.binary(max_size=3000))
def test_arbitrary_bytes_in_any_format_never_crash(tmp_path_factory, suffix, data):
    path = tmp_path_factory.mktemp("any") / f"doc{suffix}"
    path.write_bytes(data)
    documents = list(iter_documents([str(path)]))
    assert documents and all(_well_formed(d) for d in documents)


@FAST
@given(suffix=st.sampled_from(sorted(SEEDS)), cut=st.integers(0, 4000), junk=st.binary(max_size=64))
def test_damaged_seed_documents_never_crash(tmp_path_factory, suffix, cut, junk):
    seed = SEEDS[suffix]
    cut = cut % (len(seed) + 1)
    path = tmp_path_factory.mktemp("seed") / f"doc{suffix}"
    path.write_bytes(seed[:cut] + junk + seed[cut + len(junk):])
    assert all(_well_formed(d) for d in iter_documents([str(path)]))


@FAST
@given(data=st.binary(max_size=2000), name=st.sampled_from([".txt", ".html", ".pdf", ".docx"]))
def test_uploads_raise_only_coded_input_errors(data, name):
    from unspin.errors import InputError

    try:
        text = read_text_input(data, f"upload{name}")
    except InputError as err:
        assert str(err)[:4] in CATALOGUE
    else:
        assert isinstance(text, str) and text.strip()


TEXTS = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=80)
ROWS = st.lists(st.tuples(st.text("abcdef0123", min_size=1, max_size=6), TEXTS), max_size=25)


@FAST
@given(rows=ROWS)
def test_every_jsonl_row_is_one_document_in_order(tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("rows") / "r.jsonl"
    path.write_text("".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n" for i, t in rows), encoding="utf-8")
    if not rows:
        return
    documents = list(iter_documents([str(path)]))
    assert [(d.doc_id, d.text) for d in documents] == rows


@FAST
@given(rows=ROWS)
def test_every_csv_row_is_one_document_in_order(tmp_path_factory, rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # so a lone "\r" in a field is quoted too
    writer.writerow(["id", "text"])
    writer.writerows(rows)
    path = tmp_path_factory.mktemp("rows") / "r.csv"
    path.write_bytes(out.getvalue().encode("utf-8"))
    documents = list(iter_documents([str(path)]))
    assert [(d.doc_id, d.text) for d in documents] == [(i, t) for i, t in rows]


@FAST
@given(lines=st.lists(st.one_of(st.binary(max_size=40), st.just(b'1,"open quote')), min_size=1, max_size=12))
def test_csv_rows_never_merge_one_record_per_line(tmp_path_factory, lines):
    body = [line.replace(b"\n", b" ").replace(b"\r", b" ").replace(b"\x00", b" ") for line in lines]
    body = [b"row" if not line.strip() else line for line in body]  # a blank line is no row
    path = tmp_path_factory.mktemp("rows") / "r.csv"
    path.write_bytes(b"id,text\n" + b"".join(line + b"\n" for line in body))
    documents = list(iter_documents([str(path)]))
    if len(documents) == 1 and documents[0].doc_id == str(path):
        return  # the file as a whole could not be read (e.g. the first bytes look binary)
    starts = [int(d.source.rsplit(":", 1)[1]) for d in documents]
    assert starts == sorted(set(starts)) and starts[0] == 2
    ends = starts[1:] + [len(body) + 2]
    for doc, start, end in zip(documents, starts, ends):
        if doc.error is None:  # a row spans more than one line only through newlines it holds
            assert end - start == 1 + doc.text.count("\n") + doc.doc_id.count("\n")
