"""Wires the open run to the Queue tab, the run toolbar and the status bar.

One :class:`RunManager` per window. It opens/creates run directories (one
:class:`gui.run_session.RunSession` at a time), subscribes the queue model to the run's
events, turns toolbar and context-menu requests into controller calls, and keeps the
status bar current. Rules about jobs stay in ``core``; this only connects and forwards.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from core.batch import PauseReason, RunDirError, RunState, new_run_dir
from core.config import Settings
from core.notify import Notification, Severity
from core.notify import manager as notifications
from core.prompts import ImportResult, PromptDefaults, load_prompt_files
from core.store import UNFINISHED, JobState
from gui.actions import Actions
from gui.analysis_glue import LazyAnalysis
from gui.async_glue import TaskKeeper, run_blocking
from gui.device_probe import DeviceProbe
from gui.provider_glue import SimulatorService
from gui.queue_model import QueueModel
from gui.queue_source import QueueSource
from gui.queue_view import QueueView
from gui.run_controls import IDLE, RunControls
from gui.run_session import RunSession
from gui.run_status import RunStatus

log = logging.getLogger(__name__)
_STATE_WORDS = {
    IDLE: "Ready",
    RunState.RUNNING: "Running",
    RunState.PAUSING: "Pausing (finishing paid work)",
    RunState.PAUSED: "Paused",
    RunState.STOPPING: "Stopping",
    RunState.STOPPED: "Stopped",
    RunState.FINISHED: "Finished",
}

_PAUSE_ADVICE = {
    PauseReason.AUTH: (
        "The provider refused the API key, so the run is paused.",
        "Open Settings, check the key (Test key), then press Resume.",
    ),
    PauseReason.BUDGET: (
        "The run reached its budget and is paused.",
        "Raise the budget in the toolbar (or set no limit), then press Resume.",
    ),
}


class RunManager(QObject):
    """The window's run: session, queue model/view, toolbar and status."""

    opened = Signal(object)
    """A run directory (``Path``) was opened or created."""
    review_requested = Signal(object, object)
    """``(clip_path, report_dir or None)`` of a queue row to show in Review."""

    def __init__(
        self, settings: Settings, tasks: TaskKeeper, acts: Actions, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.settings, self._tasks, self.acts = settings, tasks, acts
        self.sim = SimulatorService()
        self.devices = DeviceProbe()
        self.analysis = LazyAnalysis(self.devices, settings.device)
        self.session: RunSession | None = None
        self._told_reason: PauseReason | None = None
        self.model = QueueModel(parent=self)
        self.view = QueueView(self.model)
        self.controls = RunControls(acts, settings)
        self.status = RunStatus()
        self._connect()
        self._refresh_controls()

    def _connect(self) -> None:
        a = self.acts
        a.start.triggered.connect(self.start)
        a.pause.triggered.connect(lambda: self._call("pause"))
        a.resume.triggered.connect(lambda: self._call("resume"))
        a.cancel.triggered.connect(lambda: self._call("cancel"))
        a.retry_failed.triggered.connect(lambda: self._call("retry_failed"))
        self.model.counts_changed.connect(self._on_counts)
        self.view.cancel_requested.connect(lambda ids: self._call("cancel", ids))
        self.view.retry_requested.connect(lambda ids: self._call("retry", ids))
        self.view.review_requested.connect(self._review_row)
        self.controls.concurrency_changed.connect(self._set_concurrency)
        self.controls.rate_changed.connect(self._set_rate)
        self.controls.budget_changed.connect(self._set_budget)

    # -- opening ---------------------------------------------------------------------------

    async def open_run(self, run_dir: Path) -> bool:
        """Close the current run (if any) and open ``run_dir``; False (and a message) on error."""
        await self.close_session()
        try:
            analyzer = self.analysis if self.controls.analyse.isChecked() else None
            session = RunSession(
                run_dir, self.settings, self._tasks, self.sim, analyzer, parent=self
            )
        except (RunDirError, OSError, ValueError) as err:
            notifications.report_exception(err, "open-run")
            return False
        self.session = session
        events = session.controller.events
        events.job_changed.connect(self.model.on_job_changed)
        events.progress.connect(self.model.on_progress)
        events.jobs_changed.connect(self._on_bulk_change)
        session.state_changed.connect(self._on_state)
        self.model.set_source(QueueSource(session.run_dir))
        self.view.set_categories(self.model.source.categories() if self.model.source else [])
        self.status.meter.reset()
        self._show_budget()
        self._on_state(session.state)
        self.opened.emit(session.run_dir)
        return True

    async def ensure_session(self) -> RunSession | None:
        """The open run, creating a new one in the download folder when none is open."""
        if self.session is None:
            await self.open_run(new_run_dir(self.settings.download_dir))
        return self.session

    async def close_session(self) -> None:
        """Stop and release the open run (its jobs stay resumable)."""
        session, self.session = self.session, None
        if session is None:
            return
        source = self.model.source
        self.model.set_source(None)
        if source is not None:
            source.close()
        await session.close()
        session.deleteLater()
        self._on_state(IDLE)

    # -- adding jobs -----------------------------------------------------------------------

    async def enqueue(self, result: ImportResult) -> int:
        """Queue ``result``'s prompts in the open (or a new) run; return how many jobs."""
        session = await self.ensure_session()
        if session is None or not result.prompts:
            return 0
        ids = session.enqueue(result.prompts)
        self.model.flush()
        self._refresh_controls()  # Start is usable now, not at the next counts update
        self.view.set_categories(self.model.source.categories() if self.model.source else [])
        notifications.info(f"Queued {len(ids):,} job(s) in {session.run_dir.name}.", "enqueue")
        return len(ids)

    async def import_files(self, paths: list[Path], defaults: PromptDefaults) -> ImportResult:
        """Read prompt files off the GUI thread and queue their valid rows."""
        result = await run_blocking(load_prompt_files, paths, defaults)
        await self.enqueue(result)
        return result

    # -- run commands ----------------------------------------------------------------------

    @Slot()
    def start(self) -> None:
        """Start (or resume) the open run with the chosen provider."""
        session = self.session
        if session is None:
            return
        self.status.meter.reset()
        if session.analysing != self.controls.analyse.isChecked() and not session.running:
            # The controller's analyzer is fixed: reopen the run with the new choice first.
            self._tasks.spawn(self._reopen_and_start(session.run_dir), "reopen-run")
            return
        session.start(self.controls.choice())

    async def _reopen_and_start(self, run_dir: Path) -> None:
        if await self.open_run(run_dir) and self.session is not None:
            self.session.start(self.controls.choice())

    def _call(self, command: str, *args: object) -> None:
        if self.session is not None:
            getattr(self.session, command)(*args)
            self._refresh_controls()

    @Slot(int)
    def _set_concurrency(self, n: int) -> None:
        if self.session is not None:
            self.session.controller.set_concurrency(n)

    @Slot(float)
    def _set_rate(self, rpm: float) -> None:
        if self.session is not None:
            self.session.controller.set_rate_limit_rpm(rpm)

    @Slot(object)
    def _set_budget(self, budget_usd: float | None) -> None:
        if self.session is not None:
            self.session.controller.set_budget_usd(budget_usd)
            self._show_budget()

    def apply_settings(self, settings: Settings) -> None:
        """New settings from the dialog: pacing applies to the live run at once."""
        self.settings = settings
        self.analysis.device_setting = settings.device  # used when the pool is next made
        self.controls.update_provider_choices(settings)
        self.controls.concurrency.setValue(settings.concurrency)
        self.controls.rate.setValue(settings.rate_limit_rpm)
        if self.session is not None:
            self.session.apply_pacing(settings)

    def is_active(self) -> bool:
        """True while the open run is running."""
        return self.session is not None and self.session.running

    # -- showing ---------------------------------------------------------------------------

    @Slot(str)
    def _on_state(self, state: str) -> None:
        text = _STATE_WORDS.get(state, state)
        session = self.session
        reason = session.controller.pause_reason if session is not None else None
        if reason is not None and reason is not PauseReason.USER and state != IDLE:
            text = f"Paused: {reason}"
        if reason is not self._told_reason:
            self._told_reason = reason
            self._tell_pause(reason, session.controller.pause_detail if session else "")
        self.status.show_state(text if session else "No run open")
        self._refresh_controls()

    def _tell_pause(self, reason: PauseReason | None, detail: str) -> None:
        """Say in plain words why the run paused itself, and what to do about it."""
        if reason is None or reason not in _PAUSE_ADVICE:
            return
        message, advice = _PAUSE_ADVICE[reason]
        message += f" ({detail})" if detail else ""
        notifications.dispatch(Notification(Severity.WARNING, message, advice, source="run"))

    def _on_bulk_change(self, _count: int) -> None:
        self.model.on_job_changed("")

    @Slot(object)
    def _on_counts(self, counts: dict[JobState, int]) -> None:
        self.status.show_counts(counts)
        self._refresh_controls(counts)
        self._show_budget()

    def _refresh_controls(self, counts: dict[JobState, int] | None = None) -> None:
        session = self.session
        if session is None:
            self.controls.show_state(IDLE, False, False)
            return
        counts = counts if counts is not None else session.counts()
        runnable = any(counts.get(s, 0) for s in UNFINISHED)
        state = session.state if session.running else IDLE
        self.controls.show_state(state, runnable, counts.get(JobState.FAILED, 0) > 0)

    def _show_budget(self) -> None:
        if self.session is not None:
            controller = self.session.controller
            spent = controller.store.spend().total_usd
            self.status.show_spend(spent, controller.budget.limit_usd)

    @Slot(int)
    def _review_row(self, row: int) -> None:
        data, session = self.model.row_data(row), self.session
        if session is None or not data.clip_path:
            return
        report = session.run_dir / data.report_dir if data.report_dir else None
        self.review_requested.emit(session.run_dir / data.clip_path, report)

    async def shutdown(self) -> None:
        """Close the run and stop the simulator."""
        await self.close_session()
        await self.analysis.close()
        await self.devices.close()
        await self.sim.stop()
