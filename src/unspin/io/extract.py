"""The text of one document's bytes, by format: plain text (UTF-8/UTF-16), HTML, PDF, DOCX.

Every failure is a coded `InputError` naming the document. The format libraries (trafilatura,
lxml, pypdf, python-docx) are imported when a document of their format is read.
"""

from __future__ import annotations

import codecs
import io

from unspin.errors import InputError
from unspin.io.input_errors import BadEncoding, BinaryInput, CorruptFile, EmptyInput, NoTextLayer, UnsupportedFormat

SNIFF_BYTES = 8192


def _extract(data: bytes, suffix: str, label: str) -> str:
    """Text of one document's bytes; raises a coded `InputError`."""
    if not data:
        raise EmptyInput("empty file", source=label)
    if suffix in (".html", ".htm"):
        text = _html_text(data, label)
    elif suffix == ".pdf":
        text = _pdf_text(data, label)
    elif suffix == ".docx":
        text = _docx_text(data, label)
    else:
        text = _decode_text(data, label)
    if not text.strip():
        if suffix == ".pdf":
            raise NoTextLayer("no text layer (a scanned PDF? run OCR first)", source=label)
        raise EmptyInput("no text", source=label)
    return text


# --- plain text ------------------------------------------------------------------------------


def _decode_text(data: bytes, label: str) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as err:
            raise BadEncoding(f"not valid UTF-16 at byte {err.start}", source=label) from None
    if b"\x00" in data:
        raise BinaryInput("binary file (NUL bytes), not text", source=label)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise BadEncoding(f"not valid UTF-8 at byte {err.start} (convert it with iconv)", source=label) from None


# --- HTML, PDF, DOCX -------------------------------------------------------------------------


def _html_text(data: bytes, label: str) -> str:
    if b"\x00" in data[:SNIFF_BYTES]:
        raise BinaryInput("binary file (NUL bytes), not HTML", source=label)
    text = _trafilatura_text(data)
    if text and text.strip():
        return text
    return _lxml_text(data, label)


def _trafilatura_text(data: bytes) -> str | None:
    try:
        import trafilatura
    except ImportError:
        return None
    try:
        return trafilatura.extract(data, include_comments=False, include_tables=True, favor_recall=True)
    except Exception:  # noqa: BLE001 - extraction is best effort; lxml is the fallback
        return None


def _lxml_text(data: bytes, label: str) -> str:
    try:
        import lxml.html
    except ImportError as err:
        raise UnsupportedFormat("reading HTML needs lxml (pip install unspin[io])", source=label) from err
    try:
        root = lxml.html.document_fromstring(data)
    except Exception as err:  # noqa: BLE001 - lxml raises several types for junk input
        raise CorruptFile(f"cannot parse HTML: {err}", source=label) from None
    for bad in root.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    lines = (line.strip() for line in root.text_content().splitlines())
    return "\n".join(line for line in lines if line)


def _pdf_text(data: bytes, label: str) -> str:
    try:
        from pypdf import PdfReader
    except ImportError as err:
        raise UnsupportedFormat("reading PDF needs pypdf (pip install unspin[io])", source=label) from err
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise CorruptFile("encrypted PDF (needs a password)", source=label)
        pages = [page.extract_text() or "" for page in reader.pages]
    except InputError:
        raise
    except Exception as err:  # noqa: BLE001 - pypdf raises many types for broken files
        raise CorruptFile(f"cannot read PDF: {err}", source=label) from None
    return "\n\n".join(p.strip() for p in pages if p.strip())


def _docx_text(data: bytes, label: str) -> str:
    try:
        import docx
    except ImportError as err:
        raise UnsupportedFormat("reading DOCX needs python-docx (pip install unspin[io])", source=label) from err
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as err:  # noqa: BLE001 - zipfile/KeyError/ValueError for broken files
        raise CorruptFile(f"cannot read DOCX: {err}", source=label) from None
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append("\t".join(cell.text for cell in row.cells))
    return "\n\n".join(p.strip() for p in parts if p.strip())

