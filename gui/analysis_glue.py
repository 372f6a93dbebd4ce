"""Clip analysis for GUI runs: the analysis engine's process pool, created on first use.

The pool's worker processes import torch (seconds), so nothing is started until the first
clip of a run needs scoring. With the device setting ``auto`` the devices are found by the
:class:`gui.device_probe.DeviceProbe` helper process, so torch never loads in the GUI process.
It is an :data:`core.batch.Analyzer`, and also tells the GPU panel which worker runs where.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from core.batch import pool_analyzer
from core.store import Scores
from gui.async_glue import run_blocking
from gui.device_probe import DeviceProbe

log = logging.getLogger(__name__)


def pool_devices(device_setting: str) -> list[str] | None:
    """Devices for the pool from the ``TC_DEVICE`` setting (``None``: ask the probe)."""
    value = device_setting.strip().lower()
    if value in ("", "auto"):
        return None
    return ["cuda:0" if value == "cuda" else value]


def _make_pool(devices: list[str]) -> Any:
    from core.analysis import AnalysisPool

    return AnalysisPool(devices)


class LazyAnalysis:
    """``await analysis(clip, out_dir) -> Scores``, with the pool made on the first call."""

    def __init__(self, probe: DeviceProbe, device_setting: str = "auto") -> None:
        self.device_setting = device_setting
        self._probe = probe
        self.pool: Any = None
        self._lock = asyncio.Lock()

    async def __call__(self, clip: Path, out_dir: Path) -> Scores:
        pool = await self._ensure_pool()
        return await pool_analyzer(pool)(clip, out_dir)

    async def _ensure_pool(self) -> Any:
        async with self._lock:
            if self.pool is None:
                devices = pool_devices(self.device_setting) or await self._probe.device_names()
                self.pool = await run_blocking(_make_pool, devices)
                log.info("analysis workers ready on %s", ", ".join(devices))
            return self.pool

    def workers(self) -> dict[str, list[str]]:
        """``{device: ["slot 0: clip.mp4", "slot 1: idle"]}`` for the GPU panel."""
        if self.pool is None:
            return {}
        shown: dict[str, list[str]] = {}
        for worker in self.pool.workers():
            what = Path(worker.clip).name if worker.clip else "idle"
            shown.setdefault(worker.device, []).append(f"worker {worker.slot}: {what}")
        return shown

    async def close(self) -> None:
        """Stop the worker processes (dropping queued clips)."""
        pool, self.pool = self.pool, None
        if pool is not None:
            await pool.aclose()
