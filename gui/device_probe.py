"""Device queries (names, memory) answered by a helper process, so torch never loads in the GUI.

Importing torch takes seconds and holds the GIL for much of it; done on a GUI worker thread it
still froze the window for ~100 ms at a time (benchmarks/gui_latency.py). A single spawned
helper process imports it once, on the first query, and answers every later one.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import signal
from concurrent.futures import ProcessPoolExecutor

from core.devices import DeviceInfo, list_devices
from gui.async_glue import run_blocking


def _ignore_sigint() -> None:
    # Ctrl+C in the terminal reaches the whole process group: the app shuts the helper down
    # itself, so the helper must not die first with a KeyboardInterrupt traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class DeviceProbe:
    """``await probe.devices()``: :func:`core.devices.list_devices`, run in a helper process."""

    def __init__(self) -> None:
        self._executor: ProcessPoolExecutor | None = None

    async def devices(self) -> list[DeviceInfo]:
        """Every CUDA device with its memory, or the CPU alone."""
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                1, mp_context=multiprocessing.get_context("spawn"), initializer=_ignore_sigint
            )
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, list_devices)

    async def device_names(self) -> list[str]:
        """Just the names (``cuda:0``… or ``cpu``)."""
        return [device.name for device in await self.devices()]

    async def close(self) -> None:
        """Stop the helper process (idempotent)."""
        executor, self._executor = self._executor, None
        if executor is not None:
            await run_blocking(executor.shutdown)
