"""Moved to `unspin.restorer.decode`; this name stays for one release."""

from .restorer.decode import BATCH_CONFIDENCE, DecodeConfig, Restorer, Site, load_restorer  # noqa: F401
