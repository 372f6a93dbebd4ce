"""The Roast dialog's background work: one current task on a QThread at a time.

Exporting the clip and posting it both run off the GUI thread. Starting a task cancels the
current one cooperatively and never waits for it (the GUI thread must not block). A
superseded task may still finish, so only the current task's signals are relayed; threads
still winding down stay referenced until they end (a QThread dropped while running aborts).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

from core.export import ExportError
from core.media import MediaError
from core.roast.facts import ReportError
from core.roast.post import DuplicatePostError, RoastTextError
from core.x_client.errors import XError

EXPECTED_ERRORS = (
    ExportError,
    MediaError,
    XError,
    DuplicatePostError,
    RoastTextError,
    ReportError,
    OSError,
)
"""What an export or a post may raise for a reason the user can act on (shown, not logged)."""


class _Task(QThread):
    """Runs ``work(progress, cancel)`` off the GUI thread; results come back as signals."""

    progress = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(str)

    def __init__(self, work: Callable[..., Any], parent: QObject) -> None:
        super().__init__(parent)
        self._work = work
        self.cancel = threading.Event()

    def run(self) -> None:
        try:
            result = self._work(self.progress.emit, self.cancel)
        except EXPECTED_ERRORS as err:
            self.failed.emit(str(err))
            return
        self.succeeded.emit(result)


class TaskRunner(QObject):
    """Runs one task at a time and relays only the current one's progress, result and error."""

    progress = Signal(int, int)
    failed = Signal(str)
    changed = Signal()
    """A task started, was cancelled or ended (:meth:`busy` may differ)."""
    all_done = Signal()
    """No task thread is left running (temporary files can go)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._task: _Task | None = None
        self._running: set[_Task] = set()

    def start(self, work: Callable[..., Any], done: Callable[[Any], None]) -> None:
        """Cancel the current task and run ``work(progress, cancel)``; ``done(result)`` after."""
        self.cancel()
        task = _Task(work, self)
        task.progress.connect(self._if_current(task, self.progress.emit))
        task.succeeded.connect(self._if_current(task, done))
        task.failed.connect(self._if_current(task, self.failed.emit))
        task.finished.connect(lambda: self._on_finished(task))
        self._task = task
        self._running.add(task)
        task.start()
        self.changed.emit()

    def cancel(self) -> None:
        """Ask the current task to stop; never waits for it."""
        if self._task is not None:
            self._task.cancel.set()
            self._task = None
        self.changed.emit()

    def busy(self) -> bool:
        """True while a current task runs."""
        return self._task is not None

    def idle(self) -> bool:
        """True when no task thread is left, superseded ones included."""
        return not self._running

    def _if_current(self, task: _Task, slot: Callable[..., None]) -> Callable[..., None]:
        def call(*args: Any) -> None:
            if self._task is task:
                slot(*args)

        return call

    def _on_finished(self, task: _Task) -> None:
        self._running.discard(task)
        if self._task is task:
            self._task = None
        self.changed.emit()
        if not self._running:
            self.all_done.emit()
