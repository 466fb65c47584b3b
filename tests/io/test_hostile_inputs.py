"""Issue 14's hostile inputs against the readers: bombs, surrogates, open quotes, deep HTML,
unbounded stdin, FIFOs. Each test failed before the fix it guards."""

from __future__ import annotations

import io
import json
import os
import threading
import time

import pytest
from builders import make_docx, make_pdf, paragraphs

from unspin.errors import CATALOGUE, InputError
from unspin.io import Limits, iter_documents, read_text_input


def docs(*paths, **kw):
    return list(iter_documents([str(p) for p in paths], **kw))


# --- defect 1: decompression bombs ------------------------------------------------------------


def test_docx_that_expands_past_the_cap_is_refused_before_it_is_inflated(monkeypatch):
    bomb = make_docx(paragraphs("Hello."), padding=3_000_000)  # ~3 KB compressed, 3 MB inflated
    assert len(bomb) < 50_000
    monkeypatch.setenv("UNSPIN_MAX_EXPANDED_BYTES", "1000000")
    inflated = []
    import zipfile

    monkeypatch.setattr(zipfile.ZipFile, "read", lambda self, name, pwd=None: inflated.append(name) or b"")
    with pytest.raises(InputError, match="^U110 big.docx: zip members expand to"):
        read_text_input(bomb, "big.docx")
    assert inflated == []  # refused from the declared sizes: nothing was inflated


def test_pdf_page_and_character_caps(monkeypatch):
    pdf = make_pdf(["page one text", "page two text", "page three text"])
    assert read_text_input(pdf, "ok.pdf").startswith("page one text")
    with pytest.raises(InputError, match="^U110 many.pdf: 3 pages, over the limit of 2"):
        read_text_input(pdf, "many.pdf", limits=Limits(max_pages=2))
    monkeypatch.setenv("UNSPIN_MAX_CHARS", "20")
    with pytest.raises(InputError, match="^U110 long.pdf: over 20 characters"):
        read_text_input(pdf, "long.pdf")


def test_docx_character_cap_is_an_error_document(tmp_path, monkeypatch):
    path = tmp_path / "a.docx"
    path.write_bytes(make_docx(paragraphs("x" * 500)))
    monkeypatch.setenv("UNSPIN_MAX_CHARS", "100")
    (doc,) = docs(path)
    assert doc.error.startswith("U110 ") and str(path) in doc.error


def test_u110_is_in_the_catalogue_as_too_large_for_http():
    assert CATALOGUE["U110"].http_status == 413 and CATALOGUE["U110"].exit_code == 1


# --- defect 5: lone surrogates ----------------------------------------------------------------


