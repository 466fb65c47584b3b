"""unspin.io.report_html: a standalone page with highlighted findings, everything escaped."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from unspin.io.report_html import highlight, render_report
from unspin.types import Alternative, DocReport, Finding, FindingKind, Span

TEXT = "The corporate said gross sales fell 4 p.c. <script>alert(1)</script> & more."


def finding(start: int, end: int, suggestion: str, confidence: float, kind=FindingKind.MODEL, alternatives=()) -> Finding:
    return Finding(Span(start, end), TEXT[start:end], suggestion, kind, confidence, tuple(alternatives), {}, "moby")


def reports() -> list[dict]:
    spun = DocReport(
        "doc<1>",
        0.93,
        True,
        14,
        (
            finding(4, 13, "company", 0.91, alternatives=[Alternative("firm", 0.05), Alternative('"quoted"', 0.01)]),
            finding(19, 30, "sales", 0.6, kind=FindingKind.FINGERPRINT),
            finding(21, 30, "overlapping", 0.99),  # overlaps the previous one: not highlighted
            finding(38, 42, "percent", 0.3),
        ),
        285.7,
    )
    clean = DocReport("clean", 0.05, False, 5, (), 0.0)
    broken = DocReport("bad.pdf", 0.0, False, 0, (), 0.0, error="U103 bad.pdf: no text layer <scan>")
    return [spun.to_dict(), clean.to_dict(), broken.to_dict(), {"doc_id": "crash", "error": "U000 crash: step failed"}]


@pytest.fixture(scope="module")
def page() -> str:
    return render_report(reports(), {"doc<1>": TEXT, "clean": "Nothing to see."}, title="Scan <test>")


def test_page_is_standalone(page):
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert not re.search(r"""(src|href)=["'](https?:)?//""", page)
    assert "@import" not in page and "<link" not in page


def test_page_parses_and_tags_balance(page):
    class Balance(HTMLParser):
        def __init__(self):
            super().__init__()
            self.open: dict[str, int] = {}

        def handle_starttag(self, tag, attrs):
            self.open[tag] = self.open.get(tag, 0) + 1

        def handle_endtag(self, tag):
            self.open[tag] = self.open.get(tag, 0) - 1

    parser = Balance()
    parser.feed(page)
    assert {t: n for t, n in parser.open.items() if n and t not in ("meta", "img", "br")} == {}
    assert parser.open.get("script", 0) == 0


def test_summary_counts(page):
    assert re.search(r"<b>4</b>documents", page)
    assert re.search(r"<b>1</b>spun", page) and re.search(r"<b>2</b>errors", page)


def test_histogram_is_an_inline_png(page):
    assert re.search(r'src="data:image/png;base64,[A-Za-z0-9+/=]{200,}"', page)


def test_phrase_table(page):
    table = page[page.index('class="phrases"') :]
    assert "<td>corporate</td><td>company</td>" in table


def test_findings_are_highlighted_with_tooltips(page):
    mark = re.search(r'<mark class="high model" title="([^"]*)">corporate</mark>', page)
    assert mark is not None
    assert "→ company" in mark.group(1) and "firm 0.05" in mark.group(1) and "&quot;quoted&quot;" in mark.group(1)
    assert '<mark class="medium fingerprint"' in page and '<mark class="low model"' in page
    section = page[page.index('<section class="doc spun"') :]
    assert ">gross sales</mark>" in section and "overlapping" not in section and ">p.c.</mark>" in section


def test_everything_is_escaped(page):
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more." in page
    assert "doc&lt;1&gt;" in page and "Scan &lt;test&gt;" in page and "no text layer &lt;scan&gt;" in page


def test_errors_are_listed_with_their_reason(page):
    errors = page[page.index('id="errors"') :]
    assert "bad.pdf" in errors and "U000 crash: step failed" in errors


def test_highlight_skips_spans_outside_the_text():
    bad = {"span": {"start": 5, "end": 500}, "suggestion": "x", "confidence": 1.0}
    assert highlight("short text", [bad]) == "short text"


def test_report_without_text_lists_findings_and_caps_sections():
    many = [DocReport(f"d{i}", i / 10, i > 5, 10, (), 0.0).to_dict() for i in range(10)]
    html = render_report(many, {}, max_sections=3)
    assert html.count('<section class="doc') == 3 and "Showing 3 of 10" in html
    assert 'id="doc-d9-' in html and 'id="doc-d0-' not in html


def test_empty_report():
    html = render_report([], {})
    assert "<b>0</b>documents" in html and "No findings" in html


def test_counts_are_singular_when_one_and_a_score_has_a_reason():
    one = DocReport("one", 0.99, True, 5, (finding(19, 30, "sales", 0.9, kind=FindingKind.FINGERPRINT),), 200.0)
    html = render_report([one.to_dict()], {"one": TEXT})
    assert "1 finding ·" in html and "1 findings" not in html
    reason = re.search(r'<p class="reason">([^<]+)</p>', html).group(1)
    assert "1 known tortured phrase" in reason and "99%" in reason
    assert "Known tortured phrase for &#x27;sales&#x27;" in html or "Known tortured phrase for 'sales'" in html
