"""Request limits for `unspin serve`: bodies over `max_body_bytes` (413) and texts over
`max_text_chars` (413); the engine slots and their time limit are in `unspin.serve.workers`.

Every refusal is an `ApiError`, answered as JSON: {"status": 413, "code": "body_too_large", "message": "..."}.
"""

from __future__ import annotations

from typing import Any, Callable

from ..errors import UnspinError
from .middleware import send_json_error as _send_error


class ApiError(Exception):
    """An error answered as JSON with an HTTP status, a stable code and a message."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


class BodyTooLarge(ApiError):
    def __init__(self, limit: int) -> None:
        super().__init__(413, "body_too_large", f"request body is larger than {_human_bytes(limit)}")


class TextTooLong(ApiError):
    def __init__(self, chars: int, limit: int) -> None:
        super().__init__(413, "text_too_long", f"the text has {chars:,} characters; this server takes at most "
                                               f"{limit:,} per request (split it, or use the command line)")


def check_text_length(text: str, limit: int) -> str:
    if len(text) > limit:
        raise TextTooLong(len(text), limit)
    return text


def from_unspin_error(exc: UnspinError) -> ApiError:
    """The answer to an unspin error: its code, and the HTTP status the catalogue gives it
    (unspin.errors.CATALOGUE: 413 for U106/U110, 415 for U107, 422 for other input errors)."""
    message = str(exc).removeprefix(f"{exc.code} ").strip()
    return ApiError(exc.http_status, exc.code, message)


def _human_bytes(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB" if n >= 1024 * 1024 else f"{n} bytes"


class BodyLimit:
    """Refuse bodies over `max_bytes` with 413: from Content-Length before reading anything, or
    while streaming (chunked uploads) as soon as the count passes the limit."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is not None:
            if not declared.isdigit():
                await _send_error(send, 400, "bad_request", "Content-Length is not a number")
                return
            if int(declared) > self.max_bytes:
                await _send_error(send, 413, "body_too_large", BodyTooLarge(self.max_bytes).message)
                return
        received = 0
        started = False

        async def counted_receive() -> dict:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def tracked_send(message: dict) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except BodyTooLarge as exc:  # raised outside any route's error handling
            if not started:
                await _send_error(send, exc.status, exc.code, exc.message)


def _header(scope: dict, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1").strip()
    return None
