"""What `unspin serve` requests and responses look like: a request body read into a `Submission`
(JSON {"text": ...} or a multipart upload), and the response models the API docs show.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any, Callable, Optional

from fastapi import Request
from pydantic import BaseModel, Field

from ..errors import InputError
from .limits import ApiError
from .settings import ServeSettings

UPLOAD_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf", ".docx")

UploadReader = Callable[[bytes, str], str]


# ----------------------------------------------------------------------------- request bodies


class TextRequest(BaseModel):
    text: str = Field(description="the text to restore or scan")
    doc_id: Optional[str] = Field(None, description="scan only: the id echoed back in the report")
    threshold: Optional[float] = Field(None, ge=0.0, le=1.0, description="restore only: confidence threshold")


@dataclasses.dataclass(frozen=True)
class Submission:
    """What a request asks for: a text, or an uploaded file still to be read."""

    text: str | None
    data: bytes | None = None
    filename: str = ""
    doc_id: str | None = None
    threshold: float | None = None

    def read(self, reader: UploadReader) -> str:
        text = self.text if self.data is None else reader(self.data, self.filename)
        if not text or not text.strip():
            raise InputError("no text to read", source=self.filename or None)
        return text


async def read_submission(request: Request, settings: ServeSettings) -> Submission:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json" or content_type.endswith("+json"):
        return _json_submission(await request.body())
    if content_type == "multipart/form-data":
        return await _form_submission(request, settings)
    raise ApiError(415, "unsupported_media_type",
                   "send application/json {\"text\": ...} or a multipart/form-data upload named 'file'")


def _json_submission(body: bytes) -> Submission:
    try:
        payload = json.loads(body)
    except RecursionError:
        raise ApiError(400, "invalid_json", "body is not acceptable JSON: nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError, bad UTF-8, an integer of more than 4,300 digits
        raise ApiError(400, "invalid_json", f"body is not valid JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise ApiError(422, "invalid_request", "body must be a JSON object with a 'text' field")
    try:
        req = TextRequest.model_validate(payload)
    except Exception as exc:  # pydantic.ValidationError
        raise ApiError(422, "invalid_request", _pydantic_message(exc)) from None
    for name in ("text", "doc_id"):
        _refuse_lone_surrogates(name, getattr(req, name))
    return Submission(text=req.text, doc_id=req.doc_id, threshold=req.threshold)


def _refuse_lone_surrogates(field: str, value: str | None) -> None:
    """JSON can spell half a UTF-16 pair ("\\ud800"); no text has one, and no answer could carry it."""
    if value is None:
        return
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ApiError(400, "invalid_text", f"{field}: a lone surrogate (U+{ord(value[exc.start]):04X}) at "
                                            f"character {exc.start} is not text") from None


def _pydantic_message(exc: Exception) -> str:
    errors = getattr(exc, "errors", lambda: [])()
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in errors) or str(exc)


async def _form_submission(request: Request, settings: ServeSettings) -> Submission:
    async with request.form(max_files=1, max_fields=8, max_part_size=settings.max_body_bytes) as form:
        upload = form.get("file")
        doc_id = _form_str(form.get("doc_id"))
        if upload is None or isinstance(upload, str):
            text = _form_str(form.get("text"))
            if text is None:
                raise ApiError(422, "invalid_request", "multipart body needs a 'file' (or a 'text' field)")
            return Submission(text=text, doc_id=doc_id)
        filename = Path(upload.filename or "upload.txt").name
        if not filename.lower().endswith(UPLOAD_SUFFIXES):
            raise ApiError(415, "unsupported_file_type", f"{filename}: upload one of {', '.join(UPLOAD_SUFFIXES)}")
        data = await upload.read()  # the spooled file is closed when the form is
    return Submission(text=None, data=data, filename=filename, doc_id=doc_id or filename)


def _form_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def default_upload_reader(data: bytes, filename: str, max_chars: int | None = None) -> str:
    """unspin.io.readers.read_text_input, imported when the first upload arrives. It runs in an
    engine worker, under the worker's memory cap and the request's deadline; the extraction caps
    of unspin.io (uncompressed member size, pages, characters) refuse bombs before they allocate."""
    try:
        from ..io.readers import read_text_input
    except ImportError:
        raise ApiError(501, "upload_unavailable", "this build cannot read uploaded files; paste the text") from None
    return read_text_input(data, filename, **extraction_caps(max_chars))


def extraction_caps(max_chars: int | None) -> dict[str, Any]:
    """unspin.io's caps for one upload ($UNSPIN_MAX_* as the CLI has them), with the server's
    own character limit; {} where unspin.io has no caps to set."""
    try:
        from ..io.limits import Limits
    except ImportError:
        return {}
    return {"limits": Limits.from_env(max_chars=max_chars)}


# ----------------------------------------------------------------------------- response docs


class AlternativeOut(BaseModel):
    text: str
    score: float


class EvidenceOut(BaseModel):
    sources: list[str]
    lm_gain: float
    channel: float
    doc_prior: float = 0.0


class EditOut(BaseModel):
    start: int = Field(description="code-point offset into the text")
    end: int
    observed: str
    suggestion: str = Field(description="the likely original wording")
    original: str = Field(description="deprecated alias of suggestion (removed in schema 2.0)", deprecated=True)
    confidence: float
    kind: str = Field(description="fingerprint | model")
    alternatives: list[AlternativeOut]
    evidence: Optional[EvidenceOut]
    message: str = Field(description="one sentence for a person")
    short_message: str


class RestorationOut(BaseModel):
    schema_version: str = Field(description="unspin's JSON schema version (unspin/data/schema/restore.json)")
    text: str
    restored: str
    words: int
    edits: list[EditOut]


class SpanOut(BaseModel):
    start: int
    end: int


class FindingOut(BaseModel):
    start: int = Field(description="code-point offset into the text")
    end: int
    span: SpanOut = Field(description="deprecated alias of start/end (removed in schema 2.0)", deprecated=True)
    observed: str
    suggestion: str
    kind: str = Field(description="fingerprint | model")
    confidence: float
    alternatives: list[AlternativeOut]
    evidence: dict[str, Any]
    rule: str
    message: str = Field(description="one sentence for a person")
    short_message: str


class DocReportOut(BaseModel):
    schema_version: str = Field(description="unspin's JSON schema version (unspin/data/schema/scan.json)")
    doc_id: str
    spin_probability: float
    spun: bool
    words: int
    findings: list[FindingOut]
    findings_per_1k: float
    error: Optional[str]
    reason: str = Field(description="one sentence: why the document got its score")


class ExtractOut(BaseModel):
    filename: str
    text: str
    chars: int


class ErrorOut(BaseModel):
    status: int
    code: str = Field(description="U1xx for unreadable input, otherwise e.g. body_too_large, busy, timeout")
    message: str


class HealthOut(BaseModel):
    status: str
    version: str
    in_flight: int
    max_in_flight: int
    max_body_bytes: int
    timeout_s: float


_ERRORS = {status: {"model": ErrorOut} for status in (400, 408, 413, 415, 421, 422, 503, 504)}


def _body_doc(upload_note: str) -> dict:
    upload_schema = {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary", "description": upload_note},
        "doc_id": {"type": "string"}}}
    return {"requestBody": {"required": True, "content": {
        "application/json": {"schema": TextRequest.model_json_schema()},
        "multipart/form-data": {"schema": upload_schema}}}}
