"""Reading documents in and writing records out (heavy format libraries load on first use)."""

from unspin.io.limits import Limits
from unspin.io.readers import iter_documents, read_document, read_text_input, walk_directory
from unspin.io.report_html import render_report
from unspin.io.writers import FORMATS, Writer, format_from_path, open_writer

__all__ = [
    "FORMATS",
    "Limits",
    "Writer",
    "format_from_path",
    "iter_documents",
    "open_writer",
    "read_document",
    "read_text_input",
    "render_report",
    "walk_directory",
]
