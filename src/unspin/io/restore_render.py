"""Render a Restoration as text, JSON, an inline diff, or a standalone HTML page."""

from __future__ import annotations

import html
import json

from ..types import Restoration

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>unspin restore</title>
<style>
body{{font:16px/1.6 system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem;color:#222}}
mark{{border-radius:3px;padding:0 2px;cursor:help}}
mark.hi{{background:#ffb3b3}} mark.mid{{background:#ffe0a3}} mark.lo{{background:#fff3c4}}
ins{{color:#075;text-decoration:none;font-weight:600}}
.summary{{color:#555}} pre{{white-space:pre-wrap}}
</style></head><body>
<h1>unspin: restored text</h1>
<p class="summary">{count} swapped words or phrases found in {words} words.
Hover a highlight for the proposed original, the alternatives and the evidence.</p>
<h2>Input, swaps highlighted</h2>
<pre>{marked}</pre>
<h2>Restored</h2>
<pre>{restored}</pre>
</body></html>
"""


def to_json(result: Restoration) -> str:
    from ..schema import versioned

    return json.dumps(versioned(result.to_dict()), ensure_ascii=False, indent=2)


def to_diff(result: Restoration) -> str:
    """The input with every swap marked [observed→original]."""
    pieces, cursor = [], 0
    for edit in sorted(result.edits, key=lambda e: e.span.start):
        pieces.append(result.text[cursor : edit.span.start])
        pieces.append(f"[{edit.observed}→{edit.original}]")
        cursor = edit.span.end
    pieces.append(result.text[cursor:])
    return "".join(pieces)


def to_html(result: Restoration) -> str:
    pieces, cursor = [], 0
    for edit in sorted(result.edits, key=lambda e: e.span.start):
        pieces.append(html.escape(result.text[cursor : edit.span.start]))
        level = "hi" if edit.confidence >= 0.8 else "mid" if edit.confidence >= 0.5 else "lo"
        alternatives = ", ".join(f"{a.text} ({a.score:.2f})" for a in edit.alternatives)
        evidence = edit.evidence
        why = f"; sources: {', '.join(evidence.sources)}; LM gain {evidence.lm_gain:.1f}" if evidence else ""
        tip = f"original: {edit.original} (confidence {edit.confidence:.2f}); alternatives: {alternatives}{why}"
        pieces.append(
            f'<mark class="{level}" title="{html.escape(tip)}">{html.escape(edit.observed)}</mark>'
            f"<ins> [{html.escape(edit.original)}]</ins>"
        )
        cursor = edit.span.end
    pieces.append(html.escape(result.text[cursor:]))
    return _PAGE.format(count=len(result.edits), words=result.words, marked="".join(pieces), restored=html.escape(result.restored))


RENDERERS = {"text": lambda r: r.restored, "json": to_json, "diff": to_diff, "html": to_html}
