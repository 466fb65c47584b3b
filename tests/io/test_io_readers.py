"""unspin.io.readers: every format, every bad-input case, never a crash for a bad document."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from unspin.errors import InputError
from unspin.io import iter_documents, read_text_input
from unspin.types import Document

DATA = Path(__file__).resolve().parents[1] / "data" / "io"
SENTENCE = "The corporate said gross sales fell."


def docs(*inputs: object, **kwargs: object) -> list[Document]:
    return list(iter_documents([str(i) for i in inputs], **kwargs))


def one(path: object, **kwargs: object) -> Document:
    (doc,) = docs(path, **kwargs)
    return doc


# --- fixture builders (binary formats are made at test time) ---------------------------------


def make_pdf(path: Path, text: str | None) -> Path:
    """A one-page PDF; with text=None the page is blank (no text layer)."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    if text is not None:
        font = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
        fonts = DictionaryObject({NameObject("/F1"): writer._add_object(font)})
        page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): fonts})
        content = DecodedStreamObject()
        content.set_data(f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1"))
        page[NameObject("/Contents")] = writer._add_object(content)
    with open(path, "wb") as fh:
        writer.write(fh)
    return path


def make_docx(path: Path, paragraphs: list[str], table: list[list[str]] | None = None) -> Path:
    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    document.save(str(path))
    return path


def make_parquet(path: Path, rows: list[dict], row_group_size: int = 2) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist(rows), str(path), row_group_size=row_group_size)
    return path


# --- plain text ------------------------------------------------------------------------------


def test_txt_file_is_one_document_named_by_its_path():
    path = DATA / "corpus" / "plain.txt"
    doc = one(path)
    assert doc.doc_id == str(path) and doc.source == str(path)
    assert doc.text.startswith("The corporate said") and doc.error is None


def test_markdown_is_read_as_text():
    assert "counterfeit consciousness" in one(DATA / "corpus" / "sub" / "notes.md").text


def test_utf8_bom_and_utf16_are_decoded(tmp_path):
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbf" + SENTENCE.encode())
    (tmp_path / "wide.txt").write_bytes(SENTENCE.encode("utf-16"))
    assert one(tmp_path / "bom.txt").text == SENTENCE
    assert one(tmp_path / "wide.txt").text == SENTENCE


@pytest.mark.parametrize(
    ("name", "content", "code", "reason"),
    [
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "U101", "binary"),
        ("unknown.bin", b"\x00\x01\x02\x03", "U101", "binary"),
        ("empty.txt", b"", "U102", "empty"),
        ("blank.md", b"  \n\n\t ", "U102", "no text"),
        ("latin1.txt", "Café crème".encode("latin-1"), "U104", "UTF-8"),
    ],
    ids=["binary", "binary-unknown-extension", "empty", "whitespace-only", "bad-utf8"],
)
def test_bad_text_files_become_error_documents(tmp_path, name, content, code, reason):
    path = tmp_path / name
    path.write_bytes(content)
    doc = one(path)
    assert doc.doc_id == str(path) and doc.text == ""
    assert doc.error.startswith(f"{code} {path}: ") and reason in doc.error


