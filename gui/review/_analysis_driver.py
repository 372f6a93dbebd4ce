"""One analysis at a time for the review panel, shown in its progress bar, plots and status."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from core.review import default_report_dir
from gui.review._analysis import AnalysisRun
from gui.review._layout import PanelWidgets


class AnalysisDriver(QObject):
    """Starts, cancels and reports analyses; rows go straight into the plots.

    Signals
    -------
    report_ready(str, str):
        (clip path, report directory) of a finished analysis.
    message(str):
        A line for the status bar.
    """

    report_ready = Signal(str, str)
    message = Signal(str)

    def __init__(self, widgets: PanelWidgets, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.w = widgets
        self.run: AnalysisRun | None = None
        self._retired: list[AnalysisRun] = []

    def start(self, clip: Path) -> None:
        """Analyse ``clip`` into its default report directory (cancels a running analysis)."""
        self.drop()
        run = AnalysisRun(clip, default_report_dir(clip))
        run.progress.connect(self._on_progress)
        run.rows.connect(self._on_rows)
        run.finished.connect(self._on_finished)
        run.failed.connect(self._on_failed)
        run.cancelled.connect(self._on_cancelled)
        self.run = run
        self.w.plots.clear()
        self.w.set_analysing(True)
        self.message.emit(f"analysing {clip.name}…")
        run.start()

    def cancel(self) -> None:
        """Ask the engine to stop at its next batch."""
        if self.run is not None and self.run.running():
            self.run.cancel()
            self.message.emit("cancelling analysis…")

    def drop(self) -> None:
        """Forget the current analysis (another clip): cancel it without waiting for it."""
        if self.run is not None and self.run.running():
            self.run.cancel()
            self._retired = [r for r in self._retired if r.running()] + [self.run]
        self.run = None
        self.w.set_analysing(False)

    def stop(self) -> None:
        """Shutdown: cancel every analysis and wait for (or terminate) its process."""
        self.drop()
        for run in self._retired:
            run.stop()
        self._retired.clear()

    def _current(self) -> bool:
        return self.run is not None and self.sender() is self.run  # not a retired run

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        if self._current():
            self.w.progress.setRange(0, max(1, total))
            self.w.progress.setValue(done)

    @Slot(list)
    def _on_rows(self, rows: list[dict[str, object]]) -> None:
        if self._current():
            self.w.plots.append_rows(rows)

    @Slot(str)
    def _on_finished(self, report_dir: str) -> None:
        if self._current() and self.run is not None:
            clip = self.run.clip_path
            self._end(f"analysis written to {report_dir}")
            self.report_ready.emit(str(clip), report_dir)

    @Slot(str)
    def _on_failed(self, text: str) -> None:
        if self._current():
            self._end(f"Analysis failed: {text}")

    @Slot()
    def _on_cancelled(self) -> None:
        if self._current():
            self._end("analysis cancelled")

    def _end(self, text: str) -> None:
        self.w.set_analysing(False)
        self.message.emit(text)
