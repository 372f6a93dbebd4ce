"""Post a video tweet to X: chunked media upload, processing wait, tweet creation.

OAuth 1.0a user context (four secrets from :class:`core.config.Settings`) signs every request
(``requests_oauthlib.OAuth1``). The upload uses X's v2 path-style endpoints
(``/2/media/upload/initialize``, ``/{id}/append``, ``/{id}/finalize``, ``GET
/2/media/upload?command=STATUS``) with chunks of at most 2 MiB, because tweepy has none of
them; when X refuses v2 (403/404/410) it falls back to tweepy's v1.1 ``media_upload``
(:mod:`core.x_client.upload_v1`). Either way the processing state is checked until ``succeeded``
(tweepy does not check for ``failed``). The tweet is a signed ``POST /2/tweets``.

Every call has connect and read timeouts; a 429 whose ``x-rate-limit-reset`` is near is
waited out, a later one raises :class:`~core.x_client.errors.XRateLimitError` saying when to retry.
Base URLs are parameters so tests can point the client at a local fake server.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
from requests_oauthlib import OAuth1

from core.config import Settings
from core.secrets import Secret
from core.x_client.errors import (
    XCancelled,
    XConnectionError,
    XCredentialsError,
    XError,
    XProcessingError,
    XRateLimitError,
    error_for_response,
    parse_body,
)

log = logging.getLogger(__name__)
# oauthlib logs consumer keys, tokens and signature base strings at DEBUG: keep them out of
# every log even when the app runs with --verbose (the formatter redacts them as well).
for _name in ("oauthlib", "requests_oauthlib"):
    logging.getLogger(_name).setLevel(logging.INFO)

CHUNK_BYTES = 2 * 1024 * 1024
"""X has answered 431 to 5 MiB chunks on v2; 2 MiB is accepted (x-posting.md 3.2)."""
MAX_SEGMENTS = 1000
"""APPEND's ``segment_index`` runs 0-999."""
V2_REFUSED = (403, 404, 410)
"""Statuses of ``initialize`` that send the upload to the v1.1 fallback."""
PENDING_STATES = ("pending", "in_progress")

ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True)
class XCredentials:
    """The four OAuth 1.0a user-context secrets."""

    consumer_key: Secret
    consumer_secret: Secret
    access_token: Secret
    access_token_secret: Secret

    @classmethod
    def from_settings(cls, settings: Settings) -> XCredentials:
        """Take them from settings; :class:`XCredentialsError` names any that are missing."""
        names = {
            "X_CONSUMER_KEY": settings.x_consumer_key,
            "X_CONSUMER_SECRET": settings.x_consumer_secret,
            "X_ACCESS_TOKEN": settings.x_access_token,
            "X_ACCESS_TOKEN_SECRET": settings.x_access_token_secret,
        }
        missing = [name for name, value in names.items() if not value]
        if missing:
            raise XCredentialsError(
                f"posting to X needs {', '.join(missing)} (set them in .env or the settings)"
            )
        values = [v for v in names.values() if v]
        return cls(*values)

    def oauth1(self) -> OAuth1:
        """A request signer for ``requests``."""
        return OAuth1(
            self.consumer_key.get(),
            client_secret=self.consumer_secret.get(),
            resource_owner_key=self.access_token.get(),
            resource_owner_secret=self.access_token_secret.get(),
        )


@dataclass(frozen=True)
class XEndpoints:
    """Base URLs (no trailing slash); tests point them at a fake server."""

    api_base: str = "https://api.x.com"
    upload_v1_base: str = "https://upload.twitter.com"
    web_base: str = "https://x.com"


@dataclass(frozen=True)
class XLimits:
    """Timeouts and waits of the client."""

    connect_timeout_s: float = 10.0
    read_timeout_s: float = 120.0
    processing_deadline_s: float = 600.0
    """Give up waiting for X to process a video after this long."""
    max_status_wait_s: float = 30.0
    """Cap on X's ``check_after_secs`` between STATUS checks."""
    max_rate_wait_s: float = 60.0
    """A 429 whose reset is at most this far off is waited out; a later one is an error."""
    chunk_bytes: int = CHUNK_BYTES


@dataclass(frozen=True)
class PostedTweet:
    """A tweet X created."""

    tweet_id: str
    url: str
    media_id: str
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())


