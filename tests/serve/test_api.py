"""`unspin serve` API, in-process: the fake engines behind the real app, limits and errors."""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import os
import re
import socket
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from fakes import FakeRestorer  # noqa: E402
from unspin.errors import InputError  # noqa: E402
from unspin.serve.app import create_app, forbid_outbound_network  # noqa: E402
from unspin.serve.settings import ServeSettings  # noqa: E402
from unspin.types import DocReport, Finding, FindingKind  # noqa: E402

SPUN = "The corporate said counterfeit consciousness would lift gross sales by 5 p.c. this year."
LOCAL = "http://127.0.0.1:8000"  # the Host a browser sends for `unspin serve`'s own URL
STATIC = Path(__file__).resolve().parents[2] / "src" / "unspin" / "serve" / "static"


def fake_scanner(restorer: FakeRestorer):
    """A scanner in the shape of unspin.scanner.detect's: the restorer's edits become findings."""

    def scan(text: str) -> DocReport:
        restoration = restorer.restore(text)
        findings = tuple(
            Finding(span=e.span, observed=e.observed, suggestion=e.original, kind=FindingKind.MODEL,
                    confidence=e.confidence, alternatives=e.alternatives,
                    evidence=dataclasses.asdict(e.evidence), rule="fake")
            for e in restoration.edits)
        per_1k = 1000.0 * len(findings) / restoration.words if restoration.words else 0.0
        probability = min(1.0, per_1k / 50.0)
        return DocReport(doc_id="", spin_probability=probability, spun=probability > 0.5,
                         words=restoration.words, findings=findings, findings_per_1k=round(per_1k, 3))

    return scan


def upload_reader():
    """unspin.io.readers when it is there; until then UTF-8 .txt only (tests only)."""
    try:
        from unspin.io.readers import read_text_input
    except ImportError:
        def read_text_input(data: bytes, filename: str) -> str:
            if not filename.lower().endswith(".txt"):
                raise InputError("only .txt in this test build", source=filename)
            return data.decode("utf-8")
    return read_text_input