def test_file_over_max_bytes_is_an_error_document(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("word " * 100)
    doc = one(path, max_bytes=100)
    assert doc.error.startswith("U106 ") and "over the limit" in doc.error


def test_missing_input_raises_input_error(tmp_path):
    with pytest.raises(InputError, match="U100 .*nope.txt"):
        docs(tmp_path / "nope.txt")


def test_missing_input_raises_when_called_not_when_iterated(tmp_path):
    with pytest.raises(InputError):
        iter_documents([str(DATA / "corpus" / "plain.txt"), str(tmp_path / "nope.txt")])


# --- HTML, PDF, DOCX -------------------------------------------------------------------------


def test_html_main_text_without_scripts_or_styles():
    text = one(DATA / "corpus" / "sub" / "article.html").text
    assert "The corporate said gross sales fell 4 p.c." in text
    assert "do not extract me" not in text and "color:red" not in text


def test_html_falls_back_to_lxml_when_trafilatura_finds_nothing(tmp_path, monkeypatch):
    import unspin.io.extract as extract

    monkeypatch.setattr(extract, "_trafilatura_text", lambda data: None)
    path = tmp_path / "tiny.html"
    path.write_text("<html><head><script>x=1</script></head><body><p>Short <b>page</b>.</p></body></html>")
    assert one(path).text == "Short page."


def test_html_with_no_text_is_an_error(tmp_path):
    path = tmp_path / "blank.htm"
    path.write_text("<html><body><script>only()</script></body></html>")
    assert one(path).error.startswith("U102 ")


def test_pdf_text_layer(tmp_path):
    doc = one(make_pdf(tmp_path / "paper.pdf", SENTENCE))
    assert doc.error is None and doc.text == SENTENCE


def test_pdf_without_text_layer_is_u103(tmp_path):
    path = make_pdf(tmp_path / "scan.pdf", None)
    doc = one(path)
    assert doc.error.startswith(f"U103 {path}: ") and "no text layer" in doc.error


def test_corrupt_pdf_is_an_error_document(tmp_path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\nthis is not really a pdf\n")
    assert one(path).error.startswith(("U108 ", "U103 "))


def test_docx_paragraphs_and_tables(tmp_path):
    path = make_docx(tmp_path / "memo.docx", [SENTENCE, "", "Second paragraph."], [["cell a", "cell b"]])
    assert one(path).text == f"{SENTENCE}\n\nSecond paragraph.\n\ncell a\tcell b"


def test_corrupt_docx_is_u108(tmp_path):
    path = tmp_path / "broken.docx"
    path.write_bytes(b"PK\x03\x04 not a zip")
    assert one(path).error.startswith("U108 ")


def test_empty_docx_is_u102(tmp_path):
    assert one(make_docx(tmp_path / "empty.docx", [])).error.startswith("U102 ")


# --- JSONL -----------------------------------------------------------------------------------


def test_jsonl_rows_ids_meta_and_errors():
    path = DATA / "rows.jsonl"
    got = {d.doc_id: d for d in docs(path)}
    assert list(got) == ["a1", f"{path}:2", f"{path}:4", f"{path}:5", f"{path}:6", "5"]
    assert got["a1"].text == SENTENCE and got["a1"].meta == {"lang": "en"} and got["a1"].source == f"{path}:1"
    assert got[f"{path}:2"].text == "A row without an id."
    assert got[f"{path}:4"].error.startswith(f"U105 {path}:4: malformed JSON line")
    assert got[f"{path}:5"].error.startswith(f"U109 {path}:5: ") and "'text'" in got[f"{path}:5"].error
    assert got[f"{path}:6"].error.startswith("U105 ") and "JSON object" in got[f"{path}:6"].error
    assert got["5"].meta == {"score": 0.5} and got["5"].error is None


def test_jsonl_custom_fields(tmp_path):
    path = tmp_path / "custom.jsonl"
    path.write_text(json.dumps({"key": "k1", "body": SENTENCE, "text": "meta now"}) + "\n")
    doc = one(path, text_field="body", id_field="key")
    assert (doc.doc_id, doc.text, doc.meta) == ("k1", SENTENCE, {"text": "meta now"})


def test_jsonl_bad_utf8_line_is_one_error(tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b'{"text": "caf\xe9"}\n{"text": "fine"}\n')
    first, second = docs(path)
    assert first.error.startswith(f"U104 {path}:1: ") and second.text == "fine"


def test_jsonl_long_line_is_u106(tmp_path):
    path = tmp_path / "long.jsonl"
    path.write_text(json.dumps({"text": "x" * 500}) + "\n" + json.dumps({"text": "ok"}) + "\n")
    first, second = docs(path, max_bytes=100)
    assert first.error.startswith("U106 ") and second.text == "ok"


def test_jsonl_gz(tmp_path):
    import gzip

    path = tmp_path / "rows.jsonl.gz"
    with gzip.open(path, "wt") as fh:
        fh.write(json.dumps({"id": "g", "text": SENTENCE}) + "\n")
    assert one(path).text == SENTENCE


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [("empty.jsonl", b"", "U102"), ("blank.jsonl", b"\n\n", "U102"), ("nul.jsonl", b'{"text": "a"}\x00\x00', "U101")],
    ids=["empty", "blank-lines", "binary"],
)
def test_unreadable_jsonl_file_is_one_error(tmp_path, name, content, code):
    path = tmp_path / name
    path.write_bytes(content)
    doc = one(path)
    assert doc.doc_id == str(path) and doc.error.startswith(f"{code} ")


# --- CSV, JSON, parquet ----------------------------------------------------------------------


def test_csv_rows_multiline_fields_and_bad_rows():
    path = DATA / "rows.csv"
    got = docs(path)
    assert [d.doc_id for d in got] == ["c1", f"{path}:3", f"{path}:5", "c4"]
    assert got[0].text == SENTENCE and got[0].meta == {"lang": "en"}
    assert got[1].text == "A quoted text with a comma, and\na newline inside."
    assert got[2].error.startswith(f"U105 {path}:5: expected 3 fields, got 4")
    assert got[3].meta == {"lang": "de"}


def test_csv_big_field(tmp_path):
    path = tmp_path / "big.csv"
    big = "word " * 40_000  # over the csv module's default 131072-character field limit
    path.write_text(f'id,text\nb,"{big}"\n')
    assert one(path).text == big


def test_csv_without_text_column_is_one_error(tmp_path):
    path = tmp_path / "cols.csv"
    path.write_text("id,body\n1,hello\n")
    doc = one(path)
    assert doc.doc_id == str(path) and doc.error.startswith("U109 ") and "--text-field" in doc.error


def test_csv_bad_utf8_row_is_one_error(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes(b"id,text\n1,fine\n2,caf\xe9\n")
    got = docs(path)
    assert got[0].text == "fine" and got[1].error.startswith(f"U104 {path}:3: ")


def test_empty_csv(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert one(path).error.startswith("U102 ")


def test_json_array(tmp_path):
    path = tmp_path / "rows.json"
    path.write_text(json.dumps([{"id": "j1", "text": SENTENCE}, {"text": "second"}, 7]))
    got = docs(path)
    assert [d.doc_id for d in got] == ["j1", f"{path}#1", f"{path}#2"]
    assert got[2].error.startswith("U105 ")


def test_parquet_rows_in_batches(tmp_path, monkeypatch):
    import unspin.io.readers as readers

    monkeypatch.setattr(readers, "PARQUET_BATCH_ROWS", 2)
    rows = [{"id": f"p{i}", "text": f"text {i}", "year": 2000 + i} for i in range(5)]
    rows[3] = {"id": None, "text": None, "year": 2003}
    path = make_parquet(tmp_path / "rows.parquet", rows)
    got = docs(path)
    assert [d.doc_id for d in got] == ["p0", "p1", "p2", f"{path}#3", "p4"]
    assert got[4].text == "text 4" and got[4].meta == {"year": 2004}
    assert got[3].error.startswith("U109 ") and "null" in got[3].error


def test_parquet_without_text_column_and_corrupt_parquet(tmp_path):
    no_text = make_parquet(tmp_path / "cols.parquet", [{"id": "x", "body": "y"}])
    corrupt = tmp_path / "corrupt.parquet"
    corrupt.write_bytes(b"PAR1 not really")
    assert one(no_text).error.startswith("U109 ")
    assert one(corrupt).error.startswith("U108 ")


# --- directories and stdin -------------------------------------------------------------------


def test_directory_walk_is_sorted_recursive_and_skips_hidden_and_unknown():
    root = DATA / "corpus"
    names = [Path(d.doc_id).relative_to(root).as_posix() for d in docs(root)]
    assert names == ["plain.txt", "sub/article.html", "sub/notes.md"]


def test_directory_include_and_exclude():
    root = DATA / "corpus"
    only_md = docs(root, include=["*.md"])
    assert [Path(d.doc_id).name for d in only_md] == ["notes.md"]
    no_sub = docs(root, exclude=["sub"])
    assert [Path(d.doc_id).name for d in no_sub] == ["plain.txt"]
    rst = docs(root, include=["**/*.rst"])
    assert [d.text for d in rst] == ["not a known extension\n"]
    top = docs(root, include=["**/plain.txt"])
    assert [Path(d.doc_id).name for d in top] == ["plain.txt"]


def test_stdin_plain_text():
    doc = one("-", stdin=io.BytesIO(b"\n" + SENTENCE.encode() + b"\n"))
    assert (doc.doc_id, doc.text) == ("<stdin>", "\n" + SENTENCE + "\n")


def test_stdin_jsonl():
    lines = b"\n".join(json.dumps({"id": f"s{i}", "text": f"t{i}"}).encode() for i in range(3)) + b"\nnot json\n"
    got = docs("-", stdin=io.BytesIO(lines))
    assert [d.doc_id for d in got] == ["s0", "s1", "s2", "<stdin>:4"] and got[3].error.startswith("U105 ")


def test_stdin_json_without_text_field_is_plain_text():
    doc = one("-", stdin=io.BytesIO(b'{"title": "x"}\n'))
    assert doc.text == '{"title": "x"}\n'


@pytest.mark.parametrize(("content", "code"), [(b"", "U102"), (b"\x00\x01", "U101")], ids=["empty", "binary"])
def test_bad_stdin(content, code):
    assert one("-", stdin=io.BytesIO(content)).error.startswith(f"{code} <stdin>: ")


# --- uploads ---------------------------------------------------------------------------------


def test_read_text_input_from_bytes_and_path(tmp_path):
    pdf = make_pdf(tmp_path / "paper.pdf", SENTENCE)
    assert read_text_input(pdf.read_bytes(), "paper.pdf") == SENTENCE
    assert read_text_input(str(pdf), "upload.PDF") == SENTENCE
    assert read_text_input(SENTENCE.encode(), "a.txt") == SENTENCE
    assert "gross sales" in read_text_input((DATA / "corpus" / "sub" / "article.html").read_bytes(), "a.html")
    assert read_text_input(make_docx(tmp_path / "m.docx", [SENTENCE]).read_bytes(), "m.docx") == SENTENCE


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"", "a.txt", "U102 a.txt: empty file"),
        (b"caf\xe9", "a.txt", "U104 a.txt: not valid UTF-8"),
        (b"MZ\x00\x00", "tool.exe", "U107 tool.exe: unsupported file type '.exe'"),
        (b"%PDF-1.4 junk", "x.pdf", "U10"),
    ],
    ids=["empty", "bad-utf8", "unsupported", "corrupt-pdf"],
)
def test_read_text_input_errors(content, filename, message):
    with pytest.raises(InputError) as caught:
        read_text_input(content, filename)
    assert str(caught.value).startswith(message)


def test_read_text_input_blank_pdf_is_u103(tmp_path):
    pdf = make_pdf(tmp_path / "scan.pdf", None)
    with pytest.raises(InputError, match=r"^U103 scan\.pdf: no text layer"):
        read_text_input(pdf.read_bytes(), "scan.pdf")


def test_read_text_input_size_limit():
    with pytest.raises(InputError, match="^U106 "):
        read_text_input(b"x" * 20, "a.txt", max_bytes=10)


def test_path_objects_are_accepted_and_ids_are_strings():
    doc = one(DATA / "corpus" / "plain.txt")
    assert isinstance(doc.doc_id, str)
    (doc,) = iter_documents([DATA / "corpus" / "plain.txt"])
    assert doc.doc_id == str(DATA / "corpus" / "plain.txt")


def test_read_text_input_missing_path(tmp_path):
    with pytest.raises(InputError, match="^U100 gone.txt: cannot read the upload"):
        read_text_input(str(tmp_path / "gone.txt"), "gone.txt")
