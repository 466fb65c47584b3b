"""Moved to `unspin.engine.channel`; this name stays for one release."""

from .engine.channel import Channel  # noqa: F401
