"""The text of one document's bytes, by format: plain text (UTF-8/UTF-16), HTML, PDF, DOCX.

Every failure is a coded `InputError` naming the document. The caps of `unspin.io.limits.Limits`
(expanded bytes, pages, characters) are checked before the memory is allocated: a .docx's zip
members by their declared sizes (zipfile never inflates a member past its declared size), a
PDF's page count and content streams before their text is extracted. The format libraries
(trafilatura, lxml, pypdf) are imported when a document of their format is read.
"""

from __future__ import annotations

import codecs
import html.parser
import io
import zipfile

from unspin.errors import (
    BadEncoding,
    BinaryInput,
    CorruptFile,
    EmptyInput,
    ExtractionLimit,
    InputError,
    NoTextLayer,
    UnsupportedFormat,
)
from unspin.io.limits import Limits

SNIFF_BYTES = 8192
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def extract_text(data: bytes, suffix: str, label: str, limits: Limits | None = None) -> str:
    """Text of one document's bytes (`suffix` picks the format: ".pdf", ".docx", ".html", else text).

    Raises a coded `InputError` naming `label`; U110 when a cap of `limits` is passed.
    """
    limits = limits or Limits.from_env()
    if not data:
        raise EmptyInput("empty file", source=label)
    if suffix in (".html", ".htm"):
        text = _html_text(data, label)
    elif suffix == ".pdf":
        text = _pdf_text(data, label, limits)
    elif suffix == ".docx":
        text = _docx_text(data, label, limits)
    else:
        text = decode_text(data, label)
    check_chars(text, label, limits)
    if not text.strip():
        if suffix == ".pdf":
            raise NoTextLayer("no text layer (a scanned PDF? run OCR first)", source=label)
        raise EmptyInput("no text", source=label)
    return text


_extract = extract_text  # the old private name, still used by callers outside unspin.io


def check_chars(text: str, label: str, limits: Limits) -> None:
    if len(text) > limits.max_chars:
        raise ExtractionLimit(f"{len(text)} characters extracted, over the limit of {limits.max_chars}"
                              " ($UNSPIN_MAX_CHARS)", source=label)


# --- plain text ------------------------------------------------------------------------------


def decode_text(data: bytes, label: str) -> str:
    """UTF-8 (BOM allowed) or UTF-16 with a BOM; NUL bytes in UTF-8 mean binary (U101), bad bytes U104."""
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


_decode_text = decode_text


# --- HTML ------------------------------------------------------------------------------------


def _html_text(data: bytes, label: str) -> str:
    if b"\x00" in data[:SNIFF_BYTES]:
        raise BinaryInput("binary file (NUL bytes), not HTML", source=label)
    text = _trafilatura_text(data)
    if text and text.strip():
        return text
    text = _lxml_text(data)
    if text and text.strip():
        return text
    return _stdlib_text(data, label)


def _trafilatura_text(data: bytes) -> str | None:
    try:
        import trafilatura
    except ImportError:
        return None
    try:
        return trafilatura.extract(data, include_comments=False, include_tables=True, favor_recall=True)
    except Exception:  # noqa: BLE001 - extraction is best effort; lxml is the fallback
        return None


def _lxml_text(data: bytes) -> str | None:
    try:
        import lxml.html
    except ImportError:
        return None
    try:
        root = lxml.html.document_fromstring(data)
    except Exception:  # noqa: BLE001 - lxml raises several types for junk input; stdlib is next
        return None
    for bad in root.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    return _tidy_lines(root.text_content())


