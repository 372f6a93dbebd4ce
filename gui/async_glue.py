"""The one place the GUI touches qasync: background tasks, awaiting Qt signals, executors.

Keeping qasync behind this module makes a later swap to QtAsyncio cheap (gui-practices 2.1).
Rules it enforces:

- Tasks are started only while the loop runs (never in a constructor before ``qasync.run``),
  and every task is owned by a :class:`TaskKeeper` that cancels and awaits them at shutdown,
  so no "Task was destroyed but it is pending!" at exit.
- A task's exception goes to :data:`core.notify.manager` (a plain sentence for expected
  problems), never into a traceback dialog.
- Dialogs are shown non-modally and awaited through their ``finished`` signal
  (:func:`wait_signal`), because ``QDialog.exec()`` inside an async slot re-enters the loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from PySide6.QtCore import SignalInstance

from core.notify import manager

log = logging.getLogger(__name__)
T = TypeVar("T")

# CPU-bound or blocking calls (SQLite reads of big pages, torch device queries) run here: an
# explicit executor rather than the loop's implicit default (quamash#98).
_executor: concurrent.futures.ThreadPoolExecutor | None = None


class TaskKeeper:
    """Owns the asyncio tasks a window starts; reports their errors and cancels them on close."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closed = False

    def spawn(self, coro: Coroutine[Any, Any, T], name: str) -> asyncio.Task[T] | None:
        """Start ``coro`` on the running loop and keep a strong reference until it ends.

        After :meth:`cancel_all` (the window is shutting down) nothing new starts: a late
        timer must not begin work on widgets that are about to be deleted.
        """
        if self._closed:
            coro.close()
            return None
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            manager.report_exception(exc, source=task.get_name())

    @property
    def running(self) -> int:
        """How many tasks are still alive."""
        return len(self._tasks)

    async def cancel_all(self, timeout_s: float = 5.0) -> None:
        """Cancel every task, refuse new ones, and wait (bounded) until all have finished."""
        self._closed = True
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=timeout_s)


def wait_signal(signal: SignalInstance) -> asyncio.Future[tuple[Any, ...]]:
    """Return a future resolved with the arguments of the next emission of ``signal``."""
    future: asyncio.Future[tuple[Any, ...]] = asyncio.get_running_loop().create_future()

    def fire(*args: Any) -> None:
        signal.disconnect(fire)
        if not future.done():
            future.set_result(args)

    signal.connect(fire)
    return future


async def run_blocking(func: Callable[..., T], *args: Any) -> T:
    """Run a blocking call on the GUI's worker threads and await its result."""
    global _executor
    if _executor is None:
        _executor = concurrent.futures.ThreadPoolExecutor(2, thread_name_prefix="tc-gui")
    return await asyncio.get_running_loop().run_in_executor(_executor, func, *args)


def shutdown_executor() -> None:
    """Stop the worker threads (application exit); a later call starts new ones."""
    global _executor
    if _executor is not None:
        _executor.shutdown(wait=True, cancel_futures=True)
        _executor = None
