"""Request limits for `unspin serve`: bodies over `max_body_bytes` (413), and the gate that lets at
most `max_in_flight` engine jobs run at once, each under a time limit (503 busy, 504 timeout).

Every refusal is an `ApiError`, answered as JSON: {"status": 413, "code": "body_too_large", "message": "..."}.
"""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, TypeVar

from .settings import ServeSettings

T = TypeVar("T")


class ApiError(Exception):
    """An error answered as JSON with an HTTP status, a stable code and a message."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


class BodyTooLarge(ApiError):
    def __init__(self, limit: int) -> None:
        super().__init__(413, "body_too_large", f"request body is larger than {_human_bytes(limit)}")


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


async def _send_error(send: Callable, status: int, code: str, message: str) -> None:
    body = json.dumps({"status": status, "code": code, "message": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class EngineGate:
    """At most `limit` engine jobs at once, each under a time limit; used from the event loop."""

    def __init__(self, settings: ServeSettings) -> None:
        self.settings = settings
        self.pool = ThreadPoolExecutor(max_workers=settings.max_in_flight, thread_name_prefix="unspin-engine")
        self.slots = asyncio.Semaphore(settings.max_in_flight)
        self.running = 0
        self.waiting = 0
        self.peak = 0

    async def run(self, job: Callable[[], T]) -> T:
        limit = self.settings.max_in_flight + self.settings.max_queued
        if self.running + self.waiting >= limit:
            raise ApiError(503, "busy", f"{self.running} requests running and {self.waiting} waiting; try again shortly",
                           {"Retry-After": str(self.settings.retry_after_s)})
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.settings.timeout_s
        self.waiting += 1
        try:
            await asyncio.wait_for(self.slots.acquire(), self.settings.timeout_s)
        except asyncio.TimeoutError:
            raise ApiError(504, "timeout", f"no free slot within {self.settings.timeout_s:g} s") from None
        finally:
            self.waiting -= 1
        self.running += 1
        self.peak = max(self.peak, self.running)
        future = loop.run_in_executor(self.pool, job)
        future.add_done_callback(self._leave)
        try:
            return await asyncio.wait_for(asyncio.shield(future), max(deadline - loop.time(), 0.01))
        except asyncio.TimeoutError:
            raise ApiError(504, "timeout", f"gave up after {self.settings.timeout_s:g} s") from None

    def _leave(self, future: asyncio.Future) -> None:
        self.running -= 1
        self.slots.release()
        if not future.cancelled():
            future.exception()  # mark as retrieved: a timed-out job's error is not news

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
