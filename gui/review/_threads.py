"""A one-shot call on a QThread whose result comes back as a queued signal.

Used for reading reports and computing A-vs-B metrics: work that takes from milliseconds to
seconds and must not block the Qt thread. The owner keeps the object until ``finished`` and
calls :meth:`wait` at shutdown (a QThread destroyed while running aborts the process).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from core.review import ChildRun

log = logging.getLogger(__name__)


class _Thread(QThread):
    succeeded = Signal(object)
    failed = Signal(str)

    def __init__(self, call: Callable[[], Any], errors: tuple[type[Exception], ...]) -> None:
        super().__init__()
        self._call = call
        self._errors = errors

    def run(self) -> None:
        try:
            result = self._call()
        except self._errors as err:
            self.failed.emit(str(err))
            return
        self.succeeded.emit(result)


class Call(QObject):
    """Run ``call()`` on its own thread; ``done(result)`` or ``failed(message)`` on the GUI thread.

    Only exceptions listed in ``errors`` become ``failed``; anything else is a bug and reaches
    the thread's excepthook (the app's error sink).
    """

    done = Signal(object)
    failed = Signal(str)

    def __init__(
        self,
        call: Callable[[], Any],
        errors: tuple[type[Exception], ...],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._thread = _Thread(call, errors)
        self._thread.succeeded.connect(self._on_done)
        self._thread.failed.connect(self._on_failed)
        self._thread.start()

    def wait(self) -> None:
        """Block until the call ends (shutdown only)."""
        self._thread.wait()

    def running(self) -> bool:
        """True until the call has returned or raised."""
        return self._thread.isRunning()

    @Slot(object)
    def _on_done(self, result: object) -> None:
        self.done.emit(result)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        log.warning("review: background call failed: %s", message)
        self.failed.emit(message)


class ChildThread(QThread):
    """Relays a :class:`core.review.ChildRun`'s messages as signals (queued to the GUI thread).

    The thread only waits on the child's queue, so the GIL stays free for the GUI.
    """

    progress = Signal(int, int)
    rows = Signal(list)
    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, child: ChildRun) -> None:
        super().__init__()
        self.child = child

    def launch(self) -> None:
        """Start the child from the calling (GUI) thread, then relay its messages here.

        Process start-up stays on one thread: concurrent spawns from several threads race in
        multiprocessing's resource tracker.
        """
        self.child.start()
        self.start()

    def run(self) -> None:
        for kind, *payload in self.child.messages():
            if kind == "progress":
                self.progress.emit(int(payload[0]), int(payload[1]))
            elif kind == "rows":
                self.rows.emit(payload[0])
            elif kind == "done":
                self.succeeded.emit(payload[0])
            elif kind == "failed":
                self.failed.emit(str(payload[0]))
            else:
                self.cancelled.emit()

    def cancel(self) -> None:
        """Ask the child to stop; returns at once (the final message still arrives)."""
        self.child.cancel()

    def stop(self, grace_ms: int = 3000) -> None:
        """Shutdown: cancel, wait ``grace_ms`` for the child to notice, then terminate it."""
        self.child.cancel()
        if not self.wait(grace_ms):
            self.child.stop(0.0)
            self.wait()
