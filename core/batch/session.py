"""Drive a run from the command line: live progress, Ctrl-C, and stopping on a budget pause.

Ctrl-C once: a graceful stop (starts in flight finish, the rest is saved where it is). Twice:
quit at once; the store is consistent after every transaction, and ``resume`` rewinds the
interrupted steps (a start caught mid-flight becomes ``start_unknown``, never re-sent).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any, TextIO

from core.batch.events import RunState
from core.batch.progress import LiveProgress, summary_table
from core.batch.runner import RunController

EXIT_FINISHED = 0
EXIT_STOPPED = 3
"""The run stopped with work left (budget reached, or paused); ``resume`` continues it."""
EXIT_INTERRUPTED = 130


async def run_session(controller: RunController, stream: TextIO | None = None) -> int:
    """Run to the end (or a pause, or Ctrl-C) with a live progress line; print a summary.

    ``stream`` defaults to the ``sys.stderr`` of the moment of the call (a default bound at
    import would keep writing to whatever stderr was then, e.g. a closed test capture).
    """
    stream = sys.stderr if stream is None else stream
    started_s = time.monotonic()
    interrupted = False

    def on_state(state: str) -> None:
        if state == RunState.PAUSED:
            reason = controller.pause_reason or "user"
            stream.write(f"\npaused ({reason}): {controller.pause_detail}\n")
            controller.stop()

    def on_interrupt() -> None:
        nonlocal interrupted
        if interrupted:
            stream.write("\nquitting now; `torture-chamber resume` picks the run up\n")
            stream.flush()
            os._exit(EXIT_INTERRUPTED)
        interrupted = True
        stream.write("\nstopping: letting starts in flight finish (Ctrl-C again to quit now)\n")
        controller.stop()

    controller.events.run_state.connect(on_state)
    progress = LiveProgress(controller.store, lambda: controller.budget.spent_usd, stream)
    drawer = asyncio.create_task(progress.run())
    try:
        with _sigint(on_interrupt):
            state = await controller.run()
    finally:
        drawer.cancel()
        await asyncio.gather(drawer, return_exceptions=True)
        controller.events.run_state.disconnect(on_state)
    stream.write(summary_table(controller.store, time.monotonic() - started_s) + "\n")
    if state is RunState.FINISHED:
        return EXIT_FINISHED
    return EXIT_INTERRUPTED if interrupted else EXIT_STOPPED


@contextlib.contextmanager
def _sigint(handler: Callable[[], None]) -> Iterator[None]:
    """Route SIGINT to ``handler`` on the running loop (Windows: through ``signal``)."""
    loop = asyncio.get_running_loop()
    previous: Any = None
    try:
        loop.add_signal_handler(signal.SIGINT, handler)
        installed = "loop"
    except (NotImplementedError, RuntimeError):
        previous = signal.signal(
            signal.SIGINT, lambda _sig, _frame: loop.call_soon_threadsafe(handler)
        )
        installed = "signal"
    try:
        yield
    finally:
        if installed == "loop":
            loop.remove_signal_handler(signal.SIGINT)
        else:
            signal.signal(signal.SIGINT, previous)
