"""The retry policy as a table: which failures retry, and how long each wait is."""

from __future__ import annotations

import email.utils

import pytest

from core.providers._constants import (
    INITIAL_RETRY_DELAY_S,
    MAX_RETRY_AFTER_S,
    MAX_RETRY_DELAY_S,
)
from core.providers._retry import backoff_s, retry_after_s, retry_delay, should_retry

NOW_S = 1_800_000_000.0  # a frozen "now" for HTTP-date hints


def _http_date(epoch_s: float) -> str:
    return email.utils.formatdate(epoch_s, usegmt=True)


@pytest.mark.parametrize(
    ("status", "headers", "expected"),
    [
        (None, {}, True),  # connection error / timeout
        (408, {}, True),
        (409, {}, True),
        (429, {}, True),
        (500, {}, True),
        (502, {}, True),
        (503, {}, True),
        (504, {}, True),
        (400, {}, False),
        (401, {}, False),
        (403, {}, False),
        (404, {}, False),
        (415, {}, False),
        (422, {}, False),
        (200, {}, False),
        (400, {"x-should-retry": "true"}, True),  # the server's override wins
        (503, {"x-should-retry": "false"}, False),
        (503, {"X-Should-Retry": "FALSE"}, False),
        (429, {"x-should-retry": "maybe"}, True),  # unreadable override is ignored
    ],
)
def test_should_retry(status, headers, expected):
    assert should_retry(status, headers) is expected


@pytest.mark.parametrize(
    ("headers", "expected_s"),
    [
        ({}, None),
        ({"retry-after-ms": "1500"}, 1.5),
        ({"Retry-After-Ms": "20"}, 0.02),
        ({"retry-after-ms": "1500", "retry-after": "9"}, 1.5),  # ms form wins
        ({"retry-after-ms": "soon", "retry-after": "9"}, 9.0),  # unreadable ms falls through
        ({"Retry-After": "3"}, 3.0),
        ({"retry-after": "2.5"}, 2.5),
        ({"retry-after": _http_date(NOW_S + 30)}, 30.0),
        ({"retry-after": _http_date(NOW_S - 30)}, -30.0),
        ({"retry-after": "next tuesday"}, None),
    ],
)
def test_retry_after_s(headers, expected_s):
    assert retry_after_s(headers, now_s=NOW_S) == expected_s


@pytest.mark.parametrize(
    ("attempt", "headers", "rand", "expected_s"),
    [
        (0, {}, 1.0, INITIAL_RETRY_DELAY_S),  # full jitter: top of the first window
        (0, {}, 0.0, 0.0),  # ... and its bottom
        (1, {}, 1.0, 2 * INITIAL_RETRY_DELAY_S),
        (3, {}, 0.5, 4 * INITIAL_RETRY_DELAY_S),
        (10, {}, 1.0, MAX_RETRY_DELAY_S),  # capped
        (0, {"retry-after": "7"}, 0.0, 7.0),  # hint obeyed exactly, no jitter
        (5, {"retry-after-ms": "250"}, 1.0, 0.25),
        (0, {"retry-after": str(MAX_RETRY_AFTER_S)}, 1.0, MAX_RETRY_AFTER_S),
        (0, {"retry-after": str(MAX_RETRY_AFTER_S + 1)}, 1.0, None),  # too long: give up
        (0, {"retry-after": _http_date(NOW_S + 600)}, 1.0, None),
        (1, {"retry-after": "0"}, 1.0, 2 * INITIAL_RETRY_DELAY_S),  # zero: backoff
        (1, {"retry-after": _http_date(NOW_S - 5)}, 1.0, 2 * INITIAL_RETRY_DELAY_S),  # past
    ],
)
def test_retry_delay(attempt, headers, rand, expected_s):
    assert retry_delay(attempt, headers, rand=lambda: rand, now_s=NOW_S) == expected_s


@pytest.mark.parametrize("attempt", range(12))
@pytest.mark.parametrize("rand", [0.0, 0.3, 0.999])
def test_backoff_stays_within_its_window(attempt, rand):
    ceiling_s = min(MAX_RETRY_DELAY_S, INITIAL_RETRY_DELAY_S * 2**attempt)
    assert 0.0 <= backoff_s(attempt, lambda: rand) <= ceiling_s
    assert backoff_s(attempt, lambda: rand) == pytest.approx(ceiling_s * rand)
