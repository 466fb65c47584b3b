"""One stylesheet and legend for every report: scan, restore, trace and the page's download."""

from __future__ import annotations

import pytest

from fakes import FakeRestorer
from unspin.io.report_html import render_report
from unspin.io.report_style import legend, stylesheet
from unspin.io.restore_render import to_html

SPUN = "The corporate said counterfeit consciousness would lift gross sales."


def test_scan_and_restore_reports_embed_the_same_stylesheet_and_legend():
    restored = to_html(FakeRestorer().restore(SPUN))
    scanned = render_report([{"doc_id": "d", "spin_probability": 0.9, "spun": True, "words": 9, "findings": [],
                              "findings_per_1k": 0.0}], {"d": SPUN})
    for page in (restored, scanned):
        assert stylesheet() in page and legend() in page
    assert '<details class="numbers">' in restored and "Unusual wording: spinners turn" in restored


def test_the_server_hands_the_page_the_same_files():
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from unspin.serve.app import create_app
    from unspin.serve.settings import ServeSettings

    restorer = FakeRestorer()
    with TestClient(create_app(restorer, lambda text: None, ServeSettings()), base_url="http://127.0.0.1:8000") as client:
        css = client.get("/report.css")
        assert css.status_code == 200 and css.text == stylesheet() and css.headers["content-type"].startswith("text/css")
        assert client.get("/report-legend.html").text == legend()
