"""AnalysisPool: clips analysed in worker processes, one (or N) per device, awaitable.

Each device gets its own ``ProcessPoolExecutor`` (spawn context: CUDA cannot be used after
fork, and spawn behaves the same on every OS). A clip goes to the device with the fewest clips
in flight, so two GPUs share a batch evenly; :meth:`AnalysisPool.workers` says which clip runs
where (the GUI's device panel shows it) and :meth:`AnalysisPool.devices` reports memory.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import Any

from core.analysis.options import AnalysisOptions
from core.analysis.report import ReportSummary
from core.devices import DeviceInfo, list_devices


@dataclass(frozen=True)
class WorkerInfo:
    """One worker slot: its device and the clip it is analysing (None when idle)."""

    device: str
    slot: int
    clip: str | None
    started_s: float | None
    """``time.monotonic()`` when the clip started; None when idle."""


def _init_worker(threads: int) -> None:
    import torch

    torch.set_num_threads(max(1, threads))


def _work(path: str, options: AnalysisOptions) -> ReportSummary:
    from core.analysis.engine import analyze

    report = analyze(path, options)
    return report.summary(options.out_dir)


class AnalysisPool:
    """Analyse clips in worker processes spread over ``devices``.

    Parameters
    ----------
    devices:
        torch device strings; default: every CUDA device, or ``["cpu"]``.
    workers_per_device:
        Processes per device (CPU default 1: one process already uses every core).
    options:
        Defaults for every clip (``out_dir`` and ``device`` are set per clip; ``on_rows`` is
        dropped, callbacks do not cross processes).
    """

    def __init__(
        self,
        devices: Sequence[str] | None = None,
        workers_per_device: int = 1,
        options: AnalysisOptions | None = None,
    ) -> None:
        names = list(devices) if devices else [d.name for d in list_devices()]
        if not names:
            raise ValueError("AnalysisPool needs at least one device")
        self._per_device = max(1, workers_per_device)
        self._options = replace(options or AnalysisOptions(), on_rows=None)
        context = multiprocessing.get_context("spawn")
        cpu_threads = max(1, (os.cpu_count() or 1) // self._per_device)
        self._executors = {
            name: ProcessPoolExecutor(
                self._per_device,
                mp_context=context,
                initializer=_init_worker,
                initargs=(cpu_threads,),
            )
            for name in names
        }
        self._slots: dict[str, list[tuple[str, float] | None]] = {
            n: [None] * self._per_device for n in names
        }

    def workers(self) -> list[WorkerInfo]:
        """Every worker slot, with the clip it is running."""
        return [
            WorkerInfo(device, i, job[0] if job else None, job[1] if job else None)
            for device, slots in self._slots.items()
            for i, job in enumerate(slots)
        ]

    def devices(self) -> list[DeviceInfo]:
        """The pool's devices with their current free/used memory (CPU: zeros)."""
        known = {d.name: d for d in list_devices()}
        return [known.get(name, DeviceInfo(name=name, label=name)) for name in self._slots]

    async def analyze(
        self, path: Path | str, out_dir: Path | str, meta: dict[str, Any] | None = None
    ) -> ReportSummary:
        """Analyse ``path`` into ``out_dir`` on the least busy device; return its summary.

        Raises whatever :func:`core.analysis.analyze` raises (e.g. ``AnalysisError``).
        """
        device = self._least_busy()
        slot = self._claim(device, str(path))
        options = replace(
            self._options,
            out_dir=Path(out_dir),
            device=device,
            meta=dict(meta or self._options.meta),
        )
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executors[device], _work, str(path), options)
        finally:
            self._release(device, slot)

    def _least_busy(self) -> str:
        return min(self._slots, key=lambda d: sum(job is not None for job in self._slots[d]))

    def _claim(self, device: str, clip: str) -> int:
        slots = self._slots[device]
        free = next((i for i, job in enumerate(slots) if job is None), None)
        if free is None:  # every slot busy: the executor queues it; show it as an extra slot
            slots.append(None)
            free = len(slots) - 1
        slots[free] = (clip, time.monotonic())
        return free

    def _release(self, device: str, slot: int) -> None:
        slots = self._slots[device]
        slots[slot] = None
        while len(slots) > self._per_device and slots[-1] is None:
            slots.pop()

    def close(self, cancel_pending: bool = True) -> None:
        """Stop the workers; queued clips are dropped when ``cancel_pending``."""
        for executor in self._executors.values():
            executor.shutdown(wait=True, cancel_futures=cancel_pending)

    async def aclose(self) -> None:
        """:meth:`close` without blocking the event loop."""
        await asyncio.to_thread(self.close)

    async def __aenter__(self) -> AnalysisPool:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
