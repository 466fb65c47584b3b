"""Property tests of the API (issue 14): whatever JSON (or junk) arrives, the answer is a 2xx or
a 4xx with a JSON error and the security headers, never a 5xx."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("fastapi")
hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.serve.test_api import make_client  # noqa: E402

ENDPOINTS = ("/api/restore", "/api/scan", "/api/extract")
SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "referrer-policy")

# Text with what hostile input holds: spun phrases, half surrogate pairs, NULs, controls.
texts = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["The corporate said gross sales rose by 5 p.c.", "", " \n\t", "\x00", "p.c. p.c."]),
    st.builds(lambda a, b: a + "\ud800" + b, st.text(max_size=10), st.text(max_size=10)),
    st.builds(lambda a: "\udfff" + a, st.text(max_size=10)),
)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True), texts)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
                           max_leaves=12)
requests = st.fixed_dictionaries({}, optional={"text": json_values | texts, "doc_id": json_values | texts,
                                               "threshold": json_values | st.floats(-1, 2)})
bodies = st.one_of(requests.map(json.dumps), json_values.map(json.dumps),
                   st.binary(max_size=80).map(lambda b: b.decode("latin-1")))


@pytest.fixture(scope="module")
def client():
    with make_client(max_queued=8) as c:
        yield c


def assert_2xx_or_4xx(response) -> None:
    assert 200 <= response.status_code < 300 or 400 <= response.status_code < 500, response.text
    for name in SECURITY_HEADERS:
        assert name in response.headers
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"status", "code", "message"} and body["status"] == response.status_code


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(endpoint=st.sampled_from(ENDPOINTS), body=bodies)
def test_any_json_body_gives_a_2xx_or_a_4xx(client, endpoint, body):
    response = client.post(endpoint, content=body.encode("utf-8", "surrogatepass"),
                           headers={"content-type": "application/json"})
    assert_2xx_or_4xx(response)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(endpoint=st.sampled_from(ENDPOINTS), payload=requests)
def test_a_well_formed_request_is_answered_or_refused_by_name(client, endpoint, payload):
    response = client.post(endpoint, content=json.dumps(payload).encode(), headers={"content-type": "application/json"})
    assert_2xx_or_4xx(response)
    text = payload.get("text")
    if response.status_code == 200 and endpoint == "/api/restore":
        assert response.json()["text"] == text


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(endpoint=st.sampled_from(ENDPOINTS), content_type=st.sampled_from(
    ["application/json", "text/plain", "multipart/form-data", "multipart/form-data; boundary=x", "", "application/x+json"]),
    body=st.binary(max_size=200))
def test_any_bytes_under_any_media_type_give_a_2xx_or_a_4xx(client, endpoint, content_type, body):
    assert_2xx_or_4xx(client.post(endpoint, content=body, headers={"content-type": content_type}))
