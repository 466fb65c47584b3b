"""A standalone HTML report of a scan: corpus summary, then each document with its findings
highlighted. One file, no external scripts, fonts or images (the histogram is an inline PNG).

    html = render_report([r.to_dict() for r in reports], {doc.doc_id: doc.text for doc in docs})
"""

from __future__ import annotations

import base64
import io
import zlib
from collections import Counter
from html import escape
from typing import Any, Iterable, Sequence

from ..messages import finding_message, found_by, plural, score_reason
from .report_style import legend, numbers_table, stylesheet

TOP_PHRASES = 25
_CONFIDENCE_LEVELS = ((0.8, "high"), (0.5, "medium"), (0.0, "low"))




def render_report(
    reports: Sequence[dict[str, Any]],
    texts: dict[str, str],
    *,
    title: str = "unspin scan report",
    max_sections: int | None = None,
) -> str:
    """One standalone HTML page for `reports` (DocReport dicts) over `texts` (doc_id -> text).

    `max_sections` keeps only that many document sections (the most likely spun first) for
    very large corpora; the summary always covers every report.
    """
    ok = [r for r in reports if not r.get("error")]
    failed = [r for r in reports if r.get("error")]
    shown = _sections_to_show(reports, max_sections)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{stylesheet()}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        _summary(reports, ok, failed),
        _histogram(ok),
        _phrase_table(ok),
        _document_index(ok),
        _legend(),
        '<h2 id="documents">Documents</h2>',
    ]
    if max_sections is not None and len(shown) < len(reports):
        parts.append(f'<p class="meta">Showing {len(shown)} of {len(reports)} documents, most likely spun first.</p>')
    parts.extend(_document_section(r, texts.get(str(r.get("doc_id", ""))), i) for i, r in shown)
    parts.append(_error_list(failed))
    parts.append("</body></html>")
    return "\n".join(p for p in parts if p)


# --- summary ---------------------------------------------------------------------------------


def _summary(reports: Sequence[dict[str, Any]], ok: list[dict[str, Any]], failed: list[dict[str, Any]]) -> str:
    spun = sum(1 for r in ok if r.get("spun"))
    findings = sum(len(r.get("findings") or ()) for r in ok)
    words = sum(int(r.get("words") or 0) for r in ok)
    probabilities = [float(r.get("spin_probability") or 0.0) for r in ok]
    mean = sum(probabilities) / len(probabilities) if probabilities else 0.0
    stats = [
        ("documents", f"{len(reports)}"),
        ("spun", f"{spun}"),
        ("errors", f"{len(failed)}"),
        ("findings", f"{findings}"),
        ("words", f"{words:,}"),
        ("mean spin probability", f"{mean:.2f}"),
    ]
    cells = "".join(f'<div class="stat"><b>{escape(v)}</b>{escape(k)}</div>' for k, v in stats)
    return f'<h2 id="summary">Summary</h2><div class="stats">{cells}</div>'


def _histogram(ok: list[dict[str, Any]]) -> str:
    probabilities = [min(max(float(r.get("spin_probability") or 0.0), 0.0), 1.0) for r in ok]
    if not probabilities:
        return ""
    try:
        png = _histogram_png(probabilities)
    except ImportError:
        return _histogram_table(probabilities)
    data = base64.b64encode(png).decode("ascii")
    return (
        "<h3>Spin probability</h3>"
        f'<img alt="histogram of spin probability over {len(probabilities)} documents" '
        f'src="data:image/png;base64,{data}" width="640">'
    )


def _histogram_png(probabilities: list[float]) -> bytes:
    from matplotlib.figure import Figure  # no pyplot: no global backend state, thread-safe
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(6.4, 2.6), dpi=100)
    axes = figure.add_subplot()
    axes.hist(probabilities, bins=20, range=(0.0, 1.0), color="#5c6bc0", edgecolor="white")
    axes.set_xlabel("spin probability")
    axes.set_ylabel("documents")
    axes.set_xlim(0.0, 1.0)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _histogram_table(probabilities: list[float]) -> str:
    bins = Counter(min(int(p * 10), 9) for p in probabilities)
    most = max(bins.values())
    rows = "".join(
        f'<tr><td>{b / 10:.1f}–{(b + 1) / 10:.1f}</td><td class="num">{bins.get(b, 0)}</td>'
        f'<td class="bar" style="width:20em"><div style="width:{100 * bins.get(b, 0) / most:.0f}%"></div></td></tr>'
        for b in range(10)
    )
    return f'<h3>Spin probability</h3><table class="bars"><tr><th>range</th><th>documents</th><th></th></tr>{rows}</table>'


