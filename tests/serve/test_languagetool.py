"""The LanguageTool-compatible endpoint: raw HTTP fields, and a real LanguageTool client
(`language-tool-python`) pointed at unspin's server on loopback as its remote server."""

from __future__ import annotations

import json
import threading
import time

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from fakes import FakeRestorer  # noqa: E402
from unspin.serve.app import create_app  # noqa: E402
from unspin.serve.settings import ServeSettings  # noqa: E402
from unspin.types import DocReport, Finding, FindingKind  # noqa: E402

# an emoji (2 UTF-16 units), a combining accent and CRLF before the findings
TEXT = "Caf\u0065\u0301 news 😀 today.\r\nThe corporate said counterfeit consciousness would lift gross sales."


def scanner_for(restorer: FakeRestorer):
    def scan(text: str) -> DocReport:
        edits = restorer.restore(text).edits
        findings = tuple(
            Finding(e.span, e.observed, e.original,
                    FindingKind.FINGERPRINT if e.observed == "counterfeit consciousness" else FindingKind.MODEL,
                    0.9, e.alternatives, {"lm_gain": 3.0}, "screen:moby")
            for e in edits)
        return DocReport("", 0.97, True, 15, findings, 100.0)

    return scan


def make_app():
    restorer = FakeRestorer()
    return create_app(restorer, scanner_for(restorer), ServeSettings())


def utf16_slice(text: str, offset: int, length: int) -> str:
    data = text.encode("utf-16-le")
    return data[2 * offset: 2 * (offset + length)].decode("utf-16-le")


def test_check_answers_in_languagetool_format_with_utf16_offsets():
    with TestClient(make_app(), base_url="http://127.0.0.1:8000") as client:
        response = client.post("/v2/check", data={"text": TEXT, "language": "en-US"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["software"]["name"] == "unspin" and body["language"]["code"] == "en-US"
    matches = body["matches"]
    assert [utf16_slice(TEXT, m["offset"], m["length"]) for m in matches] == \
        ["corporate", "counterfeit consciousness", "gross sales"]
    known = matches[1]
    assert known["message"] == ("Known tortured phrase for 'artificial intelligence' "
                                "(listed by the Problematic Paper Screener).")
    assert known["shortMessage"] == "Known tortured phrase"
    assert known["replacements"][0] == {"value": "artificial intelligence"}
    assert all(r["value"] != "counterfeit consciousness" for r in known["replacements"])
    assert known["rule"]["id"] == "UNSPIN_KNOWN_TORTURED_PHRASE"
    assert set(known["rule"]) >= {"id", "description", "issueType", "category"}
    assert set(known["rule"]["category"]) == {"id", "name"}
    context = known["context"]
    assert utf16_slice(context["text"], context["offset"], context["length"]) == "counterfeit consciousness"
    assert known["sentence"].startswith("The corporate said counterfeit consciousness")
    assert matches[0]["message"] == "Unusual wording: spinners turn 'company' into this."


def test_check_takes_annotated_data_and_keeps_document_offsets():
    data = {"annotation": [{"markup": "<p>"}, {"text": "The corporate said so."}, {"markup": "</p>"}]}
    with TestClient(make_app(), base_url="http://127.0.0.1:8000") as client:
        response = client.post("/v2/check", data={"data": json.dumps(data), "language": "auto"})
    match = response.json()["matches"][0]
    assert (match["offset"], match["length"]) == (len("<p>The "), len("corporate"))


def test_languages_and_bad_requests():
    with TestClient(make_app(), base_url="http://127.0.0.1:8000") as client:
        languages = client.get("/v2/languages").json()
        assert {"name", "code", "longCode"} <= set(languages[0]) and "en-US" in {x["longCode"] for x in languages}
        assert client.post("/v2/check", data={"language": "en-US"}).status_code == 400
        refused = client.post("/v2/check", data={"text": "Hola", "language": "es"})
        assert refused.status_code == 400 and "en-US" in refused.json()["message"]


@pytest.fixture(scope="module")
def server_url():
    uvicorn = pytest.importorskip("uvicorn")
    server = uvicorn.Server(uvicorn.Config(make_app(), host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}/"
    server.should_exit = True
    thread.join(10)


def test_language_tool_python_uses_unspin_as_its_remote_server(server_url):
    language_tool_python = pytest.importorskip("language_tool_python")
    tool = language_tool_python.LanguageTool("en-US", remote_server=server_url)
    try:
        matches = tool.check(TEXT)
        corrected = tool.correct(TEXT)
    finally:
        tool.close()
    # the client turns LanguageTool's UTF-16 offsets back into Python ones: they must land exactly
    assert [TEXT[m.offset:m.offset + m.error_length] for m in matches] == \
        ["corporate", "counterfeit consciousness", "gross sales"]
    assert matches[1].rule_id == "UNSPIN_KNOWN_TORTURED_PHRASE" and matches[1].category == "UNSPIN"
    assert corrected.endswith("The company said artificial intelligence would lift sales.")
    assert corrected.startswith("Caf\u0065\u0301 news 😀 today.\r\n")
