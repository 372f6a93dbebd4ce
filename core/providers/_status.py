"""Map an HTTP error response to its typed error (pure; tested as a table).

xAI error bodies come in two shapes (../shared/reference/xai-video-api.md 1.7): the flat
``{"code": "...", "error": "<message>"}`` and the OpenAI-style nested
``{"error": {"message": ..., "code": ...}}``. Both are read here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from core.providers._errors import (
    APIStatusError,
    AuthError,
    InvalidRequest,
    RateLimited,
    ServerError,
)
from core.providers._retry import retry_after_s

MAX_MESSAGE_CHARS = 300


def server_message(body: Any) -> str:
    """The human-readable message in an error body of either shape (or its raw text)."""
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])
        if isinstance(error, str) and error:
            return error
        for key in ("message", "detail", "code"):
            if body.get(key):
                return str(body[key])
    text = body if isinstance(body, str) else (json.dumps(body) if body else "")
    return text.strip()[:MAX_MESSAGE_CHARS] or "no error message"


def is_bad_key_message(message: str) -> bool:
    """True for xAI's 400 "Incorrect API key provided" (a key problem, not a bad request)."""
    lowered = message.lower()
    return "api key" in lowered and ("incorrect" in lowered or "invalid" in lowered)


def status_error(
    status: int,
    body: Any,
    headers: Mapping[str, str] | None = None,
    request_id: str | None = None,
) -> APIStatusError:
    """Build the typed error for an HTTP error status (the caller raises it).

    400 with a bad-key message, 401 and 403 are :class:`AuthError`; 429 is
    :class:`RateLimited` (with the server's wait hint); 408, 409 and 5xx are
    :class:`ServerError`; every other status is :class:`InvalidRequest`.
    """
    message = server_message(body)
    if status in (401, 403) or (status == 400 and is_bad_key_message(message)):
        return AuthError(status, message, body, request_id)
    if status == 429:
        hint = retry_after_s(headers)
        return RateLimited(status, message, body, request_id, retry_after_s=hint)
    if status in (408, 409) or status >= 500:
        return ServerError(status, message, body, request_id)
    return InvalidRequest(status, message, body, request_id)
