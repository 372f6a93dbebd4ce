"""The xAI video REST client: one session, split timeouts, retries, one error boundary.

The same class talks to the local simulator (``core.sim``): only the base URL and key differ.
aiohttp and timeout exceptions are translated into :mod:`core.providers._errors` in exactly
one place (:meth:`XaiClient._send`); our own errors are never re-wrapped.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import aiohttp

from core.config import Settings
from core.providers import _constants as C
from core.providers._download import DownloadPolicy, download_file
from core.providers._errors import APIConnectionError, MissingApiKey, StartOutcomeUnknown
from core.providers._poll import PollPolicy, StatusCallback, parse_status, wait_until_done
from core.providers._ratelimit import Clock, Jitter, Sleep, TokenBucket
from core.providers._retry import backoff_s, retry_delay, should_retry
from core.providers._status import status_error
from core.providers._types import (
    GenerationRequest,
    GenerationResult,
    GenerationStatus,
    ProgressCallback,
)
from core.secrets import Secret

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClientOptions:
    """Per-client (and, through :meth:`XaiClient.with_options`, per-call) behaviour."""

    connect_timeout_s: float = C.CONNECT_TIMEOUT_S
    read_timeout_s: float = C.READ_TIMEOUT_S
    """Longest wait for an API response; the download has its own, longer one."""
    max_retries: int = C.MAX_RETRIES
    poll: PollPolicy = field(
        default_factory=lambda: PollPolicy(C.POLL_INTERVAL_S, C.DEADLINE_S, C.POLL_JITTER_FRACTION)
    )
    download: DownloadPolicy = field(default_factory=DownloadPolicy)


@dataclass(frozen=True)
class _Response:
    status: int
    headers: dict[str, str]
    body: Any


@dataclass
class _Shared:
    """What copies made by ``with_options`` share: the session and the pacing state."""

    concurrency: int
    bucket: TokenBucket
    jitter: Jitter
    session: aiohttp.ClientSession | None = None
    owns_session: bool = True
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class XaiClient:
    """Async client for xAI's video API (and the simulator): start, poll, wait, download.

    Parameters
    ----------
    api_key:
        The key; a missing one raises :class:`MissingApiKey` here, not on the first request.
    base_url:
        ``https://api.x.ai/v1`` or the simulator's ``http://127.0.0.1:PORT/v1``.
    concurrency:
        Size of the connection pool (one connection per worker).
    rate_limit_rpm, jitter_s:
        Submission pacing shared by all workers; change at run time with
        :meth:`set_rate_limit_rpm` / :meth:`set_jitter`.
    sleep, clock, rand:
        Injectable for tests: every wait (backoff, poll interval, jitter, rate limit) goes
        through ``sleep``.
    session:
        An existing session to use (not closed by :meth:`aclose`); by default the client
        creates its own on first use and closes it.
    """

    def __init__(
        self,
        api_key: Secret | str | None,
        base_url: str = "https://api.x.ai/v1",
        *,
        concurrency: int = 4,
        rate_limit_rpm: float = C.RATE_LIMIT_RPM,
        jitter_s: tuple[float, float] = C.JITTER_S,
        options: ClientOptions | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.monotonic,
        rand: random.Random | None = None,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        if not api_key:
            raise MissingApiKey(
                "no xAI API key: set XAI_API_KEY (environment or .env), "
                "or use the local simulator (--provider sim)"
            )
        self._key = api_key if isinstance(api_key, Secret) else Secret(api_key)
        self.base_url = base_url.rstrip("/")
        self.options = options or ClientOptions()
        self._sleep, self._clock = sleep, clock
        self._rand = rand or random.Random()
        # No burst: xAI states video limits per second, so N workers starting together must
        # still go out evenly spaced rather than all in the first instant.
        bucket = TokenBucket(rate_limit_rpm, burst=1, clock=clock, sleep=sleep)
        jitter = Jitter(*jitter_s, rand=self._rand, sleep=sleep)
        self._shared = _Shared(max(1, concurrency), bucket, jitter, session, session is None)

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> XaiClient:
        """Build a client from :class:`core.config.Settings`; keyword arguments override."""
        poll = PollPolicy(settings.poll_interval_s, settings.deadline_s, C.POLL_JITTER_FRACTION)
        kwargs: dict[str, Any] = {
            "concurrency": settings.concurrency,
            "rate_limit_rpm": settings.rate_limit_rpm,
            "jitter_s": settings.jitter_s,
            "options": ClientOptions(poll=poll),
        }
        kwargs.update(overrides)
        return cls(settings.xai_api_key, settings.xai_base_url, **kwargs)

    def with_options(self, **changes: Any) -> XaiClient:
        """A copy with some :class:`ClientOptions` changed, sharing session and pacing."""
        copy = object.__new__(XaiClient)
        copy.__dict__.update(self.__dict__)
        copy.options = dataclasses.replace(self.options, **changes)
        return copy

    def __repr__(self) -> str:
        return f"XaiClient(base_url={self.base_url!r}, api_key={self._key.masked()!r})"

    # -- lifecycle -------------------------------------------------------------------------

    async def __aenter__(self) -> XaiClient:
        await self._session()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP session (when this client created it)."""
        shared = self._shared
        if shared.session is not None and shared.owns_session:
            await shared.session.close()
            shared.session = None

    async def _session(self) -> aiohttp.ClientSession:
        shared = self._shared
        async with shared.lock:
            if shared.session is None or shared.session.closed:
                connector = aiohttp.TCPConnector(limit=shared.concurrency)
                headers = {"User-Agent": C.USER_AGENT}
                shared.session = aiohttp.ClientSession(connector=connector, headers=headers)
                shared.owns_session = True
            return shared.session

    # -- pacing ----------------------------------------------------------------------------

    def set_rate_limit_rpm(self, rate_per_min: float) -> None:
        """Change the submissions-per-minute limit shared by all workers (takes effect now)."""
        self._shared.bucket.set_rate(rate_per_min)

    def set_jitter(self, low_s: float, high_s: float) -> None:
        """Change the random pause before each submission; ``(0, 0)`` turns it off."""
        self._shared.jitter.set_range(low_s, high_s)

    # -- the provider interface ------------------------------------------------------------

    async def start(self, request: GenerationRequest) -> str:
        """Submit a generation and return its ``request_id`` (see :class:`Provider`)."""
        await self._shared.jitter.pause()
        resp = await self._call(
            "POST",
            "/videos/generations",
            "start",
            json_body=request.to_json(),
            resendable=False,
            before_attempt=self._shared.bucket.acquire,
        )
        request_id = resp.body.get("request_id") if isinstance(resp.body, dict) else None
        if not request_id:
            raise StartOutcomeUnknown(f"start: HTTP {resp.status} without a request_id")
        log.debug("started generation %s", request_id)
        return str(request_id)

    async def poll(self, request_id: str) -> GenerationStatus:
        """Fetch the status once; transport retries included."""
        resp = await self._call("GET", f"/videos/{request_id}", "poll", request_id=request_id)
        return parse_status(request_id, resp.body)

    async def wait(
        self, request_id: str, on_status: StatusCallback | None = None
    ) -> GenerationStatus:
        """Poll until done (interval with jitter, overall deadline); raise typed outcomes."""
        return await wait_until_done(
            self.poll,
            request_id,
            self.options.poll,
            sleep=self._sleep,
            clock=self._clock,
            rand=self._rand.random,
            on_status=on_status,
        )

    async def download(
        self, url: str, dest: Path, progress: ProgressCallback | None = None
    ) -> Path:
        """Stream ``url`` to ``dest`` (atomic, resumable, verified); return ``dest``."""
        return await download_file(
            await self._session(),
            url,
            Path(dest),
            policy=self.options.download,
            sleep=self._sleep,
            rand=self._rand.random,
            progress=progress,
        )

    async def generate(
        self,
        request: GenerationRequest,
        dest: Path,
        on_status: StatusCallback | None = None,
        progress: ProgressCallback | None = None,
    ) -> GenerationResult:
        """Start, wait and download in one call."""
        request_id = await self.start(request)
        status = await self.wait(request_id, on_status)
        assert status.video_url is not None  # final_outcome guarantees a URL
        path = await self.download(status.video_url, dest, progress)
        return GenerationResult(request_id=request_id, path=path, status=status)

    async def api_key_info(self) -> dict[str, Any]:
        """``GET /v1/api-key``: the key's name, redacted form, ACLs and blocked flags."""
        resp = await self._call("GET", "/api-key", "api-key")
        return resp.body if isinstance(resp.body, dict) else {}

    # -- transport -------------------------------------------------------------------------

    async def _call(
        self,
        method: str,
        path: str,
        op: str,
        *,
        json_body: Any = None,
        request_id: str | None = None,
        resendable: bool = True,
        before_attempt: Callable[[], Awaitable[None]] | None = None,
    ) -> _Response:
        """Send with transport retries; return a 2xx response or raise the typed error.

        ``resendable=False`` (a start): a request that may have reached the server is never
        sent again; the failure becomes :class:`StartOutcomeUnknown`.
        """
        for attempt in range(self.options.max_retries + 1):
            if before_attempt is not None:
                await before_attempt()
            outcome = await self._attempt(
                method, path, op, json_body, request_id, resendable, attempt
            )
            if isinstance(outcome, _Response):
                return outcome
            retries = self.options.max_retries
            log.info("%s: retry %d/%d in %.2f s", op, attempt + 1, retries, outcome)
            await self._sleep(outcome)
        raise AssertionError("unreachable: the last attempt raises")

    async def _attempt(
        self,
        method: str,
        path: str,
        op: str,
        json_body: Any,
        request_id: str | None,
        resendable: bool,
        attempt: int,
    ) -> _Response | float:
        """One attempt: the 2xx response, or the delay before the next try, or a raise."""
        last = attempt >= self.options.max_retries
        try:
            resp = await self._send(method, path, op, json_body)
        except APIConnectionError as err:
            if err.request_sent and not resendable:
                raise StartOutcomeUnknown(f"{err}; it may have been accepted") from err
            if last:
                raise
            return backoff_s(attempt, self._rand.random)
        if resp.status < 300:
            return resp
        error = status_error(resp.status, resp.body, resp.headers, request_id)
        delay_s = retry_delay(attempt, resp.headers, self._rand.random)
        if last or delay_s is None or not should_retry(resp.status, resp.headers):
            raise error
        log.info("%s: %s", op, error)
        return delay_s

    async def _send(self, method: str, path: str, op: str, json_body: Any) -> _Response:
        """One HTTP exchange. The only place aiohttp/timeout errors become ours."""
        session = await self._session()
        timeout = aiohttp.ClientTimeout(
            total=None,
            sock_connect=self.options.connect_timeout_s,
            sock_read=self.options.read_timeout_s,
        )
        # The key goes on API calls only, never as a session default: media URLs are public
        # links on another host and must not receive it.
        headers = {"Authorization": f"Bearer {self._key.get()}"}
        try:
            async with session.request(
                method, self.base_url + path, json=json_body, headers=headers, timeout=timeout
            ) as resp:
                raw = await resp.read()
                return _Response(resp.status, dict(resp.headers), _decode(raw))
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as err:
            # The connection was never made: the server cannot have seen the request.
            raise APIConnectionError(f"{op}: cannot connect: {err}", request_sent=False) from err
        except (aiohttp.ClientError, TimeoutError) as err:
            name = err.__class__.__name__
            raise APIConnectionError(f"{op}: no response ({name}: {err})") from err


def _decode(raw: bytes) -> Any:
    text = raw.decode("utf-8", errors="replace")
    try:
        return json.loads(text) if text else None
    except ValueError:
        return text