class _TextCollector(html.parser.HTMLParser):
    """Text outside script/style, at any nesting depth (libxml2 stops at 256 levels)."""

    _SKIP = frozenset({"script", "style", "noscript", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def _stdlib_text(data: bytes, label: str) -> str:
    collector = _TextCollector()
    try:
        collector.feed(data.decode("utf-8", "replace"))
        collector.close()
    except Exception as err:  # noqa: BLE001 - html.parser is lenient; anything else is corrupt input
        raise CorruptFile(f"cannot parse HTML: {err}", source=label) from None
    return _tidy_lines("".join(collector.parts))


def _tidy_lines(text: str) -> str:
    lines = (line.strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


# --- PDF -------------------------------------------------------------------------------------


def _pdf_text(data: bytes, label: str, limits: Limits) -> str:
    try:
        from pypdf import PdfReader
    except ImportError as err:
        raise UnsupportedFormat("reading PDF needs pypdf (pip install unspin[io])", source=label) from err
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise CorruptFile("encrypted PDF (needs a password)", source=label)
        pages = reader.pages
        if len(pages) > limits.max_pages:
            raise ExtractionLimit(f"{len(pages)} pages, over the limit of {limits.max_pages} ($UNSPIN_MAX_PAGES)", source=label)
        return _pdf_pages_text(pages, label, limits)
    except InputError:
        raise
    except RecursionError:
        raise CorruptFile("cannot read PDF: objects nested too deep", source=label) from None
    except Exception as err:  # noqa: BLE001 - pypdf raises many types for broken files
        raise CorruptFile(f"cannot read PDF: {err}", source=label) from None


def _pdf_pages_text(pages, label: str, limits: Limits) -> str:
    texts: list[str] = []
    expanded = chars = 0
    for page in pages:
        contents = page.get_contents()
        expanded += len(contents.get_data()) if contents is not None else 0
        if expanded > limits.max_expanded_bytes:
            raise ExtractionLimit(f"page content streams expand past {limits.max_expanded_bytes} bytes"
                                  " ($UNSPIN_MAX_EXPANDED_BYTES)", source=label)
        text = (page.extract_text() or "").strip()
        chars += len(text)
        if chars > limits.max_chars:
            raise ExtractionLimit(f"over {limits.max_chars} characters extracted ($UNSPIN_MAX_CHARS)", source=label)
        if text:
            texts.append(text)
    return "\n\n".join(texts)


# --- DOCX ------------------------------------------------------------------------------------


def _docx_text(data: bytes, label: str, limits: Limits) -> str:
    """Body paragraphs, then table rows (cells joined by tabs), as python-docx gives them."""
    try:
        from lxml import etree
    except ImportError as err:
        raise UnsupportedFormat("reading DOCX needs lxml (pip install unspin[io])", source=label) from err
    xml = _docx_member(data, "word/document.xml", label, limits)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(xml, parser)
    except Exception as err:  # noqa: BLE001 - XMLSyntaxError and friends
        raise CorruptFile(f"cannot read DOCX: {err}", source=label) from None
    body = root.find(f"{_W}body")
    if body is None:
        return ""
    parts = [_paragraph_text(p) for p in body.iterchildren(f"{_W}p")]
    for table in body.iter(f"{_W}tbl"):
        for row in table.iterchildren(f"{_W}tr"):
            cells = ("\n".join(_paragraph_text(p) for p in cell.iter(f"{_W}p")) for cell in row.iterchildren(f"{_W}tc"))
            parts.append("\t".join(cells))
    return "\n\n".join(p.strip() for p in parts if p.strip())


def _docx_member(data: bytes, name: str, label: str, limits: Limits) -> bytes:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except Exception as err:  # noqa: BLE001 - BadZipFile, NotImplementedError (zip version), ValueError, OSError
        raise CorruptFile(f"cannot read DOCX: {err}", source=label) from None
    declared = sum(m.file_size for m in members)
    if declared > limits.max_expanded_bytes:
        raise ExtractionLimit(f"zip members expand to {declared} bytes, over the limit of {limits.max_expanded_bytes}"
                              " ($UNSPIN_MAX_EXPANDED_BYTES)", source=label)
    try:
        return archive.read(name)
    except KeyError:
        raise CorruptFile(f"cannot read DOCX: no {name} in the archive", source=label) from None
    except Exception as err:  # noqa: BLE001 - BadZipFile (CRC), zlib.error, NotImplementedError
        raise CorruptFile(f"cannot read DOCX: {err}", source=label) from None


def _paragraph_text(paragraph) -> str:
    out: list[str] = []
    for node in paragraph.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"):
        if node.tag == f"{_W}t":
            # an entity reference is a child node: the text after it is that node's tail
            out.append((node.text or "") + "".join(child.tail or "" for child in node))
        else:
            out.append("\t" if node.tag == f"{_W}tab" else "\n")
    return "".join(out)
