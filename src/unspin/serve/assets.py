"""What the page takes from the core for its downloaded report: the stylesheet and the legend
every unspin report shares (`unspin.io.report_style`)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, PlainTextResponse

from ..io.report_style import legend, stylesheet

router = APIRouter(include_in_schema=False)


@router.get("/report.css")
async def report_css() -> PlainTextResponse:
    return PlainTextResponse(stylesheet(), media_type="text/css")


@router.get("/report-legend.html")
async def report_legend() -> HTMLResponse:
    return HTMLResponse(legend())
