"""The `unspin serve` web service: a JSON API and a local page, with the engines injected.

    app = create_app(restorer, scanner, settings)   # engines already loaded (tests, benchmarks)
    app = build_default_app(settings)                # loads the restorer and the screener at start

Engines are CPU-bound and synchronous: every restore, scan or file extraction runs in one of
`max_in_flight` worker processes (`unspin.serve.workers`), forked once the engines are loaded.
A call finding every worker busy (and the queue full) is refused with 503 + Retry-After; a call
past its time limit is answered 504 and its worker is killed and replaced, so the slot is free at
once (a body arriving slower than that: 408). Bodies over `max_body_bytes` are refused (413) from
Content-Length or as soon as the streamed bytes pass it; texts over `max_text_chars` too.
Every error is JSON: {"status": 413, "code": "body_too_large", "message": "..."}, and every
response, a 500 included, carries the security headers and comes only for this server's Host.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import json
import logging
import math
import os
import socket
import threading
from contextlib import asynccontextmanager, nullcontext
from pathlib import Path
from typing import Any, Callable, Protocol

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..schema import versioned
from ..types import DocReport, Restoration
from .assets import router as assets_router
from .languagetool import router as languagetool_router
from .limits import BodyTooLarge  # noqa: F401 - re-exported from unspin.serve.app
from .limits import ApiError, BodyLimit, _human_bytes, check_text_length, from_unspin_error
from .middleware import HostCheck, SecurityHeaders  # noqa: F401 - SecurityHeaders re-exported
from .schemas import (
    _ERRORS,
    UPLOAD_SUFFIXES,
    DocReportOut,
    ExtractOut,
    HealthOut,
    RestorationOut,
    Submission,
    UploadReader,
    _body_doc,
    default_upload_reader,
    read_submission,
)
from .settings import ServeSettings
from .workers import Op, WorkerPool

log = logging.getLogger("unspin.serve")

STATIC_DIR = Path(__file__).parent / "static"
VERSION = "0.1.0"

Scanner = Callable[[str], DocReport]


class RestorerLike(Protocol):
    def restore(self, text: str, threshold: float | None = None) -> Restoration: ...


@dataclasses.dataclass(frozen=True)
class Engines:
    """The models, loaded once per process and shared by every request."""

    restorer: RestorerLike
    scanner: Scanner
    lock: threading.Lock | None = None  # set when the restorer says it is not thread-safe

    def restore(self, text: str, threshold: float | None) -> Restoration:
        with self._guard():
            return self.restorer.restore(text, threshold=threshold)

    def scan(self, text: str) -> DocReport:
        with self._guard():
            return self.scanner(text)

    def _guard(self) -> Any:
        return self.lock if self.lock is not None else nullcontext()


def engines_for(restorer: RestorerLike, scanner: Scanner, *, thread_safe: bool | None = None) -> Engines:
    """Serialize engine calls unless they are thread-safe: `thread_safe`, else the restorer's own
    `thread_safe` attribute, else assumed safe."""
    safe = getattr(restorer, "thread_safe", True) if thread_safe is None else thread_safe
    return Engines(restorer, scanner, None if safe else threading.Lock())


# ----------------------------------------------------------------------------- errors


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"status": status, "code": code, "message": message}, status, headers=headers)


_from_unspin_error = from_unspin_error


_HTTP_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "body_too_large",
               415: "unsupported_media_type", 422: "invalid_request"}


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
        return error_response(exc.status_code, code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, "invalid_request", _validation_message(exc))

    @app.exception_handler(Exception)
    async def internal_error(_: Request, exc: Exception) -> JSONResponse:
        log.exception("internal error", exc_info=exc)
        return error_response(500, "internal", f"internal error: {type(exc).__name__}")


def _validation_message(exc: RequestValidationError) -> str:
    parts = [f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}" for e in exc.errors()]
    return "; ".join(parts) or "invalid request"


# ----------------------------------------------------------------------------- the app


class UnspinApp(FastAPI):
    """FastAPI with the host check and the security headers outside its own error middleware,
    so that a 500, or an answer from any middleware, gets them too."""

    def build_middleware_stack(self) -> Any:
        settings: ServeSettings = self.state.settings
        inner = HostCheck(super().build_middleware_stack(), settings.host, settings.allowed_hosts)
        return SecurityHeaders(inner)


def engine_ops(read_upload: UploadReader, settings: ServeSettings) -> dict[str, Op]:
    """What the workers can be asked to do with a `Submission`; results are plain JSON data."""

    if read_upload is default_upload_reader:
        read_upload = functools.partial(default_upload_reader, max_chars=settings.max_text_chars)

    def text_of(submission: Submission) -> str:
        return check_text_length(submission.read(read_upload), settings.max_text_chars)

    def restore(engines: Engines, submission: Submission) -> dict:
        return engines.restore(text_of(submission), submission.threshold).to_dict()

    def scan(engines: Engines, submission: Submission) -> dict:
        return _with_doc_id(engines.scan(text_of(submission)), submission.doc_id).to_dict()

    def scan_report(engines: Engines, submission: Submission) -> DocReport:
        return _with_doc_id(engines.scan(text_of(submission)), submission.doc_id)

    def extract(engines: Engines, submission: Submission) -> dict:
        text = text_of(submission)
        return {"filename": submission.filename, "text": text, "chars": len(text)}

    # "scan_report": the DocReport itself, for endpoints that shape their own answer, e.g.
    #     report = await request.app.state.pool.run("scan_report", Submission(text=text))
    return {"restore": restore, "scan": scan, "scan_report": scan_report, "extract": extract}


def create_app(
    restorer: RestorerLike | None = None,
    scanner: Scanner | None = None,
    settings: ServeSettings | None = None,
    *,
    load_engines: Callable[[], Engines] | None = None,
    read_upload: UploadReader = default_upload_reader,
    ops: dict[str, Op] | None = None,
) -> FastAPI:
    """The web app around already-loaded engines, or around `load_engines()`, run once at start.
    `ops`: more worker jobs (name -> op(engines, payload)), run with `app.state.pool.run(name, payload)`."""
    settings = settings or ServeSettings()
    if load_engines is None:
        if restorer is None or scanner is None:
            raise ValueError("create_app needs a restorer and a scanner, or load_engines")
        ready = engines_for(restorer, scanner)
        load_engines = lambda: ready  # noqa: E731

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
        app.state.engines = await asyncio.to_thread(load_engines)
        if read_upload is default_upload_reader:
            await asyncio.to_thread(_preload_readers)
        app.state.pool = WorkerPool(app.state.engines, {**engine_ops(read_upload, settings), **(ops or {})},
                                    settings).start()
        try:
            yield
        finally:
            app.state.pool.close()

    app = UnspinApp(title="unspin", version=VERSION, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Detect and reverse automatic article spinning (tortured phrases).")
    app.state.settings = settings
    _install_error_handlers(app)
    _add_api_routes(app, settings, read_upload)
    app.include_router(languagetool_router)  # LanguageTool-compatible /v2/check, /v2/languages
    app.include_router(assets_router)  # /report.css, the reports' one stylesheet
    _add_page_routes(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    return app


def _add_api_routes(app: FastAPI, settings: ServeSettings, read_upload: UploadReader) -> None:
    upload_note = f"a {', '.join(UPLOAD_SUFFIXES)} file of at most {_human_bytes(settings.max_body_bytes)}"

    async def run(request: Request, op: str) -> Any:
        try:
            submission = await asyncio.wait_for(read_submission(request, settings), settings.timeout_s)
        except asyncio.TimeoutError:
            raise ApiError(408, "request_timeout", f"the body took over {settings.timeout_s:g} s to arrive") from None
        pool: WorkerPool = request.app.state.pool
        return await pool.run(op, submission)

    @app.post("/api/restore", response_model=None, tags=["api"], openapi_extra=_body_doc(upload_note),
              responses={200: {"model": RestorationOut}, **_ERRORS},
              summary="Restore the original wording of a spun text")
    async def restore(request: Request) -> JSONResponse:
        return ResultResponse(versioned(await run(request, "restore")))

    @app.post("/api/scan", response_model=None, tags=["api"], openapi_extra=_body_doc(upload_note),
              responses={200: {"model": DocReportOut}, **_ERRORS},
              summary="Score a document for spinning and list its tortured phrases")
    async def scan(request: Request) -> JSONResponse:
        return ResultResponse(versioned(await run(request, "scan")))

    @app.post("/api/extract", response_model=None, tags=["api"], openapi_extra=_body_doc(upload_note),
              responses={200: {"model": ExtractOut}, **_ERRORS},
              summary="Read the text of an uploaded file (what restore and scan would see)")
    async def extract(request: Request) -> JSONResponse:
        return ResultResponse(await run(request, "extract"))

    @app.get("/api/health", response_model=HealthOut, tags=["api"], summary="Is the server up")
    async def health(request: Request) -> dict:
        pool: WorkerPool = request.app.state.pool
        return {"status": "ok", "version": VERSION, "in_flight": pool.running,
                "max_in_flight": settings.max_in_flight, "max_body_bytes": settings.max_body_bytes,
                "timeout_s": settings.timeout_s}


class ResultResponse(JSONResponse):
    """JSON of a result; a non-finite float (a log-probability of -inf) is written as null, and a
    text with a lone surrogate (a PDF's broken character map) as \\ud800 escapes, offsets intact."""

    def render(self, content: Any) -> bytes:
        try:
            return super().render(content)
        except UnicodeEncodeError:
            return json.dumps(_finite(content), ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode()
        except ValueError:
            return self.render(_finite(content))


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def _preload_readers() -> None:
    """Import the document readers once, here: every worker forked later has them (a recycled
    worker would otherwise import pypdf, python-docx and trafilatura again, per upload)."""
    import importlib

    for name in ("unspin.io.readers", "docx", "pypdf", "trafilatura", "lxml.html"):
        try:
            importlib.import_module(name)
        except ImportError:
            continue


def _with_doc_id(report: DocReport, doc_id: str | None) -> DocReport:
    return dataclasses.replace(report, doc_id=doc_id) if doc_id else report


def _add_page_routes(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html")

    swagger_dir = _swagger_ui_dir()
    if swagger_dir is not None:
        app.mount("/docs/assets", StaticFiles(directory=swagger_dir), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        if swagger_dir is None:
            return HTMLResponse(_plain_docs(app))
        return get_swagger_ui_html(openapi_url="/openapi.json", title="unspin API",
                                   swagger_js_url="/docs/assets/swagger-ui-bundle.js",
                                   swagger_css_url="/docs/assets/swagger-ui.css",
                                   swagger_favicon_url="data:,")


def _swagger_ui_dir() -> Path | None:
    """Swagger UI's files as shipped by the swagger-ui-py package: the docs page stays local."""
    try:
        import swagger_ui
    except ImportError:
        return None
    folder = Path(swagger_ui.__file__).parent / "static"
    return folder if (folder / "swagger-ui-bundle.js").exists() else None


def _plain_docs(app: FastAPI) -> str:
    from html import escape

    rows = "".join(
        f"<li><code>{escape(method.upper())} {escape(path)}</code> {escape(op.get('summary', ''))}</li>"
        for path, ops in app.openapi()["paths"].items() for method, op in ops.items())
    return (f"<!doctype html><meta charset=utf-8><title>unspin API</title><h1>unspin API</h1><ul>{rows}</ul>"
            "<p>The full schema is at <a href=/openapi.json>/openapi.json</a>. "
            "Install <code>swagger-ui-py</code> for the interactive page.</p>")


# ----------------------------------------------------------------------------- real engines


WARM_UP_TEXT = "The company said its sales rose by 5 percent last year."


def load_real_engines(settings: ServeSettings) -> Engines:
    """Load the restoration engine and the fingerprint list once; every request shares them.

    The n-gram engine only reads its models, so requests run it in parallel; a neural reranker
    (torch, its own thread pool and caches) is run one call at a time unless the restorer says
    `thread_safe = True`. One warm-up scan loads whatever the engine loads lazily.
    """
    from ..model.trees import prefer_lightgbm
    from ..steps import Scanner as DetectScanner
    from ..steps import restore_engine

    prefer_lightgbm()  # a server lives long: its restore model predicts with lightgbm from the first request
    restorer = restore_engine(settings.lm, device=settings.device)  # as `unspin restore` (the document prior too)
    detector = DetectScanner(lm=settings.lm, fingerprints_path=settings.fingerprints, restorer=restorer,
                             device=settings.device)
    detector.matcher()  # load the fingerprint list now, not on the first request

    def scanner(text: str) -> DocReport:
        return detector.scan(text)

    scanner(WARM_UP_TEXT)
    declared = getattr(restorer, "thread_safe", None)
    return engines_for(restorer, scanner, thread_safe=declared if declared is not None else settings.lm == "ngram")


def build_default_app(settings: ServeSettings | None = None) -> FastAPI:
    """The app `unspin serve` runs: the real engines, imported and loaded in the lifespan."""
    settings = settings or ServeSettings()
    return create_app(settings=settings, load_engines=lambda: load_real_engines(settings))


# ----------------------------------------------------------------------------- no network


_LOOPBACK_NAMES = {"localhost", "ip6-localhost", "::1"}


def forbid_outbound_network() -> None:
    """Make this process unable to open a connection anywhere but loopback or a Unix socket,
    and tell the model libraries to stay offline. Called by `unspin serve` before loading."""
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
        os.environ[name] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    if getattr(socket.socket, "_unspin_guarded", False):
        return
    connect, connect_ex = socket.socket.connect, socket.socket.connect_ex

    def guarded_connect(self: socket.socket, address: Any) -> Any:
        _check_address(self, address)
        return connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: Any) -> Any:
        _check_address(self, address)
        return connect_ex(self, address)

    socket.socket.connect = guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = guarded_connect_ex  # type: ignore[method-assign]
    socket.socket._unspin_guarded = True  # type: ignore[attr-defined]


def _check_address(sock: socket.socket, address: Any) -> None:
    if sock.family not in (socket.AF_INET, socket.AF_INET6):
        return
    host = str(address[0]).lower()
    if host in _LOOPBACK_NAMES or host.startswith("127.") or host == "::ffff:127.0.0.1":
        return
    raise ConnectionRefusedError(f"unspin serve makes no outbound connections (refused {host})")

