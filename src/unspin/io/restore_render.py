"""Render a Restoration as text, JSON, an inline diff, or a standalone HTML page."""

from __future__ import annotations

import html
import json

from ..types import Restoration




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
    from ..messages import finding_message, plural
    from .report_style import legend, level, numbers_table, page

    pieces, cursor, rows = [], 0, []
    for edit in sorted(result.edits, key=lambda e: e.span.start):
        pieces.append(html.escape(result.text[cursor : edit.span.start]))
        evidence = edit.evidence
        listed = evidence is not None and "fingerprint" in evidence.sources
        message = finding_message(edit.observed, edit.original, "fingerprint" if listed else "model").message
        alternatives = ", ".join(f"{a.text} {a.score:.2f}" for a in edit.alternatives)
        why = f"sources {', '.join(evidence.sources)}; LM gain {evidence.lm_gain:.2f}; channel {evidence.channel:.2f}" if evidence else ""
        pieces.append(
            f'<mark class="{level(edit.confidence)}{" fingerprint" if listed else ""}" title="{html.escape(message)}">'
            f"{html.escape(edit.observed)}</mark><ins> [{html.escape(edit.original)}]</ins>"
        )
        rows.append((edit.observed, edit.original, message, edit.confidence,
                     "list of known tortured phrases" if listed else "restorer",
                     " · ".join(x for x in (alternatives, why) if x)))
        cursor = edit.span.end
    pieces.append(html.escape(result.text[cursor:]))
    body = (f"<h1>unspin: restored text</h1><p class=\"summary\">{plural(len(result.edits), 'swapped word or phrase', 'swapped words or phrases')} "
            f"found in {result.words:,} words.</p>{legend()}"
            f'<h2>Input, swaps highlighted</h2><div class="text">{"".join(pieces)}</div>{numbers_table(rows)}'
            f'<h2>Restored</h2><div class="text">{html.escape(result.restored)}</div>')
    return page("unspin restore", body)


RENDERERS = {"text": lambda r: r.restored, "json": to_json, "diff": to_diff, "html": to_html}