def test_lone_surrogates_are_row_errors_and_later_rows_still_read(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_text('{"id": "sur\\ud800", "text": "fine"}\n{"id": "t", "text": "bad \\udfff text"}\n'
                    '{"id": "ok", "text": "after"}\n', encoding="utf-8")
    first, second, third = docs(path)
    assert first.error.startswith("U104 ") and first.doc_id == f"{path}:1"
    assert second.error.startswith("U104 ") and "lone surrogate" in second.error and second.doc_id == f"{path}:2"
    assert (third.doc_id, third.text, third.error) == ("ok", "after", None)
    json.dumps(first.error).encode("utf-8")  # the error record itself can be written


# --- defect 6: silent merges and drops --------------------------------------------------------


def test_csv_unterminated_quote_yields_one_record_per_row(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text('id,text\n1,one\n2,"unterminated\n3,three\n4,"four"\n5,five\n', encoding="utf-8")
    rows = docs(path)
    assert len(rows) == 5
    assert rows[1].error.startswith("U105 ") and f"{path}:3" in rows[1].error
    assert [(d.doc_id, d.text) for d in rows if d.error is None] == [("1", "one"), ("3", "three"), ("4", "four"), ("5", "five")]


def test_csv_quote_never_closed_keeps_the_rows_after_it(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text('id,text\n1,"open\n2,two\n3,three\n', encoding="utf-8")
    rows = docs(path)
    assert [d.doc_id for d in rows] == [f"{path}:2", "2", "3"] and rows[0].error.startswith("U105 ")


def test_csv_multiline_quoted_field_is_still_one_row(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text('id,text\n1,"line one\nline two"\n2,next\n', encoding="utf-8")
    assert [(d.doc_id, d.text) for d in docs(path)] == [("1", "line one\nline two"), ("2", "next")]


def test_docx_entity_reference_keeps_the_text_after_it(tmp_path):
    doctype = '<!DOCTYPE w:document [<!ENTITY co "Company">]>'
    path = tmp_path / "e.docx"
    path.write_bytes(make_docx("<w:p><w:r><w:t>before &co; after the entity</w:t></w:r></w:p>", doctype=doctype))
    (doc,) = docs(path)
    assert doc.error is None and "after the entity" in doc.text and doc.text.startswith("before")


def test_html_nested_deeper_than_libxml_allows_still_has_text(tmp_path):
    path = tmp_path / "deep.html"
    path.write_text("<html><body>" + "<div>" * 400 + "Deep words are here." + "</div>" * 400 + "</body></html>")
    (doc,) = docs(path)
    assert doc.error is None and "Deep words are here." in doc.text


# --- defect 7: one size policy, stdin bounded -------------------------------------------------


class _CountingStream(io.RawIOBase):
    def __init__(self, size: int) -> None:
        self.left = size
        self.served = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = min(len(buffer), self.left)
        buffer[:n] = b"x" * n
        self.left -= n
        self.served += n
        return n


@pytest.mark.parametrize("jsonl", [False, True], ids=["text", "jsonl"])
def test_stdin_is_never_read_far_past_max_bytes(jsonl):
    stream = _CountingStream(5_000_000)  # no newline at all
    (doc,) = list(iter_documents(["-"], stdin=io.BufferedReader(stream), max_bytes=10_000, jsonl=jsonl))
    assert doc.error.startswith("U106 ") and "--max-bytes" in doc.error
    if not jsonl:
        assert stream.served < 200_000
    else:  # an over-long line is skipped to its end, never held: read through, memory flat
        assert stream.served == 5_000_000


def test_size_policy_env_applies_to_files_rows_and_uploads(tmp_path, monkeypatch):
    monkeypatch.setenv("UNSPIN_MAX_BYTES", "50")
    big = tmp_path / "big.txt"
    big.write_text("y" * 60)
    rows = tmp_path / "r.jsonl"
    rows.write_text(json.dumps({"id": "a", "text": "z" * 60}) + "\n")
    assert docs(big)[0].error.startswith("U106 ")
    assert docs(rows)[0].error.startswith("U106 ")
    with pytest.raises(InputError, match="^U106 "):
        read_text_input(b"q" * 60, "up.txt")


# --- defect 8: FIFOs in a scanned directory ---------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_fifo_in_a_directory_is_an_error_record_not_a_hang(tmp_path):
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "a.txt").write_text("real text")
    os.mkfifo(folder / "b.txt")
    found: list = []
    reader = threading.Thread(target=lambda: found.extend(docs(folder)), daemon=True)
    reader.start()
    reader.join(10)
    if reader.is_alive():  # unblock the reader so the test run can end
        with open(folder / "b.txt", "w"):
            time.sleep(0.1)
        pytest.fail("reading a directory with a FIFO hung")
    assert [d.text for d in found if d.error is None] == ["real text"]
    (fifo,) = [d for d in found if d.error]
    assert fifo.error.startswith("U111 ") and str(folder / "b.txt") in fifo.error


# --- defect 9: UTF-16 everywhere --------------------------------------------------------------


def test_utf16_with_bom_in_jsonl_and_csv(tmp_path):
    rows = tmp_path / "u.jsonl"
    rows.write_bytes('{"id": "u", "text": "caf\u00e9 text"}\n'.encode("utf-16"))
    table = tmp_path / "u.csv"
    table.write_bytes("id,text\nc,caf\u00e9 row\n".encode("utf-16"))
    assert [(d.doc_id, d.text) for d in docs(rows, table)] == [("u", "caf\u00e9 text"), ("c", "caf\u00e9 row")]


def test_pdf_content_streams_that_expand_past_the_cap_are_refused():
    pdf = make_pdf(["x" * 400, "y" * 400])
    with pytest.raises(InputError, match="^U110 big.pdf: page content streams expand past 500 bytes"):
        read_text_input(pdf, "big.pdf", limits=Limits(max_expanded_bytes=500))


@pytest.mark.parametrize("damage", ["truncated", "flipped"])
def test_a_damaged_gzip_keeps_the_rows_before_the_damage_and_ends_with_an_error(tmp_path, damage):
    import gzip

    data = bytearray(gzip.compress(b"".join(json.dumps({"id": i, "text": "x" * 50}).encode() + b"\n" for i in range(2000))))
    if damage == "truncated":
        data = data[: len(data) // 2]
    else:
        data[len(data) // 2] ^= 0xFF
    path = tmp_path / "rows.jsonl.gz"
    path.write_bytes(bytes(data))
    found = docs(path)
    assert found[-1].error.startswith("U108 ") and str(path) in found[-1].error
    if damage == "truncated":  # a flipped bit may also garble some lines first: each is a row error
        assert all(d.error is None for d in found[:-1]) and len(found) > 100


def test_json_nested_100k_deep_is_a_row_error_not_a_recursion_crash(tmp_path):
    rows = tmp_path / "deep.jsonl"
    rows.write_text('{"id": "a", "text": ' + "[" * 100_000 + "]" * 100_000 + "}\n" + '{"id": "b", "text": "ok"}\n')
    whole = tmp_path / "deep.json"
    whole.write_text("[" * 100_000 + "]" * 100_000)
    first, second = docs(rows)
    assert first.error.startswith("U105 ") and "nested too deep" in first.error and second.text == "ok"
    (doc,) = docs(whole)
    assert doc.error.startswith("U105 ")
