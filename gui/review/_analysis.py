"""Analysis from the GUI: ``core.analysis.analyze`` with progress, live rows and cancel.

A QThread relays a spawned analysis process (:func:`core.review.analysis_job`): torch never
loads in the GUI process, whose GIL stays free for playback. Progress and rows cross back as
queued signals; cancel sets the engine's event, checked between batches.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from core.review import ChildRun, analysis_job
from gui.review._threads import ChildThread


class AnalysisRun(QObject):
    """One analysis of one clip. Signals arrive on the GUI thread.

    Signals
    -------
    progress(int, int):
        Frames done, frames total.
    rows(list):
        Per-frame rows as the engine computes them (dicts as in frames.csv).
    finished(str):
        The report directory, complete.
    failed(str):
        What went wrong, naming the clip.
    cancelled():
        Stopped on request; nothing is written.
    """

    progress = Signal(int, int)
    rows = Signal(list)
    finished = Signal(str)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, clip_path: Path, out_dir: Path, device: str = "auto") -> None:
        super().__init__()
        self.clip_path, self.out_dir = clip_path, out_dir
        child = ChildRun(analysis_job, str(clip_path), str(out_dir), device)
        self._thread = ChildThread(child)
        self._thread.progress.connect(self._on_progress)
        self._thread.rows.connect(self._on_rows)
        self._thread.succeeded.connect(self._on_finished)
        self._thread.failed.connect(self._on_failed)
        self._thread.cancelled.connect(self._on_cancelled)

    def start(self) -> None:
        """Begin: the child process starts now, its messages arrive as signals."""
        self._thread.launch()

    def cancel(self) -> None:
        """Ask the engine to stop at its next batch (returns at once)."""
        self._thread.cancel()

    def stop(self) -> None:
        """Shutdown: cancel, wait briefly, terminate the child if it does not stop."""
        self._thread.stop()

    def running(self) -> bool:
        """True while the analysis runs."""
        return self._thread.isRunning()

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        self.progress.emit(done, total)

    @Slot(list)
    def _on_rows(self, rows: list[dict[str, Any]]) -> None:
        self.rows.emit(rows)

    @Slot(object)
    def _on_finished(self, out_dir: object) -> None:
        self.finished.emit(str(out_dir))

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.failed.emit(f"{self.clip_path.name}: {message}")

    @Slot()
    def _on_cancelled(self) -> None:
        self.cancelled.emit()
