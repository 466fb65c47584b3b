"""Test documents built in memory (shared with the fuzzing seeds)."""

from unspin.bench.samples import make_docx, make_pdf, paragraphs  # noqa: F401
