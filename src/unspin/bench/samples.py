"""Small documents of each format, built in memory: fuzzing seeds and test inputs (no binary fixtures)."""

from __future__ import annotations

import io
import zipfile

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)


def make_docx(body_xml: str, *, doctype: str = "", padding: int = 0) -> bytes:
    """A .docx whose body is `body_xml` (w: elements); `padding` bytes of spaces inflate document.xml."""
    document = (f'<?xml version="1.0" encoding="UTF-8"?>{doctype}<w:document xmlns:w="{W_NS}"><w:body>'
                f'{body_xml}{" " * padding}</w:body></w:document>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("word/document.xml", document)
    return out.getvalue()


def paragraphs(*texts: str) -> str:
    return "".join(f"<w:p><w:r><w:t>{t}</w:t></w:r></w:p>" for t in texts)


def make_pdf(pages: list[str]) -> bytes:
    """A PDF with one line of Helvetica text per page."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    font_ref = writer._add_object(font)
    for text in pages:
        page = writer.add_blank_page(612, 792)
        stream = DecodedStreamObject()
        stream.set_data(f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1"))
        page[NameObject("/Contents")] = writer._add_object(stream)
        page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject({NameObject("/F1"): font_ref})})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def seeds() -> dict[str, list[bytes]]:
    """A few valid documents per fuzz target."""
    return {
        "docx": [make_docx(paragraphs("A first paragraph.", "The second one.")),
                 make_docx("<w:tbl><w:tr><w:tc><w:p><w:r><w:t>cell</w:t></w:r></w:p></w:tc></w:tr></w:tbl>")],
        "pdf": [make_pdf(["One page of text."]), make_pdf(["Page one.", "Page two."])],
        "html": [b"<html><head><title>t</title></head><body><p>Some text.</p><script>x()</script></body></html>",
                 b"<div><p>Nested <b>bold</b> text</p></div>"],
        "csv": [b'id,text\na,"quoted, text"\nb,plain\n', b'\xef\xbb\xbfid,text\n1,"multi\nline"\n'],
        "jsonl": [b'{"id": "a", "text": "one"}\n{"id": 2, "text": "two", "x": [1]}\n', b'{"text": "no id"}\n'],
    }