def _phrase_table(ok: list[dict[str, Any]]) -> str:
    counts: Counter[tuple[str, str, str]] = Counter()
    docs_with: dict[tuple[str, str, str], set[str]] = {}
    for report in ok:
        for finding in report.get("findings") or ():
            key = (
                str(finding.get("observed", "")).lower(),
                str(finding.get("suggestion", "")).lower(),
                str(finding.get("kind", "")),
            )
            counts[key] += 1
            docs_with.setdefault(key, set()).add(str(report.get("doc_id")))
    if not counts:
        return "<h3>Most frequent tortured phrases</h3><p>No findings.</p>"
    rows = "".join(
        f"<tr><td>{escape(observed)}</td><td>{escape(suggestion)}</td><td>{escape(kind)}</td>"
        f'<td class="num">{n}</td><td class="num">{len(docs_with[(observed, suggestion, kind)])}</td></tr>'
        for (observed, suggestion, kind), n in counts.most_common(TOP_PHRASES)
    )
    return (
        "<h3>Most frequent tortured phrases</h3><table class=\"phrases\">"
        "<tr><th>observed</th><th>likely original</th><th>kind</th><th>times</th><th>documents</th></tr>"
        f"{rows}</table>"
    )


def _document_index(ok: list[dict[str, Any]]) -> str:
    if len(ok) < 2:
        return ""
    ranked = sorted(enumerate(ok), key=lambda item: -float(item[1].get("spin_probability") or 0.0))
    rows = "".join(
        f'<tr><td><a href="#{_anchor(r)}">{escape(str(r.get("doc_id")))}</a></td>'
        f'<td class="num">{float(r.get("spin_probability") or 0.0):.2f}</td>'
        f'<td class="num">{len(r.get("findings") or ())}</td><td class="num">{int(r.get("words") or 0)}</td></tr>'
        for _, r in ranked[:200]
    )
    note = f'<p class="meta">Top 200 of {len(ok)}.</p>' if len(ok) > 200 else ""
    state = " open" if len(ok) <= 20 else ""
    return (
        f"<details{state}><summary><b>Documents by spin probability</b></summary><table>"
        "<tr><th>document</th><th>spin probability</th><th>findings</th><th>words</th></tr>"
        f"{rows}</table>{note}</details>"
    )


def _legend() -> str:
    return legend()


# --- one document ----------------------------------------------------------------------------


def _sections_to_show(reports: Sequence[dict[str, Any]], max_sections: int | None) -> list[tuple[int, dict[str, Any]]]:
    indexed = [(i, r) for i, r in enumerate(reports) if not r.get("error")]
    if max_sections is None or len(indexed) <= max_sections:
        return indexed
    ranked = sorted(indexed, key=lambda item: -float(item[1].get("spin_probability") or 0.0))[:max_sections]
    return sorted(ranked, key=lambda item: item[0])


def _document_section(report: dict[str, Any], text: str | None, index: int) -> str:
    doc_id = str(report.get("doc_id", ""))
    findings = list(report.get("findings") or ())
    spun = bool(report.get("spun"))
    state = "spun" if spun else "clean"
    header = (
        f'<section class="doc {state}" id="{_anchor(report)}">'
        f'<h3>{escape(doc_id)} <span class="badge {state}">{state}</span></h3>'
        f'<p class="meta">spin probability {float(report.get("spin_probability") or 0.0):.2f} · '
        f'{int(report.get("words") or 0):,} words · {plural(len(findings), "finding")} · '
        f'{float(report.get("findings_per_1k") or 0.0):.1f} per 1,000 words</p>'
        f'<p class="reason">{escape(_reason(report))}</p>'
    )
    if text is None:
        body = _finding_list(findings) + '<p class="meta">(text not available)</p>'
    else:
        body = f'<div class="text">{highlight(text, findings)}</div>'
        findings = _placeable(text, findings)  # the details list what is highlighted
    return header + body + _numbers(findings) + "</section>"


