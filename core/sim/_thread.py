"""Run a simulator on its own event loop in a daemon thread (GUI demo, sync callers)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from dataclasses import dataclass
from typing import Any

from core.sim.options import SimOptions
from core.sim.server import SimServer

START_TIMEOUT_S = 30.0


@dataclass
class SimHandle:
    """A simulator running in a background thread; call :meth:`stop` when done."""

    base_url: str
    api_key: str
    server: SimServer
    _loop: asyncio.AbstractEventLoop
    _thread: threading.Thread

    def stats(self) -> dict[str, Any]:
        """The server's counters, read on its own loop."""
        stats: dict[str, Any] = self._call(_async_stats(self.server))
        return stats

    def stop(self) -> None:
        """Stop the server and its thread (idempotent)."""
        if self._thread.is_alive():
            self._call(self.server.stop())
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=START_TIMEOUT_S)

    def _call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(START_TIMEOUT_S)


async def _async_stats(server: SimServer) -> dict[str, Any]:
    return server.stats()


def start_in_thread(options: SimOptions | None = None) -> SimHandle:
    """Start a simulator on a new event loop in a daemon thread; return once it listens.

    The caller's thread (the Qt thread, a test) never runs the server's work: requests and
    render bookkeeping happen on the simulator's loop, encoding in its render pool.
    """
    server = SimServer(options)
    loop = asyncio.new_event_loop()
    ready: concurrent.futures.Future[str] = concurrent.futures.Future()

    def run() -> None:
        asyncio.set_event_loop(loop)
        task = loop.create_task(server.start())
        task.add_done_callback(lambda t: _settle(ready, t, loop))
        try:
            loop.run_forever()
        finally:
            loop.close()

    thread = threading.Thread(target=run, name="tc-sim", daemon=True)
    thread.start()
    base_url = ready.result(START_TIMEOUT_S)
    return SimHandle(base_url, server.api_key, server, loop, thread)


def _settle(
    ready: concurrent.futures.Future[str],
    task: asyncio.Task[str],
    loop: asyncio.AbstractEventLoop,
) -> None:
    error = task.exception()
    if error is not None:
        ready.set_exception(error)
        loop.stop()  # nothing to serve: let the thread end
    else:
        ready.set_result(task.result())
