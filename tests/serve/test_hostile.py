"""`unspin serve` under hostile input (issue 14): bombs, lone surrogates, deep JSON, foreign Host
headers, trickled headers, idle connections, SIGTERM with work in flight."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
uvicorn = pytest.importorskip("uvicorn")

from fakes import FakeRestorer  # noqa: E402
from unspin.bench.hostile_inputs import deep_json, docx_bomb, lone_surrogate_json, pdf_bomb  # noqa: E402
from unspin.serve.app import create_app  # noqa: E402
from unspin.serve.middleware import host_allowed  # noqa: E402
from unspin.serve.protocol import uvicorn_config  # noqa: E402
from unspin.serve.settings import ServeSettings  # noqa: E402

from tests.serve.test_api import SPUN, assert_error, fake_scanner, make_client  # noqa: E402

SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "referrer-policy")


def assert_secured(response) -> None:
    for name in SECURITY_HEADERS:
        assert name in response.headers, (response.status_code, dict(response.headers))


def rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


# ------------------------------------------------------------------ defect 1: bombs


@pytest.fixture(scope="module")
def small_docx_bomb() -> bytes:
    return docx_bomb(160 << 20)  # ~0.6 MB that expands to 160 MB


@pytest.mark.parametrize("endpoint", ["/api/extract", "/api/scan"])
def test_a_docx_bomb_is_refused_and_the_server_stays_small(small_docx_bomb, endpoint):
    assert len(small_docx_bomb) < 2 << 20
    with make_client(worker_memory_mb=64, timeout_s=60) as c:
        before = rss_bytes()
        response = c.post(endpoint, files={"file": ("big.docx", small_docx_bomb, "application/octet-stream")})
        grew = rss_bytes() - before
        body = assert_error(response, 413)
        assert body["code"] in {"too_costly", "U110"}  # the worker's memory cap, or unspin.io's caps first
        assert_secured(response)
        assert grew < 64 << 20  # the expansion happened (and stopped) in a worker, not here
        assert c.post("/api/scan", json={"text": SPUN}).status_code == 200


def test_a_pdf_bomb_is_refused_before_its_pages_are_read():
    pytest.importorskip("pypdf")
    pytest.importorskip("unspin.io.limits", reason="unspin.io's extraction caps (issue 14, io part)")
    bomb = pdf_bomb(60, 3e5)  # 60 pages of one 300 KB stream (bench serve --hostile: 1.2 MB, as reported)
    assert len(bomb) < 16 << 10
    restorer = FakeRestorer()  # the server's own upload reader, which hands unspin.io its caps
    app = create_app(restorer, fake_scanner(restorer), ServeSettings(timeout_s=60, max_text_chars=50_000))
    from fastapi.testclient import TestClient

    with TestClient(app, base_url="http://127.0.0.1:8000") as c:
        response = c.post("/api/scan", files={"file": ("pages.pdf", bomb, "application/pdf")})
    body = assert_error(response, 413, "U110")
    assert "pages.pdf" in body["message"]


def test_a_text_over_the_character_limit_is_413_before_the_engine_runs(tmp_path):
    with make_client(max_text_chars=1000) as c:
        body = assert_error(c.post("/api/restore", json={"text": "word " * 300}), 413, "text_too_long")
        assert "1,000" in body["message"]
        assert c.post("/api/restore", json={"text": SPUN}).status_code == 200


# ------------------------------------------------------------------ defect 5: lone surrogates, deep JSON


@pytest.mark.parametrize("endpoint", ["/api/restore", "/api/scan", "/api/extract"])
def test_lone_surrogates_are_a_400_with_the_security_headers(client, endpoint):
    response = client.post(endpoint, content=lone_surrogate_json(), headers={"content-type": "application/json"})
    body = assert_error(response, 400, "invalid_text")
    assert "U+D800" in body["message"]
    assert_secured(response)


@pytest.mark.parametrize("endpoint", ["/api/restore", "/api/scan"])
def test_a_100k_deep_json_body_is_a_400_not_a_recursion_error(client, endpoint):
    response = client.post(endpoint, content=deep_json(100_000), headers={"content-type": "application/json"})
    body = assert_error(response, 400, "invalid_json")
    assert "deep" in body["message"]
    assert_secured(response)


def test_an_integer_too_long_to_parse_is_a_400(client):
    body = b'{"text": "x", "threshold": ' + b"7" * 5000 + b"}"
    assert_error(client.post("/api/restore", content=body, headers={"content-type": "application/json"}),
                 400, "invalid_json")


def test_extracted_text_with_a_lone_surrogate_is_answered_escaped():
    def reader(data: bytes, filename: str) -> str:
        return "broken \ud800 character map"

    app = create_app(FakeRestorer(), fake_scanner(FakeRestorer()), ServeSettings(), read_upload=reader)
    from fastapi.testclient import TestClient

    with TestClient(app, base_url="http://127.0.0.1:8000") as c:
        response = c.post("/api/extract", files={"file": ("a.pdf", b"%PDF", "application/pdf")})
    assert response.status_code == 200
    assert b"\\ud800" in response.content and response.json()["chars"] == len("broken \ud800 character map")


# ------------------------------------------------------------------ defect 11: headers everywhere, Host


@pytest.fixture
def client():
    with make_client() as c:
        yield c


def test_a_500_carries_the_security_headers():
    class Crashing(FakeRestorer):
        def restore(self, text, threshold=None):
            raise RuntimeError("boom")

    with make_client(restorer=Crashing()) as c:
        response = c.post("/api/restore", json={"text": SPUN})
        assert_error(response, 500, "internal")
        assert_secured(response)


def test_an_exception_outside_any_route_is_a_500_with_the_security_headers():
    app = create_app(FakeRestorer(), fake_scanner(FakeRestorer()), ServeSettings())

    @app.middleware("http")
    async def broken(request, call_next):  # a middleware failing: FastAPI's own error middleware answers
        raise RuntimeError("middleware failure")

    from fastapi.testclient import TestClient

    with TestClient(app, base_url="http://127.0.0.1:8000", raise_server_exceptions=False) as c:
        response = c.get("/api/health")
    assert response.status_code == 500
    assert_secured(response)


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.nip.io", "attacker.localhost.com"])
def test_a_request_for_another_host_is_421(client, host):
    response = client.get("/api/health", headers={"host": host})
    body = assert_error(response, 421, "wrong_host")
    assert "--allow-host" in body["message"]
    assert_secured(response)
    assert_error(client.post("/api/scan", json={"text": SPUN}, headers={"host": host}), 421, "wrong_host")


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost:8000", "LOCALHOST", "127.0.0.1"])
def test_loopback_names_are_answered_when_bound_to_loopback(client, host):
    assert client.get("/api/health", headers={"host": host}).status_code == 200


@pytest.mark.parametrize(("host", "bound", "allowed", "answered"), [
    ("127.0.0.1:8000", "127.0.0.1", (), True),
    ("[::1]:8000", "::1", (), True),
    ("localhost", "::1", (), True),
    ("192.168.1.5:8000", "127.0.0.1", (), False),
    ("192.168.1.5:8000", "192.168.1.5", (), True),
    ("10.0.0.9:8000", "192.168.1.5", (), False),
    ("10.0.0.9:8000", "0.0.0.0", (), True),       # an address cannot be rebound
    ("box.lan:8000", "0.0.0.0", (), False),        # a name can: only with --allow-host
    ("box.lan:8000", "0.0.0.0", ("box.lan",), True),
    ("BOX.LAN.:8000", "0.0.0.0", ("box.lan",), True),
    ("other.lan", "0.0.0.0", ("box.lan",), False),
    ("anything", "0.0.0.0", ("*",), True),
    ("", "127.0.0.1", (), False),
])
def test_host_allowed(host, bound, allowed, answered):
    assert host_allowed(host, bound, allowed) is answered


def test_allow_host_reaches_the_app():
    with make_client(host="0.0.0.0", allowed_hosts=("box.lan",)) as c:
        assert c.get("/api/health", headers={"host": "box.lan:8000"}).status_code == 200
        assert c.get("/api/health", headers={"host": "10.1.2.3:8000"}).status_code == 200
        assert_error(c.get("/api/health", headers={"host": "evil.example"}), 421, "wrong_host")


# ------------------------------------------------------------------ defect 3: slowloris, idle connections


@pytest.fixture
def live_server():
    """A real uvicorn server run the way `unspin serve` runs it, on a free loopback port."""
    servers = []

    def start(**settings):
        settings = ServeSettings(port=0, **settings)
        restorer = FakeRestorer()
        app = create_app(restorer, fake_scanner(restorer), settings)
        server = uvicorn.Server(uvicorn_config(app, settings))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        assert server.started
        servers.append((server, thread))
        return server.servers[0].sockets[0].getsockname()[1]

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(10)


def closed_within(sock: socket.socket, seconds: float) -> bytes | None:
    """What the server wrote before closing `sock`, or None if it was still open after `seconds`."""
    sock.settimeout(0.2)
    received = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            continue
        except ConnectionResetError:
            return received
        if not chunk:
            return received
        received += chunk
    return None


def health_status(port: int) -> int:
    import httpx

    return httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=5, trust_env=False).status_code


def test_sixteen_trickling_header_senders_are_answered_408_and_closed(live_server):
    port = live_server(head_timeout_s=1.0)
    socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(16)]
    head = b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 200
    stop = threading.Event()

    def trickle():
        for i in range(len(head)):
            for s in socks:
                try:
                    s.send(head[i:i + 1])
                except OSError:
                    pass
            if stop.wait(0.1):
                return

    sender = threading.Thread(target=trickle, daemon=True)
    sender.start()
    try:
        assert health_status(port) == 200  # the server answers others meanwhile
        answers = [closed_within(s, 8) for s in socks]
    finally:
        stop.set()
        for s in socks:
            s.close()
    assert all(a is not None for a in answers), "a trickling connection was still open"
    assert all(a.startswith(b"HTTP/1.1 408") and b"content-security-policy" in a for a in answers)
    assert health_status(port) == 200


def test_a_connection_that_sends_nothing_is_closed(live_server):
    port = live_server(head_timeout_s=0.5)
    with socket.create_connection(("127.0.0.1", port)) as s:
        assert closed_within(s, 5) is not None


def test_an_idle_kept_alive_connection_is_closed(live_server):
    port = live_server(keep_alive_s=0.5, head_timeout_s=30)
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        answer = closed_within(s, 5)
    assert answer is not None and answer.startswith(b"HTTP/1.1 200")


def test_an_oversized_header_is_refused_with_the_security_headers(live_server):
    port = live_server(max_header_bytes=4096)
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 8000 + b"\r\n\r\n")
        answer = closed_within(s, 5)
    assert answer is not None and answer.startswith(b"HTTP/1.1 431") and b"content-security-policy" in answer


# ------------------------------------------------------------------ defect 2: SIGTERM with work in flight


def test_sigterm_stops_the_server_within_seconds_even_with_work_in_flight():
    """Four restores that would burn CPU for ten minutes are in flight; SIGTERM ends the server
    (and its engine workers) within a few seconds."""
    import httpx

    process = subprocess.Popen(
        [sys.executable, "-m", "unspin.bench.serve", "--port", "0", "--format", "json",
         "--fake-delay-ms", "600000", "--timeout", "900"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        url = json.loads(process.stdout.readline())["url"]

        def post():
            try:
                httpx.post(url + "api/restore", json={"text": SPUN}, timeout=60, trust_env=False)
            except httpx.HTTPError:
                pass

        clients = [threading.Thread(target=post, daemon=True) for _ in range(4)]
        for t in clients:
            t.start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if httpx.get(url + "api/health", trust_env=False).json()["in_flight"] == 4:
                break
            time.sleep(0.05)
        workers = _children(process.pid)
        assert len(workers) >= 4
        process.send_signal(signal.SIGTERM)
        process.wait(10)  # raises TimeoutExpired if the server hangs on to its work
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=10)
    assert process.returncode == 0
    deadline = time.monotonic() + 5
    while [pid for pid in workers if Path(f"/proc/{pid}").exists()] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found