class Journal:
    """What engine calls saw, written from the worker processes and read back in the test."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, value) -> None:
        with open(self.path, "a") as f:
            f.write(json.dumps(value) + "\n")

    def read(self) -> list:
        return [json.loads(line) for line in self.path.read_text().splitlines()] if self.path.exists() else []


def make_client(restorer=None, scanner=None, **settings) -> TestClient:
    restorer = restorer or FakeRestorer()
    app = create_app(restorer, scanner or fake_scanner(restorer), ServeSettings(**settings),
                     read_upload=upload_reader())
    return TestClient(app, base_url=LOCAL, raise_server_exceptions=False)


@pytest.fixture
def client():
    with make_client() as c:
        yield c


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"status", "code", "message"} and body["status"] == status and body["message"]
    if code is not None:
        assert body["code"] == code
    return body


# ------------------------------------------------------------------ happy paths


def test_health(client):
    body = client.get("/api/health").json()
    assert body["status"] == "ok" and body["max_in_flight"] == 4 and body["in_flight"] == 0


def test_restore_json_matches_the_cli_schema(client):
    response = client.post("/api/restore", json={"text": SPUN})
    assert response.status_code == 200
    from unspin.schema import versioned

    assert response.json() == json.loads(json.dumps(versioned(FakeRestorer().restore(SPUN).to_dict())))
    body = response.json()
    assert "artificial intelligence" in body["restored"] and body["words"] > 0
    assert set(body["edits"][0]) == {"start", "end", "observed", "suggestion", "original", "kind", "confidence",
                                     "alternatives", "evidence", "message", "short_message"}
    assert set(body["edits"][0]["evidence"]) == {"sources", "lm_gain", "channel", "doc_prior"}


def test_scan_json_matches_the_cli_schema(client):
    body = client.post("/api/scan", json={"text": SPUN, "doc_id": "memo"}).json()
    assert set(body) == {"schema_version", "doc_id", "spin_probability", "spun", "words", "findings",
                         "findings_per_1k", "error", "reason"}
    assert body["reason"].startswith("Scored ")
    assert body["doc_id"] == "memo" and body["spun"] is True and body["error"] is None
    finding = body["findings"][1]
    assert finding["observed"] == "counterfeit consciousness" and finding["suggestion"] == "artificial intelligence"
    assert set(finding) == {"start", "end", "span", "observed", "suggestion", "kind", "confidence", "alternatives",
                            "evidence", "rule", "message", "short_message"}
    assert SPUN[finding["start"]:finding["end"]] == SPUN[finding["span"]["start"]:finding["span"]["end"]] == finding["observed"]


def test_restore_threshold_is_passed_on(tmp_path):
    seen = Journal(tmp_path / "seen")

    class Recording(FakeRestorer):
        def restore(self, text, threshold=None):
            seen.append(threshold)
            return super().restore(text, threshold)

    with make_client(restorer=Recording()) as c:
        assert c.post("/api/restore", json={"text": SPUN, "threshold": 0.7}).status_code == 200
    assert seen.read() == [0.7]


@pytest.mark.parametrize("endpoint", ["/api/restore", "/api/scan"])
def test_txt_upload_gives_the_same_answer_as_json(client, endpoint):
    uploaded = client.post(endpoint, files={"file": ("memo.txt", SPUN.encode(), "text/plain")})
    pasted = client.post(endpoint, json={"text": SPUN})
    assert uploaded.status_code == 200, uploaded.text
    if endpoint == "/api/scan":
        assert uploaded.json()["doc_id"] == "memo.txt"
        assert uploaded.json()["findings"] == pasted.json()["findings"]
    else:
        assert uploaded.json() == pasted.json()


def test_html_upload_is_read_by_unspin_io():
    pytest.importorskip("unspin.io.readers")
    page = f"<html><body><article><p>{SPUN}</p></article></body></html>".encode()
    with make_client() as c:
        response = c.post("/api/restore", files={"file": ("page.html", page, "text/html")})
    assert response.status_code == 200, response.text
    assert "artificial intelligence" in response.json()["restored"]


def test_extract_returns_the_text_of_an_upload(client):
    body = client.post("/api/extract", files={"file": ("a.txt", SPUN.encode(), "text/plain")}).json()
    assert body == {"filename": "a.txt", "text": SPUN, "chars": len(SPUN)}


def test_multipart_text_field_is_accepted(client):
    response = client.post("/api/restore", data={"text": SPUN})
    assert response.status_code == 415  # urlencoded forms are not an API input
    response = client.post("/api/restore", files={"text": (None, SPUN)})
    assert response.status_code == 200 and "artificial intelligence" in response.json()["restored"]


# ------------------------------------------------------------------ bad requests


def test_invalid_json_is_400(client):
    body = assert_error(client.post("/api/restore", content=b"{not json", headers={"content-type": "application/json"}),
                        400, "invalid_json")
    assert "JSON" in body["message"]


@pytest.mark.parametrize("payload", [{}, {"txt": "x"}, {"text": 3}, ["text"], {"text": "x", "threshold": 2}],
                         ids=["empty-object", "wrong-field", "not-a-string", "array", "bad-threshold"])
def test_malformed_payload_is_422(client, payload):
    assert_error(client.post("/api/scan", json=payload), 422, "invalid_request")


def test_blank_text_is_an_input_error(client):
    body = assert_error(client.post("/api/restore", json={"text": "   \n"}), 422, "U100")
    assert "no text" in body["message"]


def test_unsupported_media_type_is_415(client):
    assert_error(client.post("/api/restore", content=SPUN.encode(), headers={"content-type": "text/plain"}),
                 415, "unsupported_media_type")


def test_unsupported_file_type_is_415(client):
    response = client.post("/api/scan", files={"file": ("tool.exe", b"MZ\x00\x00", "application/octet-stream")})
    assert_error(response, 415, "unsupported_file_type")


def test_unreadable_upload_is_422_with_the_reader_code(client):
    response = client.post("/api/scan", files={"file": ("bad.txt", b"\x00\x01\x02binary\x00", "text/plain")})
    body = assert_error(response, 422)
    assert re.fullmatch(r"U1\d\d", body["code"])


def test_engine_input_error_is_422():
    class Refusing(FakeRestorer):
        def restore(self, text, threshold=None):
            raise InputError("cannot read this")

    with make_client(restorer=Refusing()) as c:
        assert_error(c.post("/api/restore", json={"text": SPUN}), 422, "U100")


def test_engine_crash_is_a_json_500_and_the_server_goes_on():
    class Crashing(FakeRestorer):
        def restore(self, text, threshold=None):
            if "crash" in text:
                raise RuntimeError("boom")
            return super().restore(text, threshold)

    with make_client(restorer=Crashing()) as c:
        assert_error(c.post("/api/restore", json={"text": "crash now"}), 500, "internal")
        assert c.post("/api/restore", json={"text": SPUN}).status_code == 200


def test_unknown_route_and_wrong_method_are_json(client):
    assert_error(client.get("/api/nothing"), 404, "not_found")
    assert_error(client.get("/api/restore"), 405, "method_not_allowed")


# ------------------------------------------------------------------ limits


def test_body_over_the_limit_is_413_from_content_length(tmp_path):
    called = Journal(tmp_path / "called")

    class Recording(FakeRestorer):
        def restore(self, text, threshold=None):
            called.append(text)
            return super().restore(text, threshold)

    with make_client(restorer=Recording(), max_body_bytes=1000) as c:
        body = assert_error(c.post("/api/restore", json={"text": "word " * 500}), 413, "body_too_large")
        assert "1000 bytes" in body["message"]
        assert c.post("/api/restore", json={"text": SPUN}).status_code == 200
    assert called.read() == [SPUN]


def test_streamed_body_over_the_limit_is_413_before_it_is_all_read():
    with make_client(max_body_bytes=1000) as c:  # chunked: no Content-Length
        response = c.post("/api/restore", content=iter([b"x" * 600] * 4), headers={"content-type": "application/json"})
    assert "content-length" not in response.request.headers
    assert_error(response, 413, "body_too_large")


def test_body_limit_stops_reading_the_stream_at_the_limit():
    import asyncio

    from unspin.serve.app import BodyLimit

    received, sent = [], []

    async def receive():
        received.append(1)
        return {"type": "http.request", "body": b"x" * 500, "more_body": len(received) < 100}

    async def send(message):
        sent.append(message)

    async def app(scope, receive, send):  # reads until the body ends, like a route would
        while (await receive()).get("more_body"):
            pass
        raise AssertionError("read the whole body")

    scope = {"type": "http", "headers": [(b"content-type", b"application/json")]}
    asyncio.run(BodyLimit(app, max_bytes=1000)(scope, receive, send))
    assert len(received) == 3  # 1500 bytes > 1000: stop there
    assert sent[0]["status"] == 413 and json.loads(sent[1]["body"])["code"] == "body_too_large"


def test_multipart_upload_over_the_limit_is_413():
    with make_client(max_body_bytes=2000) as c:
        response = c.post("/api/scan", files={"file": ("big.txt", b"word " * 1000, "text/plain")})
    assert_error(response, 413, "body_too_large")


FORK = multiprocessing.get_context("fork")  # the engine workers are forked: these reach into them


class Blocking(FakeRestorer):
    """Holds each restore until released, so requests stay in flight. The release is a file, not
    a multiprocessing.Event: an Event cannot be set once a process waiting on it was killed."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.entered = FORK.Semaphore(0)
        self.flag = folder / "released"

    def release(self) -> None:
        self.flag.touch()

    def restore(self, text, threshold=None):
        self.entered.release()
        deadline = time.monotonic() + 10
        while not self.flag.exists():
            assert time.monotonic() < deadline
            time.sleep(0.01)
        return super().restore(text, threshold)


