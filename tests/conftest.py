import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
PPS_CSV = SHARED / "data" / "pps_tortured_phrases.csv"


@pytest.fixture(autouse=True)
def _no_bundled_fingerprints(monkeypatch):
    """Tests choose their fingerprint lists; the bundled one is switched on where it is tested."""
    monkeypatch.setenv("UNSPIN_DEFAULT_FINGERPRINTS", "0")


@pytest.fixture
def fake_restorer():
    from fakes import FakeRestorer

    return FakeRestorer()


@pytest.fixture
def pps_csv():
    if not PPS_CSV.exists():
        pytest.skip(f"{PPS_CSV} not found (../shared is beside the repo in CI)")
    return PPS_CSV


@pytest.fixture
def fake_screener(fake_restorer):
    from fakes import FakeScreener

    return FakeScreener(fake_restorer)


# ----------------------------------------------------------------------------- no network in tests
# Every test runs with the process unable to reach anything but loopback and Unix sockets: a
# connect, connect_ex or sendto to another address, or a name lookup of a non-local name, is
# refused (OSError) AND recorded, and the test that made it fails even if the code swallowed the
# error (Selenium Manager's statistics, a library's update check). Subprocesses are not covered:
# tests that start a browser or a server also tell it to stay offline.

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}
OUTBOUND_ATTEMPTS: list[str] = []


def _is_local(host) -> bool:
    import ipaddress

    if host is None:
        return True
    name = host.decode() if isinstance(host, bytes) else str(host)
    name = name.strip("[]").split("%", 1)[0].lower().rstrip(".")
    if name in LOOPBACK_NAMES or name in {"", "0.0.0.0", "::"}:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _refuse(what: str) -> None:
    OUTBOUND_ATTEMPTS.append(what)
    raise ConnectionRefusedError(f"tests never open a non-loopback connection (tried {what})")


def _install_network_guard() -> None:
    import socket

    if getattr(socket, "_unspin_test_guard", False):
        return
    connect, connect_ex, sendto, getaddrinfo = (socket.socket.connect, socket.socket.connect_ex,
                                                socket.socket.sendto, socket.getaddrinfo)

    def inet(sock) -> bool:
        return sock.family in (socket.AF_INET, socket.AF_INET6)

    def guarded_connect(self, address):
        if inet(self) and not _is_local(address[0]):
            _refuse(f"connect to {address!r}")
        return connect(self, address)

    def guarded_connect_ex(self, address):
        if inet(self) and not _is_local(address[0]):
            _refuse(f"connect_ex to {address!r}")
        return connect_ex(self, address)

    def guarded_sendto(self, data, *args):
        address = args[-1]
        if inet(self) and isinstance(address, tuple) and not _is_local(address[0]):
            _refuse(f"sendto {address!r}")
        return sendto(self, data, *args)

    def guarded_getaddrinfo(host, *args, **kwargs):
        if not _is_local(host) and not _is_ip_literal(host):
            _refuse(f"name lookup of {host!r}")
        return getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = guarded_connect
    socket.socket.connect_ex = guarded_connect_ex
    socket.socket.sendto = guarded_sendto
    socket.getaddrinfo = guarded_getaddrinfo
    socket._unspin_test_guard = True


def _is_ip_literal(host) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address((host.decode() if isinstance(host, bytes) else str(host)).strip("[]"))
    except ValueError:
        return False
    return True


def pytest_configure(config):
    _install_network_guard()


@pytest.fixture(autouse=True)
def _no_outbound_network():
    OUTBOUND_ATTEMPTS.clear()
    yield
    if OUTBOUND_ATTEMPTS:
        attempts = list(OUTBOUND_ATTEMPTS)
        OUTBOUND_ATTEMPTS.clear()
        pytest.fail(f"the test tried the network: {attempts}")


@pytest.fixture
def outbound_attempts():
    """The guard's record, for tests of the guard: clear it once checked."""
    return OUTBOUND_ATTEMPTS
