"""The X client's errors: one tree, split by what the user can do, built in one place.

:func:`error_for_response` turns any non-2xx answer (from our own requests or from tweepy's
v1.1 fallback) into the matching class; messages are plain sentences that name the HTTP
status and X's own explanation, with anything secret-shaped removed.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from core.secrets import redact


class XError(Exception):
    """Root of every error talking to X."""

    def __init__(self, message: str, status_code: int | None = None, body: Any = None) -> None:
        super().__init__(redact(message))
        self.status_code = status_code
        """HTTP status; ``None`` when no response arrived."""
        self.body = body
        """X's parsed JSON answer (or text) when there was one."""


class XCredentialsError(XError):
    """X credentials are missing from the settings; nothing was sent."""


class XConnectionError(XError):
    """No answer from X: connection refused or reset, or a timeout."""


class XAuthError(XError):
    """401: X does not accept the credentials."""


class XPermissionError(XError):
    """403: the credentials work but may not do this (often: the app is read-only)."""


class XRequestError(XError):
    """Another 4xx: X refused this request as sent."""


class XChunkTooLargeError(XError):
    """431: an upload chunk was larger than X accepts."""


class XRateLimitError(XError):
    """429: too many requests; ``reset_at`` says when X allows more (``None``: unknown)."""

    def __init__(self, message: str, reset_at: datetime | None, body: Any = None) -> None:
        super().__init__(message, 429, body)
        self.reset_at = reset_at


class XServerError(XError):
    """5xx: X failed; trying again later usually works."""


class XProcessingError(XError):
    """X accepted the upload but could not process the video (or took too long)."""


class XCancelled(XError):
    """The user cancelled the upload."""


WRITE_PERMISSION_HINT = (
    "the app lacks write permission — set it to 'Read and Write' in the X developer portal, "
    "then regenerate the access token and secret (tokens keep the permission they were made with)"
)


def x_message(body: Any) -> str:
    """X's own explanation from an error body (v2 ``detail``/``title`` or v1.1 ``errors``)."""
    if isinstance(body, dict):
        for key in ("detail", "title", "error", "message"):
            if isinstance(body.get(key), str):
                return str(body[key])
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            first = errors[0]
            code = f" (code {first['code']})" if "code" in first else ""
            return f"{first.get('message') or first.get('detail') or 'error'}{code}"
    return str(body)[:300] if body else "no details given"


def parse_body(text: str) -> Any:
    """JSON when the body is JSON, else the text itself."""
    try:
        return json.loads(text) if text else None
    except ValueError:
        return text


def reset_time(headers: Any) -> datetime | None:
    """``x-rate-limit-reset`` (epoch seconds) as an aware UTC time, if present and sane."""
    try:
        return datetime.fromtimestamp(int(headers.get("x-rate-limit-reset")), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def error_for_response(status: int, headers: Any, body: Any, what: str) -> XError:
    """The error for a non-2xx answer to ``what`` (e.g. ``"video upload (initialize)"``)."""
    said = x_message(body)
    if status == 401:
        return XAuthError(
            f"X refused the credentials for {what} (401: {said}). Check X_CONSUMER_KEY, "
            "X_CONSUMER_SECRET, X_ACCESS_TOKEN and X_ACCESS_TOKEN_SECRET.",
            status,
            body,
        )
    if status == 403:
        hint = WRITE_PERMISSION_HINT
        if "client-not-enrolled" in json.dumps(body, default=str):
            hint = "the app must be attached to a Project in the X developer portal"
        return XPermissionError(f"X refused {what} (403: {said}): {hint}.", status, body)
    if status == 429:
        return _rate_limited(what, reset_time(headers), body)
    if status == 431:
        return XChunkTooLargeError(
            f"X refused an upload chunk as too large during {what} (431: {said}).", status, body
        )
    if status >= 500:
        return XServerError(f"X failed during {what} ({status}: {said}); try later.", status, body)
    return XRequestError(f"X refused {what} ({status}: {said}).", status, body)


def _rate_limited(what: str, reset_at: datetime | None, body: Any) -> XRateLimitError:
    if reset_at is None:
        when = "later (X did not say when)"
    else:
        minutes = max(0, round((reset_at - datetime.now(UTC)).total_seconds() / 60))
        when = f"after {reset_at:%H:%M:%S} UTC (in about {minutes} min)"
    message = f"X's rate limit is reached for {what}; try again {when}."
    return XRateLimitError(message, reset_at, body)
