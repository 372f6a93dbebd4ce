"""The simulator's HTTP server: xAI's video REST routes, its media files and its sim routes.

Routes (base URL ``http://HOST:PORT/v1``, so any xAI client works against it unchanged):

- ``POST /v1/videos/generations`` -> ``{"request_id"}``; ``GET /v1/videos/{id}``;
  ``GET /v1/api-key`` (key info, for ``doctor --online``). All check the Bearer key.
- ``GET /media/{id}.mp4``: the finished clip (public, Range requests honoured, like xAI's
  media links).
- ``GET /sim/stats`` (what was accepted, requested, injected) and ``GET /sim/truth/{id}``
  (where the injected defects are). Not part of xAI's API; no key needed.

With ``SimOptions.state_dir`` every accepted generation is journaled before it is answered
(:mod:`core.sim.journal`) and reloaded by the next simulator on that folder, so request ids
survive a restart (or ``kill -9``) and ``accepted`` counts every session.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any

from aiohttp import web

from core.sim.faults import Decision, FaultInjector
from core.sim.jobs import JobBook, JobFate, SimJob
from core.sim.journal import Journal, SimStateError
from core.sim.options import SimOptions, Site
from core.sim.render import ClipRenderer
from core.sim.wire import WireError, check_auth, flat_error, nested_error, validate_generation

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SHUTDOWN_TIMEOUT_S = 1.0


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response(body, status=status, headers=headers)


class SimServer:
    """A running simulator: ``async with SimServer(options) as sim: sim.base_url``.

    Parameters
    ----------
    options:
        What the simulator does (see :class:`SimOptions`); defaults give full-size clips, no
        faults, 3 s generations.
    """

    def __init__(self, options: SimOptions | None = None) -> None:
        self.options = options or SimOptions()
        self.base_url = ""
        """``http://HOST:PORT/v1`` once started."""
        self._runner: web.AppRunner | None = None
        self._renderer: ClipRenderer | None = None
        self._faults = FaultInjector(self.options)
        self._requests: Counter[str] = Counter()
        self._responses: Counter[str] = Counter()
        self._book: JobBook | None = None
        self._journal: Journal | None = None

    @property
    def api_key(self) -> str:
        """The key the simulator accepts."""
        return self.options.api_key

    @property
    def book(self) -> JobBook:
        """The jobs (started servers only)."""
        if self._book is None:
            raise RuntimeError("the simulator is not running; call start() first")
        return self._book

    async def start(self) -> str:
        """Listen on ``options.host:options.port``; return the base URL.

        With a ``state_dir``, first reload the generations of earlier sessions; raises
        :class:`SimStateError` when the folder is damaged or used by another simulator.
        """
        await self._open_book()
        app = web.Application(middlewares=[self._count, self._auth])
        app.on_response_prepare.append(self._on_prepare)
        app.router.add_post("/v1/videos/generations", self._start)
        app.router.add_get("/v1/videos/{request_id}", self._poll)
        app.router.add_get("/v1/api-key", self._api_key)
        app.router.add_get("/media/{request_id}.mp4", self._media)
        app.router.add_get("/sim/stats", self._stats)
        app.router.add_get("/sim/truth/{request_id}", self._truth)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT_S)
        await self._runner.setup()
        try:
            await web.TCPSite(self._runner, self.options.host, self.options.port).start()
        except OSError:
            await self.stop()  # the port is taken: release the render pool and its folder
            raise
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}/v1"
        log.info("simulator listening on %s", self.base_url)
        return self.base_url

    async def _open_book(self) -> None:
        records = []
        if self.options.state_dir is not None:
            self._journal = Journal(self.options.state_dir)
            records = await asyncio.to_thread(self._journal.open)
        self._renderer = ClipRenderer(self.options)
        self._book = JobBook(self.options, self._renderer, self._faults, self._journal)
        try:
            self._book.restore(records)
        except ValueError as err:
            await self.stop()
            raise SimStateError(f"{self.options.state_dir}: {err}") from None
        self._faults.skip_to(Site.START, self._book.accepted_by_prompt)
        if records:
            log.info("reloaded %d generations from %s", len(records), self.options.state_dir)

    async def stop(self) -> None:
        """Stop serving, cancel renders, remove temporary clips, release the state folder."""
        if self._book is not None:
            await self._book.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._renderer is not None:
            await asyncio.to_thread(self._renderer.close)
            self._renderer = None
        if self._journal is not None:
            self._journal.close()
            self._journal = None

    async def __aenter__(self) -> SimServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def stats(self) -> dict[str, Any]:
        """Counters: accepted generations, requests per route, responses, faults, renders."""
        book, renderer = self.book, self._renderer
        return {
            "accepted": book.accepted,
            "restored": book.restored,
            "duplicate_prompts": book.duplicate_prompts(),
            "requests": dict(self._requests),
            "responses": dict(self._responses),
            "faults": dict(self._faults.injected),
            "jobs": book.counts_by_state(),
            "renders": renderer.renders if renderer else 0,
            "cache_hits": renderer.cache_hits if renderer else 0,
        }

    # -- middleware --------------------------------------------------------------------------

    @web.middleware
    async def _count(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        resource = request.match_info.route.resource
        route = resource.canonical if resource is not None else "unmatched"
        self._requests[f"{request.method} {route}"] += 1
        return await handler(request)

    async def _on_prepare(self, request: web.Request, response: web.StreamResponse) -> None:
        # Counted as headers go out: only then is a FileResponse's status (206) final.
        if request.transport is not None and not request.transport.is_closing():
            self._responses[str(response.status)] += 1

    @web.middleware
    async def _auth(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith("/v1/"):
            error = check_auth(request.headers.get("Authorization"), self.options.api_key)
            if error is not None:
                return _json(error.status, error.body())
        return await handler(request)

    # -- xAI routes ------------------------------------------------------------------------

    async def _start(self, request: web.Request) -> web.StreamResponse:
        try:
            params = validate_generation(await _json_body(request))
        except WireError as err:
            return _json(err.status, err.body())
        decision = self._faults.decide(Site.START, params["prompt"])
        faulted = await self._transport_fault(decision, request)
        if faulted is not None:
            return faulted
        job = self.book.accept(params)
        if decision.fault == "start_drop":
            return self._drop(request)
        return _json(200, {"request_id": job.request_id})

    async def _poll(self, request: web.Request) -> web.StreamResponse:
        request_id = request.match_info["request_id"]
        job = self.book.jobs.get(request_id)
        if job is None:
            return _json(404, flat_error(404, f"No video generation request {request_id}."))
        faulted = await self._transport_fault(self._faults.decide(Site.POLL, request_id), request)
        if faulted is not None:
            return faulted
        self.book.ensure_render(job)  # a job from an earlier session renders on first poll
        media_url = f"{request.scheme}://{request.host}/media/{request_id}.mp4"
        status, body = job.poll_body(self.book.clock(), media_url)
        return _json(status, body)

    async def _api_key(self, request: web.Request) -> web.StreamResponse:
        key = self.options.api_key
        shown = f"{key[:4]}...{key[-4:]}" if len(key) >= 12 else "***"
        return _json(200, _key_info(shown))

    # -- media and sim routes --------------------------------------------------------------

    async def _media(self, request: web.Request) -> web.StreamResponse:
        request_id = request.match_info["request_id"]
        job = self.book.jobs.get(request_id)
        if job is not None and not job.media_expired(self.book.clock()):
            await _rendered(self.book, job)
        if job is None or job.clip is None or job.media_expired(self.book.clock()):
            return _json(404, flat_error(404, "This media link does not exist or has expired."))
        decision = self._faults.decide(Site.MEDIA, request_id)
        faulted = await self._transport_fault(decision, request)
        if faulted is not None:
            return faulted
        if decision.fault == "truncate":
            await _send_half(request, job)
            return self._drop(request)
        return web.FileResponse(job.clip.path, headers={"Content-Type": "video/mp4"})

    async def _stats(self, request: web.Request) -> web.StreamResponse:
        return _json(200, self.stats())

    async def _truth(self, request: web.Request) -> web.StreamResponse:
        request_id = request.match_info["request_id"]
        job = self.book.jobs.get(request_id)
        if job is None or job.fate is not JobFate.DONE:
            return _json(404, flat_error(404, f"No rendered clip for request {request_id}."))
        self.book.ensure_render(job)
        if job.clip is None:
            return _json(409, flat_error(409, f"The clip of {request_id} is not rendered yet."))
        return _json(200, _truth_body(job))

    # -- faults ----------------------------------------------------------------------------

    async def _transport_fault(
        self, decision: Decision, request: web.Request
    ) -> web.StreamResponse | None:
        """Apply a fault that replaces the answer; ``None`` lets the handler answer."""
        fault = decision.fault
        if fault == "slow":
            await asyncio.sleep(self.options.slow_s)
        elif fault == "rate_limit":
            hint_s = self.options.retry_after_s
            headers = {"Retry-After": f"{hint_s:g}", "retry-after-ms": str(round(hint_s * 1000))}
            return _json(429, flat_error(429, "Rate limit reached (simulated)."), headers)
        elif fault == "rate_limit_bare":
            return _json(429, flat_error(429, "Rate limit reached (simulated, no hint)."))
        elif fault == "server_error":
            status = decision.rng.choice((500, 502, 503))
            return _json(status, nested_error(status, f"Simulated server error {status}."))
        elif fault == "reset":
            return self._drop(request)
        return None

    def _drop(self, request: web.Request) -> web.Response:
        """Close the connection without answering (the client sees a disconnect)."""
        self._responses["dropped"] += 1
        if request.transport is not None:
            request.transport.abort()
        return web.Response()


async def _rendered(book: JobBook, job: SimJob) -> None:
    """Wait for the clip of a finished job from an earlier session (rendered on demand)."""
    task = book.ensure_render(job) if job.ready_s <= book.clock() else None
    if task is not None:
        await asyncio.shield(task)


async def _json_body(request: web.Request) -> Any:
    if request.content_type != "application/json" or not request.can_read_body:
        raise WireError(415, "The request needs a JSON body with Content-Type application/json.")
    try:
        return await request.json()
    except ValueError as err:
        raise WireError(400, f"The request body is not valid JSON: {err}") from None


async def _send_half(request: web.Request, job: SimJob) -> None:
    """Announce the full (remaining) length and send half of it (the caller then drops)."""
    assert job.clip is not None
    data = await asyncio.to_thread(job.clip.path.read_bytes)
    start = request.http_range.start or 0
    resp = web.StreamResponse(status=206 if start else 200)
    resp.content_type = "video/mp4"
    resp.content_length = len(data) - start
    resp.headers["Accept-Ranges"] = "bytes"
    if start:
        resp.headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
    await resp.prepare(request)
    await resp.write(data[start : start + (len(data) - start) // 2])


def _key_info(redacted: str) -> dict[str, Any]:
    zero = "00000000-0000-4000-8000-000000000000"
    return {
        "redacted_api_key": redacted,
        "user_id": zero,
        "name": "Torture Chamber simulator",
        "create_time": "2026-01-01T00:00:00Z",
        "modify_time": "2026-01-01T00:00:00Z",
        "modified_by": zero,
        "team_id": zero,
        "acls": ["api-key:model:*", "api-key:endpoint:*"],
        "api_key_id": zero,
        "team_blocked": False,
        "api_key_blocked": False,
        "api_key_disabled": False,
    }


def _truth_body(job: SimJob) -> dict[str, Any]:
    assert job.clip is not None
    body = dict(job.clip.truth)
    body["request_id"] = job.request_id
    body["requested"] = {
        k: job.params[k] for k in ("prompt", "duration", "aspect_ratio", "resolution")
    }
    return body


def dumps_stats(stats: dict[str, Any]) -> str:
    """Stats as one JSON line (the CLI prints them on exit)."""
    return json.dumps(stats, sort_keys=True)
