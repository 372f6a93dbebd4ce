"""Analysis from the GUI: ``core.analysis.analyze`` on a QThread with progress, live rows, cancel.

The engine is imported inside the thread (torch loads slowly), progress and rows cross back as
queued signals, and cancel sets the engine's ``threading.Event``; the engine stops at its next
batch and raises ``AnalysisCancelled``. Nothing here computes anything.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot


class _AnalysisThread(QThread):
    progress = Signal(int, int)
    rows = Signal(list)
    succeeded = Signal(str)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, clip_path: Path, out_dir: Path, device: str) -> None:
        super().__init__()
        self.clip_path, self.out_dir, self.device = clip_path, out_dir, device
        self.cancel_event = threading.Event()

    def run(self) -> None:
        from core.analysis import AnalysisCancelled, AnalysisError, AnalysisOptions, analyze
        from core.media import MediaError

        options = AnalysisOptions(out_dir=self.out_dir, device=self.device, on_rows=self._rows)
        try:
            analyze(self.clip_path, options, progress=self.progress.emit, cancel=self.cancel_event)
        except AnalysisCancelled:
            self.cancelled.emit()
        except (AnalysisError, MediaError, OSError, ValueError, RuntimeError) as err:
            self.failed.emit(f"{self.clip_path.name}: {err}")
        else:
            self.succeeded.emit(str(self.out_dir))

    def _rows(self, rows: list[dict[str, Any]]) -> None:
        self.rows.emit([dict(r) for r in rows])  # a copy: the engine may reuse its dicts


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
        Stopped on request; the partial report directory may remain.
    """

    progress = Signal(int, int)
    rows = Signal(list)
    finished = Signal(str)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, clip_path: Path, out_dir: Path, device: str = "auto") -> None:
        super().__init__()
        self.clip_path, self.out_dir = clip_path, out_dir
        self._thread = _AnalysisThread(clip_path, out_dir, device)
        self._thread.progress.connect(self._on_progress)
        self._thread.rows.connect(self._on_rows)
        self._thread.succeeded.connect(self._on_finished)
        self._thread.failed.connect(self._on_failed)
        self._thread.cancelled.connect(self._on_cancelled)

    def start(self) -> None:
        """Begin on the worker thread."""
        self._thread.start()

    def cancel(self) -> None:
        """Ask the engine to stop at its next batch (returns at once)."""
        self._thread.cancel_event.set()

    def wait(self) -> None:
        """Block until the thread ends (shutdown: cancel first)."""
        self._thread.wait()

    def running(self) -> bool:
        """True while the engine runs."""
        return self._thread.isRunning()

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        self.progress.emit(done, total)

    @Slot(list)
    def _on_rows(self, rows: list[dict[str, Any]]) -> None:
        self.rows.emit(rows)

    @Slot(str)
    def _on_finished(self, out_dir: str) -> None:
        self.finished.emit(out_dir)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.failed.emit(message)

    @Slot()
    def _on_cancelled(self) -> None:
        self.cancelled.emit()
