"""HTTP error responses (both body shapes) map to the right typed error and message."""

from __future__ import annotations

import pytest

from core.providers import (
    AuthError,
    InvalidRequest,
    RateLimited,
    ServerError,
)
from core.providers._status import server_message, status_error

BAD_KEY = {
    "code": "Client specified an invalid argument",
    "error": "Incorrect API key provided: xa***yz. You can obtain an API key from "
    "https://console.x.ai.",
}
FLAT = {"code": "Client specified an invalid argument", "error": "duration must be 1-15"}
NESTED = {"error": {"message": "model not found", "code": "not_found"}}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (FLAT, "duration must be 1-15"),
        (NESTED, "model not found"),
        ({"code": 429, "error": "You ran out of credits."}, "You ran out of credits."),
        ({"message": "plain message"}, "plain message"),
        ({"code": "Some code only"}, "Some code only"),
        ("<html>Bad gateway</html>", "<html>Bad gateway</html>"),
        ("x" * 1000, "x" * 300),
        (None, "no error message"),
        ({}, "no error message"),
    ],
)
def test_server_message_reads_both_shapes(body, expected):
    assert server_message(body) == expected


@pytest.mark.parametrize(
    ("status", "body", "headers", "error_type"),
    [
        (400, BAD_KEY, {}, AuthError),
        (400, FLAT, {}, InvalidRequest),
        (401, {"error": "missing header"}, {}, AuthError),
        (403, NESTED, {}, AuthError),
        (404, NESTED, {}, InvalidRequest),
        (405, "method not allowed", {}, InvalidRequest),
        (415, FLAT, {}, InvalidRequest),
        (422, {"error": {"message": "missing field `prompt`"}}, {}, InvalidRequest),
        (429, {"code": 429, "error": "slow down"}, {"Retry-After": "3"}, RateLimited),
        (408, "timeout", {}, ServerError),
        (409, "conflict", {}, ServerError),
        (500, NESTED, {}, ServerError),
        (502, "<html>", {}, ServerError),
        (503, FLAT, {}, ServerError),
    ],
)
def test_status_error_types(status, body, headers, error_type):
    error = status_error(status, body, headers, request_id="rid-1")
    assert type(error) is error_type
    assert error.status_code == status
    assert error.request_id == "rid-1"
    assert error.body == body
    assert str(error).startswith(f"HTTP {status}: ")
    assert server_message(body) in str(error)


def test_rate_limited_carries_the_hint():
    error = status_error(429, {"error": "x"}, {"retry-after-ms": "1500"})
    assert isinstance(error, RateLimited)
    assert error.retry_after_s == 1.5
    assert status_error(429, {"error": "x"}, {}).retry_after_s is None  # type: ignore[attr-defined]


def test_unknown_json_body_is_shown_as_json():
    assert server_message({"detail_x": 1}) == '{"detail_x": 1}'