def _numbers(findings: list[dict[str, Any]]) -> str:
    rows = []
    for f in findings:
        observed, suggestion, kind, rule = (str(f.get(k, "") or "") for k in ("observed", "suggestion", "kind", "rule"))
        message = f.get("message") or finding_message(observed, suggestion, kind, rule).message
        alternatives = ", ".join(f"{a.get('text', '')} {float(a.get('score') or 0.0):.2f}" for a in f.get("alternatives") or ())
        evidence = "; ".join(f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}"
                             for k, v in (f.get("evidence") or {}).items() if not isinstance(v, (dict, list)))
        rows.append((observed, suggestion, str(message), float(f.get("confidence") or 0.0),
                     found_by(kind, rule) + (f" ({rule})" if rule else ""), " · ".join(x for x in (alternatives, evidence) if x)))
    return numbers_table(rows)


def _reason(report: dict[str, Any]) -> str:
    return str(report.get("reason") or score_reason(float(report.get("spin_probability") or 0.0), bool(report.get("spun")),
                                                    int(report.get("words") or 0), report.get("findings") or ()))


def highlight(text: str, findings: Iterable[dict[str, Any]]) -> str:
    """`text` as escaped HTML with each finding wrapped in a <mark> (overlaps: first wins)."""
    pieces: list[str] = []
    cursor = 0
    for finding in _placeable(text, findings):
        start, end = _span(finding)
        pieces.append(escape(text[cursor:start]))
        pieces.append(
            f'<mark class="{_level(finding)} {escape(str(finding.get("kind", "")))}" '
            f'title="{escape(_tooltip(finding), quote=True)}">{escape(text[start:end])}</mark>'
        )
        cursor = end
    pieces.append(escape(text[cursor:]))
    return "".join(pieces)


def _placeable(text: str, findings: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    candidates = []
    for finding in findings:
        start, end = _span(finding)
        if 0 <= start < end <= len(text):
            candidates.append(finding)
    candidates.sort(key=lambda f: (_span(f)[0], -float(f.get("confidence") or 0.0)))
    placed: list[dict[str, Any]] = []
    last_end = 0
    for finding in candidates:
        start, end = _span(finding)
        if start >= last_end:
            placed.append(finding)
            last_end = end
    return placed


def _span(finding: dict[str, Any]) -> tuple[int, int]:
    span = finding.get("span") or {}
    start = span.get("start", finding.get("start", -1))
    end = span.get("end", finding.get("end", -1))
    return int(start), int(end)


def _level(finding: dict[str, Any]) -> str:
    confidence = float(finding.get("confidence") or 0.0)
    return next(name for floor, name in _CONFIDENCE_LEVELS if confidence >= floor)


def _tooltip(finding: dict[str, Any]) -> str:
    message = finding.get("message") or finding_message(str(finding.get("observed", "")), str(finding.get("suggestion", "")),
                                                        str(finding.get("kind", "")), str(finding.get("rule", ""))).message
    lines = [message, f"→ {finding.get('suggestion', '')}  (confidence {float(finding.get('confidence') or 0.0):.2f})"]
    alternatives = finding.get("alternatives") or ()
    if alternatives:
        listed = ", ".join(f"{a.get('text', '')} {float(a.get('score') or 0.0):.2f}" for a in alternatives[:5])
        lines.append(f"alternatives: {listed}")
    kind, rule = finding.get("kind"), finding.get("rule")
    if kind or rule:
        lines.append(f"{kind or ''}{': ' + str(rule) if rule else ''}")
    return "\n".join(lines)


def _finding_list(findings: list[dict[str, Any]]) -> str:
    if not findings:
        return ""
    rows = "".join(
        f'<tr><td><mark class="{_level(f)}">{escape(str(f.get("observed", "")))}</mark></td>'
        f'<td>{escape(str(f.get("suggestion", "")))}</td><td class="num">{float(f.get("confidence") or 0.0):.2f}</td></tr>'
        for f in findings
    )
    return f"<table><tr><th>observed</th><th>likely original</th><th>confidence</th></tr>{rows}</table>"


def _error_list(failed: list[dict[str, Any]]) -> str:
    if not failed:
        return ""
    items = "".join(
        f'<li><b>{escape(str(r.get("doc_id", "")))}</b>: <span class="error">{escape(str(r.get("error")))}</span></li>'
        for r in failed
    )
    return f'<h2 id="errors">Documents that could not be read ({len(failed)})</h2><ul>{items}</ul>'


def _anchor(report: dict[str, Any]) -> str:
    doc_id = str(report.get("doc_id", ""))
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in doc_id)[:60]
    return f"doc-{safe}-{zlib.crc32(doc_id.encode('utf-8')):08x}"