class XClient:
    """One signed HTTP session to X; not thread-safe (one client per worker).

    ``sleep`` and ``clock`` are injectable so tests need not wait for real.
    """

    def __init__(
        self,
        credentials: XCredentials,
        endpoints: XEndpoints | None = None,
        limits: XLimits | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.credentials = credentials
        self.endpoints = endpoints or XEndpoints()
        self.limits = limits or XLimits()
        self._sleep, self._clock = sleep, clock
        self._session = requests.Session()
        self._session.auth = credentials.oauth1()

    def close(self) -> None:
        """Close the HTTP session."""
        self._session.close()

    def __enter__(self) -> XClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(self, method: str, path: str, what: str, **kwargs: Any) -> Any:
        """Send a signed request to ``api_base + path``; return the parsed JSON body.

        Raises the :mod:`core.x_client.errors` class for the outcome; waits out a near 429 reset.
        """
        url = self.endpoints.api_base + path
        timeout = (self.limits.connect_timeout_s, self.limits.read_timeout_s)
        for _attempt in range(3):
            try:
                response = self._session.request(method, url, timeout=timeout, **kwargs)
            except requests.RequestException as err:
                raise XConnectionError(f"no answer from X during {what} ({err})") from err
            log.debug("%s %s -> %s", method, path.split("?")[0], response.status_code)
            body = parse_body(response.text)
            if response.status_code < 300:
                return body
            error = error_for_response(response.status_code, response.headers, body, what)
            if not self._wait_for_reset(error):
                raise error
        raise error

    def _wait_for_reset(self, error: XError) -> bool:
        if not isinstance(error, XRateLimitError) or error.reset_at is None:
            return False
        wait_s = error.reset_at.timestamp() - self._clock()
        if wait_s > self.limits.max_rate_wait_s:
            return False
        log.info("X rate limit: waiting %.0f s", max(wait_s, 0.0) + 1)
        self._sleep(max(wait_s, 0.0) + 1.0)
        return True

    def upload_video(
        self,
        path: Path,
        progress: ProgressFn | None = None,
        cancel: threading.Event | None = None,
    ) -> str:
        """Upload an MP4 and wait until X has processed it; return the media id.

        ``progress(bytes_sent, bytes_total)`` after each chunk; ``cancel`` is checked between
        requests (:class:`XCancelled`).
        """
        total = path.stat().st_size
        try:
            media_id = self._initialize(total)
        except XError as err:
            if err.status_code not in V2_REFUSED:
                raise
            log.info("X refused v2 media upload (%s); using v1.1", err.status_code)
            from core.x_client.upload_v1 import upload_v1

            return upload_v1(self, path, progress, cancel)
        for index, chunk in enumerate(self._chunks(path, total)):
            _check(cancel)
            self.request(
                "POST",
                f"/2/media/upload/{media_id}/append",
                "video upload (append)",
                data={"segment_index": str(index)},
                files={"media": ("blob", chunk, "application/octet-stream")},
            )
            if progress is not None:
                progress(min(total, (index + 1) * self.chunk_bytes(total)), total)
        finalized = self.request(
            "POST", f"/2/media/upload/{media_id}/finalize", "video upload (finalize)"
        )
        self.wait_processing(media_id, _processing_info(finalized), self._status_v2, cancel)
        return media_id

    def _initialize(self, total_bytes: int) -> str:
        body = self.request(
            "POST",
            "/2/media/upload/initialize",
            "video upload (initialize)",
            json={
                "media_type": "video/mp4",
                "total_bytes": total_bytes,
                "media_category": "tweet_video",
            },
        )
        media_id = _data(body).get("id")
        if not media_id:
            raise XError(f"X's initialize answer has no media id: {body!r}")
        return str(media_id)

    def chunk_bytes(self, total_bytes: int) -> int:
        """Chunk size for a file: the configured size, larger only past 1000 chunks."""
        return max(self.limits.chunk_bytes, math.ceil(total_bytes / MAX_SEGMENTS))

    def _chunks(self, path: Path, total: int) -> Iterator[bytes]:
        size = self.chunk_bytes(total)
        with path.open("rb") as handle:
            while chunk := handle.read(size):
                yield chunk

    def _status_v2(self, media_id: str) -> dict[str, Any] | None:
        body = self.request(
            "GET",
            "/2/media/upload",
            "video processing status",
            params={"command": "STATUS", "media_id": media_id},
        )
        return _processing_info(body)

    def wait_processing(
        self,
        media_id: str,
        info: dict[str, Any] | None,
        fetch: Callable[[str], dict[str, Any] | None],
        cancel: threading.Event | None,
    ) -> None:
        """Poll ``fetch`` until the state is ``succeeded`` (no info means nothing to wait for).

        Raises :class:`XProcessingError` for ``failed`` (with X's reason) or past the deadline.
        """
        deadline = self._clock() + self.limits.processing_deadline_s
        while info is not None and info.get("state") in PENDING_STATES:
            _check(cancel)
            if self._clock() > deadline:
                raise XProcessingError(
                    f"X was still processing media {media_id} after "
                    f"{self.limits.processing_deadline_s:.0f} s; try posting again later"
                )
            after = info.get("check_after_secs")
            wait_s = float(after) if isinstance(after, int | float) else 1.0
            self._sleep(min(max(wait_s, 0.0), self.limits.max_status_wait_s))
            info = fetch(media_id)
        state = info.get("state") if info else "succeeded"
        if state != "succeeded":
            raise XProcessingError(
                f"X could not process the video (state {state!r}): {_failure_reason(info)}",
                body=info,
            )

    def create_tweet(self, text: str, media_ids: list[str]) -> PostedTweet:
        """Post ``text`` with the uploaded media; return the tweet's id and URL."""
        body = self.request(
            "POST",
            "/2/tweets",
            "posting the tweet",
            json={"text": text, "media": {"media_ids": [str(m) for m in media_ids]}},
        )
        tweet_id = _data(body).get("id")
        if not tweet_id:
            raise XError(f"X's answer to the tweet has no id: {body!r}")
        url = f"{self.endpoints.web_base}/i/web/status/{tweet_id}"
        return PostedTweet(str(tweet_id), url, media_ids[0] if media_ids else "")


def _check(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise XCancelled("upload to X cancelled")


def _data(body: Any) -> dict[str, Any]:
    if isinstance(body, dict):
        data = body.get("data", body)
        if isinstance(data, dict):
            return data
    return {}


def _processing_info(body: Any) -> dict[str, Any] | None:
    info = _data(body).get("processing_info")
    return info if isinstance(info, dict) else None


def _failure_reason(info: dict[str, Any] | None) -> str:
    error = (info or {}).get("error")
    if isinstance(error, dict):
        return str(error.get("message") or error.get("name") or error)
    return "X gave no reason"