def test_requests_beyond_the_in_flight_bound_get_503_with_retry_after(tmp_path):
    blocking = Blocking(tmp_path)
    with make_client(restorer=blocking, max_in_flight=2, retry_after_s=3) as c:
        results = []
        threads = [threading.Thread(target=lambda: results.append(c.post("/api/restore", json={"text": SPUN})))
                   for _ in range(2)]
        for t in threads:
            t.start()
        assert blocking.entered.acquire(timeout=5) and blocking.entered.acquire(timeout=5)
        assert c.get("/api/health").json()["in_flight"] == 2
        refused = c.post("/api/scan", json={"text": SPUN})
        assert_error(refused, 503, "busy")
        assert refused.headers["retry-after"] == "3"
        blocking.release()
        for t in threads:
            t.join(10)
        assert [r.status_code for r in results] == [200, 200]
        assert c.post("/api/scan", json={"text": SPUN}).status_code == 200


def in_flight_drops_to_zero(c, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while c.get("/api/health").json()["in_flight"] and time.monotonic() < deadline:
        time.sleep(0.02)
    return c.get("/api/health").json()["in_flight"] == 0


def test_slow_request_gets_504_and_its_work_is_stopped_at_once(tmp_path):
    blocking = Blocking(tmp_path)  # never released: the work would run for ever
    with make_client(restorer=blocking, timeout_s=0.3, max_in_flight=1) as c:
        pool = c.app.state.pool
        stuck = pool.pids()
        assert_error(c.post("/api/restore", json={"text": SPUN}), 504, "timeout")
        assert c.get("/api/health").json()["in_flight"] == 0  # the slot is free, not held by the old work
        assert not set(stuck) & set(pool.pids())
        assert eventually(lambda: not any(_alive(pid) for pid in stuck), 5)  # SIGKILLed; gone in a moment
        blocking.release()  # fresh workers answer; the killed one never did
        assert c.post("/api/restore", json={"text": SPUN}).status_code == 200


def test_four_timed_out_big_restores_do_not_hold_every_slot():
    """Defect 2 of issue 14: four 500 KB bodies timing out kept all four slots for minutes."""

    class SlowOnBigTexts(FakeRestorer):
        def restore(self, text, threshold=None):
            if len(text) > 100_000:
                time.sleep(600)  # far past any deadline: only killing the worker ends it
            return super().restore(text, threshold)

    big = ("The corporate said gross sales rose. " * 14_000)[:500_000]
    with make_client(restorer=SlowOnBigTexts(), timeout_s=1.0, max_in_flight=4, max_text_chars=600_000) as c:
        results = []
        threads = [threading.Thread(target=lambda: results.append(c.post("/api/restore", json={"text": big})))
                   for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert [r.status_code for r in results] == [504] * 4
        assert c.get("/api/health").json()["in_flight"] == 0
        assert c.post("/api/restore", json={"text": SPUN}).status_code == 200
        assert c.app.state.pool.killed == 4


def eventually(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return not _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return False


def test_engines_are_loaded_once_and_shared():
    loads = []
    restorer = FakeRestorer()

    def load():
        from unspin.serve.app import engines_for

        loads.append(1)
        return engines_for(restorer, fake_scanner(restorer))

    app = create_app(settings=ServeSettings(), load_engines=load)
    assert loads == []  # nothing is loaded before the server starts
    with TestClient(app, base_url=LOCAL) as c:
        for _ in range(3):
            assert c.post("/api/restore", json={"text": SPUN}).status_code == 200
    assert loads == [1]


def test_an_engine_is_never_called_twice_at_once_in_one_process(tmp_path):
    """A restorer that is not thread-safe (a neural reranker) is safe: each worker process runs
    one call at a time, and calls run in parallel only across processes."""
    calls = Journal(tmp_path / "calls")

    class Unsafe(FakeRestorer):
        thread_safe = False

        def restore(self, text, threshold=None):
            started = time.monotonic()
            time.sleep(0.05)
            calls.append([os.getpid(), started, time.monotonic()])
            return super().restore(text, threshold)

    with make_client(restorer=Unsafe(), max_in_flight=4, max_queued=4) as c:
        threads = [threading.Thread(target=c.post, args=("/api/restore",), kwargs={"json": {"text": SPUN}})
                   for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
    seen = calls.read()
    assert len(seen) == 8 and os.getpid() not in {pid for pid, _, _ in seen}
    for pid in {pid for pid, _, _ in seen}:
        spans = sorted((start, end) for p, start, end in seen if p == pid)
        assert all(end <= next_start for (_, end), (next_start, _) in zip(spans, spans[1:]))


def test_settings_refuse_nonsense():
    with pytest.raises(ValueError):
        ServeSettings(max_in_flight=0)
    with pytest.raises(ValueError):
        ServeSettings(max_body_bytes=0)
    assert ServeSettings().host == "127.0.0.1"


# ------------------------------------------------------------------ page and docs, all local


def test_page_and_its_assets_are_served_locally(client):
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "default-src 'self'" in page.headers["content-security-policy"]
    for asset in ("/static/app.js", "/static/app.css"):
        assert client.get(asset).status_code == 200


@pytest.mark.parametrize("name", ["index.html", "app.js", "app.css"])
def test_page_files_load_nothing_from_elsewhere(name):
    source = (STATIC / name).read_text()
    assert not re.search(r"(?:src|href)\s*=\s*[\"']?(?:https?:)?//", source)
    assert not re.search(r"url\(\s*[\"']?(?:https?:)?//", source)
    assert "@import" not in source and "fonts.googleapis" not in source


def test_docs_are_local_and_describe_both_body_kinds(client):
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert not re.search(r"(?:src|href)=[\"']https?://", docs.text)
    spec = client.get("/openapi.json").json()
    for path in ("/api/restore", "/api/scan"):
        content = spec["paths"][path]["post"]["requestBody"]["content"]
        assert {"application/json", "multipart/form-data"} <= set(content)
    assert "/api/health" in spec["paths"]
    for asset in re.findall(r"(?:src|href)=\"(/docs/assets/[^\"]+)\"", docs.text):
        assert client.get(asset).status_code == 200


def test_the_guard_refuses_outbound_connections_but_not_loopback(monkeypatch):
    attempts = []

    def fake_connect(self, address):  # never touches the network
        attempts.append(address)

    monkeypatch.setattr(socket.socket, "connect", fake_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", fake_connect)
    monkeypatch.setattr(socket.socket, "_unspin_guarded", False, raising=False)
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE", "HF_HUB_DISABLE_TELEMETRY"):
        monkeypatch.delenv(name, raising=False)
    forbid_outbound_network()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        with pytest.raises(ConnectionRefusedError):
            s.connect(("93.184.216.34", 443))
        with pytest.raises(ConnectionRefusedError):
            s.connect_ex(("example.org", 80))
        s.connect(("127.0.0.1", 9))
    assert attempts == [("127.0.0.1", 9)]
    import os

    assert os.environ["HF_HUB_OFFLINE"] == "1"


# ------------------------------------------------------------------ the command line


def test_cli_serve_defaults_bind_to_loopback():
    from unspin.cli import build_parser
    from unspin.cli.serve import settings_from_args

    args = build_parser().parse_args(["serve"])
    settings = settings_from_args(args)
    assert (settings.host, settings.port, settings.max_body_bytes, settings.timeout_s, settings.max_in_flight) == (
        "127.0.0.1", 8000, 5 * 1024 * 1024, 30.0, 4)
    args = build_parser().parse_args(["serve", "--max-body-mb", "0.5", "--max-in-flight", "2", "--lm", "smollm2",
                                      "--format", "json"])
    assert settings_from_args(args).max_body_bytes == 512 * 1024 and args.format == "json"
    assert json.dumps(dataclasses.asdict(settings_from_args(args)))


# ------------------------------------------------------------------ a real server process


def test_stand_in_server_process_prints_its_url_and_answers():
    """`unspin serve`'s runner in a subprocess (the bench's stand-in engine): port 0, the JSON
    startup line with the bound URL, health, a scan, and a clean stop."""
    import os
    import signal
    import subprocess
    import sys

    import httpx

    process = subprocess.Popen(
        [sys.executable, "-m", "unspin.bench.serve", "--port", "0", "--format", "json", "--fake-delay-ms", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        line = process.stdout.readline()
        started = json.loads(line)
        assert started["event"] == "listening" and started["host"] == "127.0.0.1" and started["port"] > 0
        url = started["url"]
        assert url == f"http://127.0.0.1:{started['port']}/"
        assert httpx.get(url + "api/health", trust_env=False).json()["status"] == "ok"
        body = httpx.post(url + "api/scan", json={"text": SPUN}, trust_env=False).json()
        assert body["findings"][0]["suggestion"] == "company"
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=15)
    assert process.returncode == 0, err


@pytest.mark.integration
def test_default_app_loads_the_real_engines_once():
    from unspin.errors import ArtifactError
    from unspin.serve.app import build_default_app

    try:
        with TestClient(build_default_app(ServeSettings()), base_url=LOCAL) as c:
            body = c.post("/api/restore", json={"text": "Sales rose 5 p.c. last year."}).json()
            report = c.post("/api/scan", json={"text": "Sales rose 5 p.c. last year.", "doc_id": "d"}).json()
    except (ArtifactError, ImportError) as exc:
        pytest.skip(f"real engine not available: {exc}")
    assert set(body) == {"schema_version", "text", "restored", "words", "edits", "signals"}
    assert report["doc_id"] == "d" and 0.0 <= report["spin_probability"] <= 1.0


def test_a_body_that_arrives_too_slowly_is_408():
    import asyncio

    app = create_app(FakeRestorer(), fake_scanner(FakeRestorer()), ServeSettings(timeout_s=0.2))
    sent = []

    async def drive():
        async with app.router.lifespan_context(app):  # sets up the engines and the gate
            async def receive():
                await asyncio.sleep(0.15)
                return {"type": "http.request", "body": b" ", "more_body": True}

            async def send(message):
                sent.append(message)

            scope = {"type": "http", "method": "POST", "path": "/api/restore", "raw_path": b"/api/restore",
                     "query_string": b"", "headers": [(b"content-type", b"application/json"), (b"host", b"127.0.0.1")],
                     "root_path": "",
                     "scheme": "http", "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 1),
                     "http_version": "1.1"}
            await app(scope, receive, send)

    asyncio.run(drive())
    assert sent[0]["status"] == 408 and json.loads(sent[1]["body"])["code"] == "request_timeout"


def test_a_non_finite_score_is_written_as_null():
    import math

    from unspin.types import Evidence

    class Infinite(FakeRestorer):
        def restore(self, text, threshold=None):
            r = super().restore(text, threshold)
            edits = tuple(dataclasses.replace(e, evidence=Evidence(("fake",), math.inf, -math.inf)) for e in r.edits)
            return dataclasses.replace(r, edits=edits)

    with make_client(restorer=Infinite()) as c:
        response = c.post("/api/restore", json={"text": SPUN})
    assert response.status_code == 200
    evidence = response.json()["edits"][0]["evidence"]
    assert evidence["lm_gain"] is None and evidence["channel"] is None


def test_queued_requests_wait_for_a_slot_instead_of_503():
    import threading
    import time

    from fakes import FakeRestorer

    class Slow(FakeRestorer):
        def restore(self, text, threshold=None):
            time.sleep(0.3)
            return super().restore(text, threshold)

    with make_client(restorer=Slow(), max_in_flight=1, max_queued=2, timeout_s=5) as c:
        statuses = []
        threads = [threading.Thread(target=lambda: statuses.append(c.post("/api/restore", json={"text": SPUN}).status_code)) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(statuses) == [200, 200, 200]


def test_a_worker_is_replaced_after_max_jobs_per_worker():
    with make_client(max_in_flight=1, max_jobs_per_worker=2) as c:
        pool = c.app.state.pool
        first = pool.pids()
        for _ in range(2):
            assert c.post("/api/restore", json={"text": SPUN}).status_code == 200
        assert pool.pids() != first and pool.killed == 1
        assert c.post("/api/restore", json={"text": SPUN}).status_code == 200


def test_a_worker_killed_while_idle_is_replaced_before_it_is_used():
    import signal

    with make_client(max_in_flight=1) as c:
        (pid,) = c.app.state.pool.pids()
        os.kill(pid, signal.SIGKILL)
        assert eventually(lambda: not _alive(pid), 5)
        assert c.post("/api/scan", json={"text": SPUN}).status_code == 200
        assert pid not in c.app.state.pool.pids()


def test_a_worker_that_dies_mid_job_is_a_json_500_and_the_next_request_is_answered():
    class Dying(FakeRestorer):
        def restore(self, text, threshold=None):
            if "die" in text:
                os._exit(3)  # a crash in native code looks like this from outside
            return super().restore(text, threshold)

    with make_client(restorer=Dying(), max_in_flight=1) as c:
        assert_error(c.post("/api/restore", json={"text": "die now"}), 500, "worker_died")
        assert c.post("/api/restore", json={"text": SPUN}).status_code == 200


def test_other_endpoints_get_the_scan_report_itself_from_a_worker(client):
    import asyncio

    from unspin.serve.schemas import Submission

    pool = client.app.state.pool
    report = client.portal.call(pool.run, "scan_report", Submission(text=SPUN, doc_id="lt"))
    assert isinstance(report, DocReport) and report.doc_id == "lt" and report.findings
    assert asyncio.iscoroutinefunction(pool.run)
