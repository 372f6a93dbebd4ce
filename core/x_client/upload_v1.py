"""Fallback video upload through tweepy's v1.1 ``media_upload`` (INIT/APPEND/FINALIZE).

Used only when X refuses the v2 upload endpoints. tweepy signs with the same OAuth 1.0a
credentials and has its own chunked upload, but it does not notice a ``failed`` processing
state and it only speaks https; so we disable its wait, poll STATUS ourselves with the same
rules as v2, and, for a plain-http base URL (a local test server), route its https requests
to http with a transport adapter.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests
import tweepy
from requests.adapters import HTTPAdapter

from core.x_client.errors import XConnectionError, XError, error_for_response, parse_body

if TYPE_CHECKING:
    from core.x_client.client import XClient


class _PlainHttpAdapter(HTTPAdapter):
    """Sends tweepy's hard-wired ``https://`` requests as ``http://`` (tests' fake server)."""

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        request.url = "http://" + str(request.url).removeprefix("https://")
        return super().send(request, *args, **kwargs)


def _api(client: XClient) -> tweepy.API:
    creds = client.credentials
    auth = tweepy.OAuth1UserHandler(
        creds.consumer_key.get(),
        creds.consumer_secret.get(),
        creds.access_token.get(),
        creds.access_token_secret.get(),
    )
    base = urlsplit(client.endpoints.upload_v1_base)
    limits = client.limits
    api = tweepy.API(
        auth,
        upload_host=base.netloc,
        timeout=(limits.connect_timeout_s, limits.read_timeout_s),
        retry_count=0,
    )
    if base.scheme == "http":
        api.session.mount(f"https://{base.netloc}", _PlainHttpAdapter())
    return api


def _translated(what: str, call: Callable[[], Any]) -> Any:
    """Run a tweepy call, turning its exceptions into ours (the one translation point)."""
    try:
        return call()
    except tweepy.HTTPException as err:
        response = err.response
        body = parse_body(response.text)
        raise error_for_response(response.status_code, response.headers, body, what) from err
    except tweepy.TweepyException as err:
        raise XConnectionError(f"no answer from X during {what} ({err})") from err


def upload_v1(
    client: XClient,
    path: Path,
    progress: Callable[[int, int], None] | None,
    cancel: threading.Event | None,
) -> str:
    """Upload ``path`` through v1.1 and wait for processing; return the media id."""
    api = _api(client)
    total = path.stat().st_size
    media = _translated(
        "video upload (v1.1)",
        lambda: api.media_upload(
            filename=str(path),
            chunked=True,
            media_category="tweet_video",
            wait_for_async_finalize=False,
            chunk_size=client.chunk_bytes(total),
        ),
    )
    media_id = str(getattr(media, "media_id_string", "") or getattr(media, "media_id", ""))
    if not media_id:
        raise XError("X's v1.1 upload answer has no media id")
    if progress is not None:
        progress(total, total)

    def fetch(mid: str) -> dict[str, Any] | None:
        status = _translated(
            "video processing status (v1.1)", lambda: api.get_media_upload_status(mid)
        )
        info = getattr(status, "processing_info", None)
        return info if isinstance(info, dict) else None

    info = getattr(media, "processing_info", None)
    client.wait_processing(media_id, info if isinstance(info, dict) else None, fetch, cancel)
    return media_id
