"""The test suite's own guard (tests/conftest.py): no test reaches past loopback."""

from __future__ import annotations

import asyncio
import socket
import threading

import pytest


@pytest.mark.parametrize("address", [("192.0.2.1", 443), ("2001:db8::1", 443), ("8.8.8.8", 53)])
def test_a_connection_past_loopback_is_refused_and_recorded(outbound_attempts, address):
    family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        with pytest.raises(ConnectionRefusedError):
            s.connect(address)
        with pytest.raises(ConnectionRefusedError):
            s.connect_ex(address)
    assert len(outbound_attempts) == 2
    outbound_attempts.clear()


def test_name_lookups_and_datagrams_are_refused(outbound_attempts):
    with pytest.raises(OSError):
        socket.create_connection(("example.org", 80), timeout=1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s, pytest.raises(ConnectionRefusedError):
        s.sendto(b"x", ("192.0.2.1", 53))
    assert len(outbound_attempts) == 2
    outbound_attempts.clear()


def test_a_swallowed_attempt_is_still_recorded(outbound_attempts):
    """Code that catches the error (an update check, usage statistics) cannot hide the attempt."""
    def quietly():
        try:
            socket.create_connection(("198.51.100.7", 80), timeout=1)
        except OSError:
            pass

    worker = threading.Thread(target=quietly)
    worker.start()
    worker.join()
    assert outbound_attempts == ["connect to ('198.51.100.7', 80)"]
    outbound_attempts.clear()


def test_asyncio_connections_go_through_the_guard(outbound_attempts):
    async def connect():
        await asyncio.open_connection("192.0.2.1", 80)

    with pytest.raises(OSError):
        asyncio.run(connect())
    assert outbound_attempts
    outbound_attempts.clear()


def test_loopback_and_unix_sockets_work(tmp_path):
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        for host in ("127.0.0.1", "localhost"):
            with socket.create_connection((host, server.getsockname()[1]), timeout=5):
                pass
    path = str(tmp_path / "s")
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(path)
        server.listen()
        with socket.socket(socket.AF_UNIX) as client:
            client.connect(path)
