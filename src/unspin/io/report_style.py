"""The one stylesheet and legend every HTML report shares (scan, restore, trace, and the web
page's downloaded report, which fetches the same file from the server)."""

from __future__ import annotations

from functools import lru_cache
from html import escape
from pathlib import Path

STYLESHEET_PATH = Path(__file__).resolve().parents[1] / "data" / "report.css"
LEVELS = ((0.8, "high"), (0.5, "medium"), (0.0, "low"))


@lru_cache(maxsize=1)
def stylesheet() -> str:
    return STYLESHEET_PATH.read_text(encoding="utf-8")


def level(confidence: float) -> str:
    return next(name for floor, name in LEVELS if confidence >= floor)


def legend(*, trace: bool = False) -> str:
    """What the colours mean. Trace reports colour alignment segments instead of confidence."""
    if trace:
        return ('<p class="legend"><span class="swap">swapped word</span><span class="rewrite">rewritten phrase</span>'
                '<span class="inserted">not in the source</span><span class="deleted">left out of the copy</span>'
                "· hover a highlight for the other side.</p>")
    return ('<p class="legend">Confidence: <mark class="high">high ≥ 0.8</mark><mark class="medium">medium ≥ 0.5</mark>'
            '<mark class="low">low</mark> (outlined: a known tortured phrase from a published list). '
            "Hover a highlight for its message; the numbers are under <i>Details</i>.</p>")


def numbers_table(rows: list[tuple[str, str, str, float, str, str]]) -> str:
    """A details toggle with each change's numbers: (observed, suggestion, message, confidence, found by, more)."""
    if not rows:
        return ""
    body = "".join(
        f"<tr><td>{escape(o)}</td><td>{escape(s)}</td><td>{escape(m)}</td><td class=\"num\">{c:.2f}</td>"
        f"<td>{escape(b)}</td><td>{escape(x)}</td></tr>" for o, s, m, c, b, x in rows)
    return ('<details class="numbers"><summary>Details: the numbers behind each change</summary><table>'
            "<tr><th>found</th><th>likely original</th><th>message</th><th>confidence</th><th>found by</th>"
            f"<th>alternatives, evidence</th></tr>{body}</table></details>")


def page(title: str, body: str) -> str:
    return ('<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{stylesheet()}</style></head><body>\n{body}\n</body></html>\n")


__all__ = ["LEVELS", "STYLESHEET_PATH", "legend", "level", "numbers_table", "page", "stylesheet"]
