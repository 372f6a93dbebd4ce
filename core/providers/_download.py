"""Streamed, resumable, verified, atomic download of a finished video.

The file is written to ``<dest>.part``; a dropped connection resumes with a ``Range`` request
when the server advertised ``Accept-Ranges: bytes`` (else it starts over); the byte count is
checked against ``Content-Length``; the file is fsynced, its first frame decoded
(core.media), and only then renamed to ``dest``, so ``dest`` never holds a partial clip.
No ``Authorization`` header is sent: media URLs are public links on another host.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import aiohttp
from yarl import URL

from core.media import MediaError, iter_frames
from core.providers._constants import (
    CONNECT_TIMEOUT_S,
    DOWNLOAD_CHUNK_BYTES,
    DOWNLOAD_MAX_ATTEMPTS,
    DOWNLOAD_READ_TIMEOUT_S,
    MAX_RETRY_AFTER_S,
)
from core.providers._errors import DownloadError
from core.providers._ratelimit import Sleep
from core.providers._retry import backoff_s, retry_after_s, should_retry
from core.providers._types import ProgressCallback

EXPIRED_STATUSES = frozenset({403, 404, 410})
_CONTENT_RANGE = re.compile(r"bytes (\d+)-\d+/(\d+|\*)")


@dataclass(frozen=True)
class DownloadPolicy:
    """Timeouts and limits of one download."""

    connect_timeout_s: float = CONNECT_TIMEOUT_S
    read_timeout_s: float = DOWNLOAD_READ_TIMEOUT_S
    """Longest silence between chunks; there is no overall limit on a download."""
    chunk_bytes: int = DOWNLOAD_CHUNK_BYTES
    max_attempts: int = DOWNLOAD_MAX_ATTEMPTS


class _Retry(Exception):
    """An attempt failed in a way worth another try; ``delay_s`` None means plain backoff."""

    def __init__(self, reason: str, delay_s: float | None = None) -> None:
        super().__init__(reason)
        self.delay_s = delay_s


@dataclass
class _Progress:
    done_bytes: int = 0
    total_bytes: int | None = None
    resumable: bool = False


def verify_video(path: Path) -> None:
    """Decode the first frame; raise :class:`MediaError` when the file is not a video."""
    for _ in iter_frames(path, threads=False):
        # One decoded frame is proof enough; the generator (and the file) closes on return.
        return
    raise MediaError(path, "contains no decodable video frames")


def safe_url(url: str) -> str:
    """The URL without query or fragment (signed links carry tokens there) for messages."""
    return str(URL(url).with_query(None).with_fragment(None))


async def download_file(
    session: aiohttp.ClientSession,
    url: str,
    dest: Path,
    *,
    policy: DownloadPolicy,
    sleep: Sleep,
    rand: Callable[[], float] = random.random,
    progress: ProgressCallback | None = None,
    verify: Callable[[Path], None] = verify_video,
) -> Path:
    """Download ``url`` to ``dest`` atomically and return ``dest``.

    Raises :class:`DownloadError` (``expired_url`` True for 403/404/410) after
    ``policy.max_attempts`` failed attempts, when the server refuses, or when the file does
    not decode as video. The ``.part`` file is removed on failure.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    try:
        with part.open("wb") as handle:
            await _fetch_with_retries(session, url, handle, policy, sleep, rand, progress)
            handle.flush()
            await asyncio.to_thread(os.fsync, handle.fileno())
        await asyncio.to_thread(_verify, verify, part, url)
        os.replace(part, dest)
        await asyncio.to_thread(_fsync_dir, dest.parent)
    except BaseException:  # cancellation and Ctrl-C too: never leave a .part behind; re-raised
        part.unlink(missing_ok=True)
        raise
    return dest


def _verify(verify: Callable[[Path], None], part: Path, url: str) -> None:
    try:
        verify(part)
    except MediaError as err:
        raise DownloadError(f"{safe_url(url)} is not a playable video: {err.reason}") from err


