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

    def start(self, clip: Path) -> None:
        """Analyse ``clip`` into its default report directory (stops any running analysis)."""
        self.stop()
        run = AnalysisRun(clip, default_report_dir(clip))
        run.progress.connect(self._on_progress)
        run.rows.connect(self.w.plots.append_rows)
        run.finished.connect(self._on_finished)
        run.failed.connect(lambda text: self._end(f"Analysis failed: {text}"))
        run.cancelled.connect(lambda: self._end("analysis cancelled"))
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

    def stop(self) -> None:
        """Cancel and wait (another clip, or shutdown)."""
        if self.run is not None and self.run.running():
            self.run.cancel()
            self.run.wait()
        self.run = None
        self.w.set_analysing(False)

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        self.w.progress.setRange(0, max(1, total))
        self.w.progress.setValue(done)

    @Slot(str)
    def _on_finished(self, report_dir: str) -> None:
        clip = self.run.clip_path if self.run is not None else Path()
        self._end(f"analysis written to {report_dir}")
        self.report_ready.emit(str(clip), report_dir)

    def _end(self, text: str) -> None:
        self.w.set_analysing(False)
        self.message.emit(text)
