"""The outermost ASGI layers of `unspin serve`, wrapped around everything else (FastAPI's own error
middleware included), so that what they do holds for every response, a 500 too:

- `SecurityHeaders`: CSP, nosniff, no referrer on every response.
- `HostCheck`: answer only requests addressed to this server (421 otherwise). A page on another
  site can point its own host name at 127.0.0.1 (DNS rebinding) and then read this server's
  answers as same-origin; the Host header it sends still names that other site.
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any, Callable

WILDCARD_HOSTS = {"0.0.0.0", "::", ""}
LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


class SecurityHeaders:
    """Everything the page needs is served here: forbid the browser any other origin."""

    PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
                "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
                "form-action 'self'; frame-ancestors 'none'")
    DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
                "img-src 'self' data:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'")

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = self.DOCS_CSP if scope.get("path", "").startswith("/docs") else self.PAGE_CSP

        async def with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *security_headers(csp)]}
            await send(message)

        await self.app(scope, receive, with_headers)


def security_headers(csp: str = SecurityHeaders.PAGE_CSP) -> list[tuple[bytes, bytes]]:
    return [(b"content-security-policy", csp.encode()), (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer")]


class HostCheck:
    """Refuse (421) a request whose Host header does not name this server: see `host_allowed`."""

    def __init__(self, app: Any, bound_host: str, allowed_hosts: tuple[str, ...] = ()) -> None:
        self.app, self.bound_host, self.allowed_hosts = app, bound_host, allowed_hosts

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = _host_header(scope)
        if host is None:
            await send_json_error(send, 400, "missing_host", "the request has no Host header")
        elif not host_allowed(host, self.bound_host, self.allowed_hosts):
            shown = host[:100]
            await send_json_error(send, 421, "wrong_host",
                                  f"this server does not answer for host {shown!r} (start it with "
                                  f"--allow-host {host_name(shown) or shown} to allow it)")
        else:
            await self.app(scope, receive, send)


def host_allowed(host: str, bound_host: str, allowed: tuple[str, ...] = ()) -> bool:
    """Loopback names and addresses when bound to loopback; the bound address itself; any IP
    address when bound to every interface (an address cannot be rebound, only a name can); and
    the names in `allowed` ("*": any host)."""
    if "*" in allowed:
        return True
    name = host_name(host)
    if not name:
        return False
    if name in {host_name(a) for a in allowed}:
        return True
    bound = host_name(bound_host)
    address = _ip(name)
    if address is None:
        return name in LOOPBACK_NAMES and (bound in WILDCARD_HOSTS or bound in LOOPBACK_NAMES or _is_loopback(bound))
    if bound in WILDCARD_HOSTS or address == _ip(bound):
        return True
    return address.is_loopback and (bound in LOOPBACK_NAMES or _is_loopback(bound))


def host_name(host: str) -> str:
    """'Example.org:8000' -> 'example.org'; '[::1]:80' -> '::1'."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else ""
    if host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host.rstrip(".")


def _ip(name: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(name)
    except ValueError:
        return None


def _is_loopback(name: str) -> bool:
    address = _ip(name)
    return address is not None and address.is_loopback


def _host_header(scope: dict) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == b"host":
            return value.decode("latin-1")
    return None


async def send_json_error(send: Callable, status: int, code: str, message: str) -> None:
    body = json.dumps({"status": status, "code": code, "message": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