def _fsync_dir(folder: Path) -> None:
    # The rename is only durable once the directory entry is on disk (POSIX).
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


async def _fetch_with_retries(
    session: aiohttp.ClientSession,
    url: str,
    handle: BinaryIO,
    policy: DownloadPolicy,
    sleep: Sleep,
    rand: Callable[[], float],
    progress: ProgressCallback | None,
) -> None:
    state = _Progress()
    for attempt in range(policy.max_attempts):
        try:
            await _fetch_once(session, url, handle, state, policy, progress)
            return
        except _Retry as err:
            reason, delay_s = str(err), err.delay_s
        if attempt + 1 < policy.max_attempts:
            await sleep(backoff_s(attempt, rand) if delay_s is None else delay_s)
    raise DownloadError(
        f"{safe_url(url)}: gave up after {policy.max_attempts} attempts ({reason}); "
        f"{state.done_bytes} of {state.total_bytes or '?'} bytes received"
    )


async def _fetch_once(
    session: aiohttp.ClientSession,
    url: str,
    handle: BinaryIO,
    state: _Progress,
    policy: DownloadPolicy,
    progress: ProgressCallback | None,
) -> None:
    resuming = state.done_bytes > 0 and state.resumable
    if not resuming:
        _restart(handle, state)
    headers = {"Range": f"bytes={state.done_bytes}-"} if resuming else {}
    timeout = aiohttp.ClientTimeout(
        total=None, sock_connect=policy.connect_timeout_s, sock_read=policy.read_timeout_s
    )
    try:
        async with session.get(url, headers=headers, timeout=timeout) as resp:
            _start_body(resp, state, handle, url)
            async for chunk in resp.content.iter_chunked(policy.chunk_bytes):
                handle.write(chunk)
                state.done_bytes += len(chunk)
                if progress is not None:
                    progress(state.done_bytes, state.total_bytes)
    except (aiohttp.ClientError, TimeoutError) as err:
        # Keep what arrived: the next attempt resumes from here when the server allows it.
        raise _Retry(f"connection lost: {err.__class__.__name__}") from err
    if state.total_bytes is not None and state.done_bytes != state.total_bytes:
        raise _Retry(f"body ended at {state.done_bytes} of {state.total_bytes} bytes")


def _restart(handle: BinaryIO, state: _Progress) -> None:
    handle.seek(0)
    handle.truncate()
    state.done_bytes = 0


def _start_body(resp: aiohttp.ClientResponse, state: _Progress, handle: BinaryIO, url: str) -> None:
    """Check the status and set up ``state`` for the body that follows."""
    if resp.status in EXPIRED_STATUSES:
        raise DownloadError(
            f"{safe_url(url)}: HTTP {resp.status}, the video URL has expired or is not valid",
            expired_url=True,
        )
    if resp.status == 206:
        match = _CONTENT_RANGE.match(resp.headers.get("Content-Range", ""))
        if match is None or int(match.group(1)) != state.done_bytes:
            _restart(handle, state)
            raise _Retry("server answered the range request with the wrong range")
        state.total_bytes = None if match.group(2) == "*" else int(match.group(2))
    elif resp.status == 200:
        # A plain 200 to a range request means the server sent the whole file again.
        _restart(handle, state)
        state.total_bytes = resp.content_length
    elif should_retry(resp.status, resp.headers):
        hint_s = retry_after_s(resp.headers)
        if hint_s is not None and hint_s > MAX_RETRY_AFTER_S:
            wait = f"asked to wait {hint_s:.0f} s"
            raise DownloadError(f"{safe_url(url)}: HTTP {resp.status}, {wait}")
        raise _Retry(f"HTTP {resp.status}", hint_s if hint_s and hint_s > 0 else None)
    else:
        raise DownloadError(f"{safe_url(url)}: HTTP {resp.status}")
    state.resumable = resp.headers.get("Accept-Ranges", "").lower() == "bytes"
