"""The transport retry policy as small pure functions (tested as a table).

Adapted in spirit from openai-python's ``_should_retry`` / ``_parse_retry_after_header`` /
``_calculate_retry_timeout`` (Apache-2.0), with two deliberate differences: full-jitter
backoff (a random wait between 0 and the exponential ceiling, so many workers hit by one 429
spread out instead of retrying in lock-step) and a hint longer than
:data:`MAX_RETRY_AFTER_S` ends the retries instead of being ignored.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable, Mapping

from core.providers._constants import (
    INITIAL_RETRY_DELAY_S,
    MAX_RETRY_AFTER_S,
    MAX_RETRY_DELAY_S,
)

RETRYABLE_STATUSES = frozenset({408, 409, 429})


def should_retry(status: int | None, headers: Mapping[str, str] | None = None) -> bool:
    """Whether a failed attempt may be repeated.

    Parameters
    ----------
    status:
        The HTTP status, or ``None`` when no response arrived (connection error). The caller
        decides separately whether the request may have reached the server (a start is then
        never repeated).
    headers:
        Response headers; ``x-should-retry: true|false`` from the server overrides the rules.
    """
    hint = _lower(headers).get("x-should-retry", "").lower()
    if hint in ("true", "false"):
        # The server knows best (openai-python's convention).
        return hint == "true"
    if status is None:
        # No response: a dropped connection or timeout is usually transient.
        return True
    if status in RETRYABLE_STATUSES:
        # 408 request timeout, 409 lock conflict, 429 rate limit: all transient by definition.
        return True
    # 5xx: the server failed, not the request. Other 4xx would fail identically again.
    return status >= 500


def retry_after_s(headers: Mapping[str, str] | None, now_s: float | None = None) -> float | None:
    """The server's wait hint in seconds, or ``None`` when it gave none (or an unreadable one).

    Reads ``retry-after-ms`` first, then ``Retry-After`` as seconds (floats allowed), then
    ``Retry-After`` as an HTTP date (relative to ``now_s``, epoch seconds, default now).
    """
    headers = _lower(headers)
    try:
        return float(headers["retry-after-ms"]) / 1000.0
    except (KeyError, ValueError):
        pass
    raw = headers.get("retry-after")
    if raw is None:
        return None
    try:
        return float(raw)
    except ValueError:
        pass
    parsed = email.utils.parsedate_tz(raw)
    if parsed is None:
        return None
    now = time.time() if now_s is None else now_s
    return float(email.utils.mktime_tz(parsed)) - now


def backoff_s(attempt: int, rand: Callable[[], float] = random.random) -> float:
    """Full-jitter exponential backoff: uniform in [0, min(cap, initial * 2**attempt)].

    ``attempt`` counts retries already made (0 before the first retry).
    """
    ceiling = min(MAX_RETRY_DELAY_S, INITIAL_RETRY_DELAY_S * 2.0**attempt)
    return ceiling * rand()


def retry_delay(
    attempt: int,
    headers: Mapping[str, str] | None = None,
    rand: Callable[[], float] = random.random,
    now_s: float | None = None,
) -> float | None:
    """Seconds to wait before retry number ``attempt + 1``; ``None`` means do not retry.

    A server hint in (0, :data:`MAX_RETRY_AFTER_S`] is obeyed exactly; a longer hint ends the
    retries (the caller raises with the hint so a batch can defer the job); no hint, or a zero
    or negative one, falls back to :func:`backoff_s`.
    """
    hint = retry_after_s(headers, now_s)
    if hint is not None and hint > MAX_RETRY_AFTER_S:
        return None
    if hint is not None and hint > 0:
        return hint
    return backoff_s(attempt, rand)


def _lower(headers: Mapping[str, str] | None) -> dict[str, str]:
    return {k.lower(): v for k, v in (headers or {}).items()}
