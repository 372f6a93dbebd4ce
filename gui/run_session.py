"""The open run: its :class:`core.batch.RunController`, the task running it, its provider.

The window talks to one :class:`RunSession`; the session forwards to the controller and
reports the run's state as a Qt signal. It holds the run directory's lock from open to close
(the controller takes it), so a second app instance cannot run the same jobs.

Closing: the controller is paused (nothing new starts, and the pause is kept in the run) and
stopped; jobs left generating resume by polling when the run is reopened. The simulator keeps
its generations in ``RUNDIR/sim``, so that works for simulated runs too.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from core.batch import Analyzer, RunController
from core.config import Settings
from core.prompts import Prompt
from core.store import JobState
from gui.async_glue import TaskKeeper
from gui.provider_glue import ProviderChoice, SimulatorService, client_for, run_settings
from gui.run_controls import IDLE

log = logging.getLogger(__name__)


class RunSession(QObject):
    """One open run directory and (while it runs) the task driving it."""

    state_changed = Signal(str)
    """A :class:`core.batch.RunState` value, or :data:`gui.run_controls.IDLE`."""

    def __init__(
        self,
        run_dir: Path,
        settings: Settings,
        tasks: TaskKeeper,
        sim: SimulatorService,
        analyzer: Analyzer | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.run_dir = Path(run_dir)
        self.settings = settings
        self._tasks, self._sim = tasks, sim
        self.choice = ProviderChoice.SIMULATOR
        self.analysing = analyzer is not None
        self.controller = RunController(self.run_dir, settings, self._make_provider, analyzer)
        self.controller.events.run_state.connect(self._on_run_state)
        self._task: asyncio.Task[Any] | None = None
        self.state = IDLE

    # -- state -----------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """True while the controller's ``run()`` is in progress."""
        return self._task is not None and not self._task.done()

    async def wait_until_stopped(self, timeout_s: float | None = None) -> bool:
        """Wait until ``run()`` has returned (True) or ``timeout_s`` passed (False)."""
        if self._task is None:
            return True
        done, _pending = await asyncio.wait({self._task}, timeout=timeout_s)
        return bool(done)

    def counts(self) -> dict[JobState, int]:
        """Jobs per state."""
        return self.controller.counts()

    def _on_run_state(self, state: str) -> None:
        self._set_state(state)

    def _set_state(self, state: str) -> None:
        self.state = state
        self.state_changed.emit(state)

    # -- commands --------------------------------------------------------------------------

    def enqueue(self, prompts: list[Prompt]) -> list[str]:
        """Add jobs (running workers pick them up at once)."""
        return self.controller.enqueue(prompts)

    def start(self, choice: ProviderChoice) -> None:
        """Run the queue with ``choice`` as provider (also resumes a paused run)."""
        if self.controller.paused:
            self.controller.resume()
        if self.running:
            return
        self.choice = choice
        self._task = self._tasks.spawn(self._run(), f"run-{self.run_dir.name}")

    async def _run(self) -> None:
        try:
            if self.choice is ProviderChoice.SIMULATOR:
                await self._sim.ensure_started(self.controller.run_dir.sim_state_dir)
            self._write_metadata()
            final = await self.controller.run()
            log.info("run %s ended: %s", self.run_dir, final)
        finally:
            self._task = None
            self._set_state(IDLE)

    def _make_provider(self) -> Any:
        handle = self._sim.handle if self.choice is ProviderChoice.SIMULATOR else None
        return client_for(run_settings(self.settings, self.choice, handle))

    def _write_metadata(self) -> None:
        handle = self._sim.handle
        url = handle.base_url if handle and self.choice is ProviderChoice.SIMULATOR else None
        self.controller.run_dir.create(str(self.choice), url or self.settings.xai_base_url,
                                       self.settings)  # fmt: skip

    def pause(self) -> None:
        """Start nothing new; paid-for generations still finish."""
        self.controller.pause()

    def resume(self) -> None:
        """Undo :meth:`pause`."""
        self.controller.resume()

    def cancel(self, job_ids: list[str] | None = None) -> int:
        """Cancel the given jobs, or every unfinished one."""
        if job_ids is None:
            return self.controller.cancel()
        return sum(self.controller.cancel(job_id) for job_id in job_ids)

    def retry_failed(self) -> int:
        """Queue every failed job again, the cheapest way."""
        return self.controller.retry_failed()

    def retry(self, job_ids: list[str]) -> int:
        """Queue the given failed or cancelled jobs again, the cheapest way."""
        return self.controller.retry(job_ids)

    def apply_pacing(self, settings: Settings) -> None:
        """Use new concurrency, rate limit and jitter now, even mid-run."""
        self.settings = settings
        self.controller.set_concurrency(settings.concurrency)
        self.controller.set_rate_limit_rpm(settings.rate_limit_rpm)
        self.controller.set_jitter(*settings.jitter_s)

    # -- closing ---------------------------------------------------------------------------

    async def close(self) -> None:
        """Pause (kept in the run), stop, and release the run directory."""
        if self.running:
            self.controller.pause()
            self.controller.stop()
            if self._task is not None:
                await asyncio.wait({self._task})
        self.controller.close()
