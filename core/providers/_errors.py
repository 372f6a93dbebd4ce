"""One exception tree for provider calls, split by what the caller can do about it.

- :class:`APIConnectionError`: no response arrived (connect/read timeout, reset). Safe to retry
  *except* for a start whose request may have reached the server: that is
  :class:`StartOutcomeUnknown`, which the batch layer reconciles instead of re-sending.
- :class:`APIStatusError`: the server answered with an error status; one subclass per action.
- Generation outcomes (the request was fine, the video is not): moderation, failure, expiry,
  our own deadline, and download problems.

No message or ``repr`` ever contains the API key: bodies and messages pass through
:func:`core.secrets.redact` when the error is built.
"""

from __future__ import annotations

from typing import Any

from core.secrets import redact


class ProviderError(Exception):
    """Root of every provider error."""

    def __init__(self, message: str) -> None:
        super().__init__(redact(message))


class MissingApiKey(ProviderError):
    """No API key is configured; raised when the client is built, before any request."""


class APIConnectionError(ProviderError):
    """No HTTP response arrived (connection refused/reset, timeout).

    ``request_sent`` is False only when the connection itself could not be made, so the
    server cannot have seen the request (the one case where re-sending a start is safe).
    """

    def __init__(self, message: str, request_sent: bool = True) -> None:
        self.request_sent = request_sent
        super().__init__(message)


class StartOutcomeUnknown(APIConnectionError):
    """A start request was sent but no answer came back: it may or may not have been billed.

    Never re-sent automatically (xAI has no idempotency key); the batch layer decides.
    """


class APIStatusError(ProviderError):
    """The server answered with an error status.

    Attributes
    ----------
    status_code:
        The HTTP status.
    request_id:
        The generation's request id when the call concerned one, else ``None``.
    body:
        The parsed JSON error body (either of xAI's two shapes), or the raw text.
    server_message:
        The human message extracted from the body.
    """

    def __init__(
        self,
        status_code: int,
        server_message: str,
        body: Any = None,
        request_id: str | None = None,
    ) -> None:
        self.status_code = status_code
        self.server_message = redact(server_message)
        self.body = body
        self.request_id = request_id
        super().__init__(f"HTTP {status_code}: {self.server_message}")


class AuthError(APIStatusError):
    """The key is wrong, missing or lacks permission (400 "incorrect API key", 401, 403)."""


class InvalidRequest(APIStatusError):
    """The request is wrong (400, 404, 422); the message names the field when the server did."""


class RateLimited(APIStatusError):
    """429 after retries ran out. ``retry_after_s`` is the server's hint when it gave one."""

    def __init__(self, *args: Any, retry_after_s: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.retry_after_s = retry_after_s


class ServerError(APIStatusError):
    """5xx (or 408/409) after retries ran out."""


class ModerationBlocked(ProviderError):
    """The video was generated but broke moderation rules; no URL is given (it may be billed).

    ``cost_usd_ticks`` is what the provider reported charging for it (``None``: not reported).
    """

    def __init__(self, request_id: str, cost_usd_ticks: int | None = None) -> None:
        self.request_id = request_id
        self.cost_usd_ticks = cost_usd_ticks
        super().__init__(f"generation {request_id} was blocked by moderation")


class GenerationFailed(ProviderError):
    """The provider reported ``failed`` with an error code and message."""

    def __init__(self, request_id: str, code: str, message: str) -> None:
        self.request_id, self.code = request_id, code
        super().__init__(f"generation {request_id} failed: {code}: {message}")


class GenerationExpired(ProviderError):
    """The provider reported ``expired`` for the request."""

    def __init__(self, request_id: str) -> None:
        self.request_id = request_id
        super().__init__(f"generation {request_id} expired")


class DeadlineExceeded(ProviderError):
    """Our own overall deadline passed while the generation was still pending."""

    def __init__(self, request_id: str, deadline_s: float) -> None:
        self.request_id, self.deadline_s = request_id, deadline_s
        super().__init__(f"generation {request_id} still pending after {deadline_s:.0f} s")


class DownloadError(ProviderError):
    """The video could not be downloaded or is not a valid video.

    ``expired_url`` is True when the media URL answered 404/403/410 (a new poll may give a new URL).
    """

    def __init__(self, message: str, expired_url: bool = False) -> None:
        self.expired_url = expired_url
        super().__init__(message)
