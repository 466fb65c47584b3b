"""One size policy for every way a document comes in: files, stdin, uploads and rows.

- `max_bytes`: the bytes of one document as read: a whole file, all of stdin, an upload, one
  JSONL line or CSV/parquet/JSON row's text (a large JSONL corpus is fine, one huge line is not);
- `max_expanded_bytes`: what a container may expand to while it is read: the declared sizes of
  a .docx's zip members, the decompressed content streams of a PDF's pages;
- `max_pages`: pages of one PDF;
- `max_chars`: characters extracted from one document.

Over `max_bytes` is U106; a container over the other caps is U110. Each cap is checked before
the memory is allocated. Defaults can be changed with $UNSPIN_MAX_BYTES, $UNSPIN_MAX_EXPANDED_BYTES,
$UNSPIN_MAX_PAGES and $UNSPIN_MAX_CHARS, and per command with --max-bytes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

DEFAULT_MAX_BYTES = 50_000_000


@dataclass(frozen=True)
class Limits:
    max_bytes: int = DEFAULT_MAX_BYTES
    max_expanded_bytes: int = 64_000_000
    max_pages: int = 2_000
    max_chars: int = 10_000_000

    @classmethod
    def from_env(cls, **overrides: int | None) -> "Limits":
        """The defaults, changed by $UNSPIN_MAX_* and then by the non-None `overrides`."""
        limits = cls()
        for name in ("max_bytes", "max_expanded_bytes", "max_pages", "max_chars"):
            value = os.environ.get(f"UNSPIN_{name.upper()}")
            if value and value.strip().isdigit():
                limits = replace(limits, **{name: int(value)})
        given = {k: v for k, v in overrides.items() if v is not None}
        return replace(limits, **given) if given else limits


BYTES_HINT = "raise it with --max-bytes or $UNSPIN_MAX_BYTES"
