"""Moved to `unspin.restorer.rerank`; this name stays for one release."""

from .restorer.rerank import rerank_sites  # noqa: F401
