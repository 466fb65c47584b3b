"""A LanguageTool-compatible endpoint: `POST /v2/check` and `GET /v2/languages`.

LanguageTool's add-ons for browsers, LibreOffice and editors (and clients such as
`language-tool-python`) can be pointed at a local unspin server as their "remote server":
every finding of `scan` comes back as a LanguageTool match, with offsets and lengths in UTF-16
code units as LanguageTool counts them. Input is form-encoded, as LanguageTool takes it:
`text=...` or `data={"annotation": [{"text": ...}, {"markup": ...}]}`, plus `language`.
Markup is blanked out (same length) so offsets stay those of the whole annotated document.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ..messages import finding_message, found_by
from ..text import sentences, tokenize, utf16_offsets
from ..types import DocReport, Finding
from .limits import ApiError
from .schemas import Submission

VERSION = "0.1.0"
LANGUAGES = [
    {"name": "English", "code": "en", "longCode": "en"},
    {"name": "English (US)", "code": "en", "longCode": "en-US"},
    {"name": "English (GB)", "code": "en", "longCode": "en-GB"},
    {"name": "English (Australia)", "code": "en", "longCode": "en-AU"},
    {"name": "English (Canada)", "code": "en", "longCode": "en-CA"},
]
_LONG_CODES = {lang["longCode"].lower(): lang for lang in LANGUAGES}
CATEGORY = {"id": "UNSPIN", "name": "Spun text (tortured phrases)"}
RULES = {
    "fingerprint": ("UNSPIN_KNOWN_TORTURED_PHRASE", "Known tortured phrase from a published list"),
    "model": ("UNSPIN_LIKELY_SWAP", "Wording a synonym-swapping tool typically produces"),
}
CONTEXT_CHARS = 40  # LanguageTool's context window on each side

router = APIRouter(prefix="/v2", tags=["languagetool"])


@router.get("/languages", summary="Languages the LanguageTool-compatible endpoint checks")
async def languages() -> list[dict[str, str]]:
    return LANGUAGES


@router.post("/check", summary="Check a text, answering in LanguageTool's format",
             description="Form fields as LanguageTool takes them: text or data (annotated JSON), language "
                         "(en, en-US, en-GB, ... or auto). Offsets and lengths count UTF-16 code units.")
async def check(request: Request) -> JSONResponse:
    fields = await _form(request)
    text = _text_of(fields)
    language = _language(fields.get("language", ""))
    report: DocReport = await request.app.state.pool.run("scan_report", Submission(text=text))
    return JSONResponse(check_response(text, report, language))


def check_response(text: str, report: DocReport, language: dict[str, str]) -> dict[str, Any]:
    """LanguageTool's /v2/check answer for a scan report of `text`."""
    units = utf16_offsets(text)
    bounds = _sentence_bounds(text)
    matches = [_match(text, f, units, bounds) for f in report.findings]
    return {
        "software": {"name": "unspin", "version": VERSION, "buildDate": "", "apiVersion": 1,
                     "premium": False, "status": ""},
        "warnings": {"incompleteResults": False},
        "language": {**_language_out(language),
                     "detectedLanguage": {**_language_out(language), "confidence": 1.0}},
        "matches": matches,
        "unspin": {"spin_probability": report.spin_probability, "spun": report.spun, "words": report.words},
    }


def _match(text: str, f: Finding, units: list[int], bounds: list[tuple[int, int]]) -> dict[str, Any]:
    kind = getattr(f.kind, "value", f.kind)
    start, end = f.span.start, f.span.end
    words = finding_message(f.observed, f.suggestion, kind, f.rule)
    message, short = (getattr(f, "message", "") or words.message), (getattr(f, "short_message", "") or words.short)
    rule_id, description = RULES.get(kind, RULES["model"])
    replacements = [f.suggestion] + [a.text for a in f.alternatives]
    seen: set[str] = set()
    values = [r for r in replacements if r and r.lower() != f.observed.lower() and not (r.lower() in seen or seen.add(r.lower()))]
    lo, hi = max(0, start - CONTEXT_CHARS), min(len(text), end + CONTEXT_CHARS)
    s_lo, s_hi = next(((a, b) for a, b in bounds if a <= start < b), (lo, hi))
    return {
        "message": message,
        "shortMessage": short,
        "replacements": [{"value": v} for v in values],
        "offset": units[start],
        "length": units[end] - units[start],
        "context": {"text": text[lo:hi], "offset": units[start] - units[lo], "length": units[end] - units[start]},
        "sentence": text[s_lo:s_hi].strip(),
        "type": {"typeName": "Hint"},
        "rule": {"id": rule_id, "subId": f.rule or kind, "description": description, "issueType": "style",
                 "category": dict(CATEGORY)},
        "ignoreForIncompleteSentence": False,
        "contextForSureMatch": 0,
        "unspin": {"confidence": f.confidence, "kind": kind, "found_by": found_by(kind, f.rule),
                   "observed": f.observed, "suggestion": f.suggestion},
    }


def _sentence_bounds(text: str) -> list[tuple[int, int]]:
    return [(s[0].start, s[-1].end) for s in sentences(tokenize(text), text) if s]


async def _form(request: Request) -> dict[str, str]:
    """The form fields, from an urlencoded body (or the query string, as LanguageTool allows)."""
    body = (await request.body()).decode("utf-8", errors="replace")
    fields = {k: v[0] for k, v in parse_qs(request.url.query).items()}
    content_type = request.headers.get("content-type", "")
    if body and "multipart/form-data" in content_type:
        form = await request.form()
        fields.update({k: v for k, v in form.items() if isinstance(v, str)})
    elif body:
        fields.update({k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()})
    return fields


def _text_of(fields: dict[str, str]) -> str:
    if "text" in fields:
        text = fields["text"]
    elif "data" in fields:
        text = _annotated_text(fields["data"])
    else:
        raise ApiError(400, "bad_request", "give the text to check as the form field text or data")
    if not text.strip():
        raise ApiError(400, "bad_request", "the text to check is empty")
    return text


def _annotated_text(data: str) -> str:
    try:
        parts = json.loads(data)["annotation"]
        pieces = []
        for part in parts:
            if "text" in part:
                pieces.append(str(part["text"]))
            else:  # keep markup's length (so offsets are the document's) but not its words
                pieces.append("".join(c if c == "\n" else " " for c in str(part.get("markup", ""))))
        return "".join(pieces)
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ApiError(400, "bad_request", 'data must be JSON: {"annotation": [{"text": ...}, {"markup": ...}]}') from None


def _language(code: str) -> dict[str, str]:
    code = (code or "auto").strip()
    if code.lower() in ("auto", "en"):
        return LANGUAGES[1] if code.lower() == "auto" else LANGUAGES[0]
    known = _LONG_CODES.get(code.lower())
    if known is None:
        valid = ", ".join(["auto"] + [lang["longCode"] for lang in LANGUAGES])
        raise ApiError(400, "bad_request", f"unspin checks English only: language {code!r} is not one of {valid}")
    return known


def _language_out(language: dict[str, str]) -> dict[str, str]:
    return {"name": language["name"], "code": language["longCode"]}


__all__ = ["LANGUAGES", "check_response", "router"]
