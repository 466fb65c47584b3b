"""The HTTP connection layer of `unspin serve`: uvicorn's h11 protocol with the bounds it lacks.

uvicorn arms its keep-alive timer only after a response, and any byte received cancels it, so a
client that opens a connection and trickles a header byte now and then (slowloris) held a
connection, and its file descriptor, forever. Here every request head must arrive whole within
`head_timeout_s` of its first byte (or of the connection opening); otherwise the connection is
answered 408 and closed. Heads are at most `max_header_bytes` (431; h11 alone checks only
heads that arrive in pieces),
idle keep-alive connections close after `keep_alive_s`, and beyond `max_connections` open
connections a new one is closed at once. uvicorn's own plain-text 400 gets the security headers.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from .middleware import security_headers
from .settings import ServeSettings


class GuardedH11Protocol(H11Protocol):
    head_timeout_s: float = 10.0
    max_header_bytes: int = 16 * 1024
    max_connections: int = 256

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self.head_deadline: asyncio.TimerHandle | None = None
        self.head_bytes = b""
        super().connection_made(transport)
        if len(self.connections) > self.max_connections:
            transport.close()
            return
        self._arm_head_deadline()

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE:
            if self.head_deadline is None:
                self._arm_head_deadline()  # the first byte of a new request on a kept-alive connection
            self.head_bytes += data[:self.max_header_bytes + 4]
            if len(self.head_bytes) > self.max_header_bytes and b"\r\n\r\n" not in self.head_bytes[:self.max_header_bytes + 4]:
                self._refuse(431, "header_too_large", f"the request head is over {self.max_header_bytes} bytes")
                return
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._disarm_head_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_head_deadline()
        super().connection_lost(exc)

    def _arm_head_deadline(self) -> None:
        self._disarm_head_deadline()
        self.head_bytes = b""
        self.head_deadline = self.loop.call_later(self.head_timeout_s, self._head_too_slow)

    def _disarm_head_deadline(self) -> None:
        if getattr(self, "head_deadline", None) is not None:
            self.head_deadline.cancel()  # type: ignore[union-attr]
            self.head_deadline = None

    def _head_too_slow(self) -> None:
        self.head_deadline = None
        if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
            return
        self._refuse(408, "header_timeout", f"the request head took over {self.head_timeout_s:g} s")

    def send_400_response(self, msg: str) -> None:
        self._refuse(400, "bad_http", msg)

    def _refuse(self, status: int, code: str, message: str) -> None:
        self._disarm_head_deadline()
        if self.conn.our_state is h11.IDLE:
            body = json.dumps({"status": status, "code": code, "message": message}).encode()
            try:
                self._write_response(status, body)
            except h11.LocalProtocolError:
                pass
        self.transport.close()

    def _write_response(self, status: int, body: bytes) -> None:
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                   (b"connection", b"close"), *security_headers()]
        for event in (h11.Response(status_code=status, headers=headers), h11.Data(data=body), h11.EndOfMessage()):
            self.transport.write(self.conn.send(event))


def guarded_protocol(settings: ServeSettings) -> type[GuardedH11Protocol]:
    return type("UnspinH11Protocol", (GuardedH11Protocol,),
                {"head_timeout_s": settings.head_timeout_s, "max_header_bytes": settings.max_header_bytes,
                 "max_connections": settings.max_connections})


def uvicorn_config(app: Any, settings: ServeSettings, log_level: str = "warning") -> Any:
    """How `unspin serve` runs `app` under uvicorn (tests and the bench use the same)."""
    import uvicorn

    return uvicorn.Config(app, host=settings.host, port=settings.port, log_level=log_level,
                          access_log=log_level in {"info", "debug"}, server_header=False,
                          http=guarded_protocol(settings), timeout_keep_alive=settings.keep_alive_s,
                          h11_max_incomplete_event_size=settings.max_header_bytes,
                          timeout_graceful_shutdown=settings.shutdown_grace_s, lifespan="on")
