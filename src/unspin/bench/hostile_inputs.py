"""Hostile inputs for `unspin serve` (issue 14), made on the spot: decompression bombs, a deeply
nested JSON body, half a surrogate pair. Used by `unspin bench serve --hostile` and the tests.

    docx_bomb(1 << 30)    # ~3.6 MB .docx whose word/document.xml expands to 1 GB
    pdf_bomb(60, 1.2e6)   # a few KB of PDF: 60 pages sharing one 1.2 MB text stream
"""

from __future__ import annotations

import io
import zipfile
import zlib

_W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
    '"/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.'
    'document.main+xml"/></Types>')
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
    '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>')


def docx_bomb(expanded_bytes: int) -> bytes:
    """A well-formed .docx whose document.xml is `expanded_bytes` of paragraphs (~1:300 deflated)."""
    paragraph = b"<w:p><w:r><w:t>" + b"spun words again " * 60 + b"</w:t></w:r></w:p>"
    block = paragraph * max(1, (1 << 20) // len(paragraph))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as package:
        package.writestr("[Content_Types].xml", _CONTENT_TYPES)
        package.writestr("_rels/.rels", _RELS)
        with package.open("word/document.xml", "w", force_zip64=True) as document:
            document.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document ' + _W + b"><w:body>")
            for _ in range(max(1, expanded_bytes // len(block))):
                document.write(block)
            document.write(b"</w:body></w:document>")
    return out.getvalue()


def pdf_bomb(pages: int, stream_bytes: float) -> bytes:
    """A valid PDF of `pages` pages that all draw one Flate-compressed text stream of about
    `stream_bytes` bytes: tiny on disk, pages x stream_bytes of text to extract."""
    line = b"BT /F1 10 Tf 20 700 Td (spun words are here again and again) Tj ET\n"
    content = zlib.compress(line * max(1, int(stream_bytes) // len(line)), 9)
    kids = " ".join(f"{5 + i} 0 R" for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>"
    objects += [page] * pages
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def deep_json(depth: int) -> bytes:
    """{"text": [[[[...]]]]}: nested `depth` levels deep."""
    return b'{"text": ' + b"[" * depth + b"]" * depth + b"}"


def lone_surrogate_json() -> bytes:
    """A JSON body whose strings hold half a UTF-16 pair: valid JSON, not text."""
    return b'{"text": "The corporate said sales rose \\ud800 by 5 p.c.", "doc_id": "sur\\udc00"}'
