"""The status bar's run section: live counts by state, overall progress, rate and ETA, spend."""

from __future__ import annotations

import time
from collections.abc import Mapping

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from core.batch.rate import settled_count
from core.store import JobState
from gui.run_stats import counts_text, rate_text, status_meter

_BACK, _CHUNK, _TEXT = QColor("#1b1d20"), QColor("#3b6bc4"), QColor("#e6e9ee")


class ProgressStrip(QWidget):
    """A flat progress bar that repaints lazily.

    ``QProgressBar.setValue`` repaints synchronously (about 9 ms per call in this window
    under its style sheet); called on every queue refresh that stalled the event loop.
    This one only schedules an ``update()``.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.value, self.maximum = 0, 0
        self.setFixedSize(180, 18)

    def set_progress(self, value: int, maximum: int) -> None:
        """Show ``value`` of ``maximum`` (repainted on the next paint cycle)."""
        if (value, maximum) != (self.value, self.maximum):
            self.value, self.maximum = value, maximum
            self.update()

    def text(self) -> str:
        """``"12 / 40 settled"``."""
        return f"{self.value:,} / {self.maximum:,} settled"

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        rect = self.rect().adjusted(0, 0, -1, -1)
        painter.fillRect(rect, _BACK)
        if self.maximum:
            width = rect.width() * min(self.value, self.maximum) // self.maximum
            painter.fillRect(QRect(rect.left(), rect.top(), width, rect.height()), _CHUNK)
        painter.setPen(_TEXT)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.text())
        painter.end()


class RunStatus(QWidget):
    """Counts, a progress bar over all jobs, ``jobs/min · ETA`` and the money spent."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.meter = status_meter()
        self.state_label = QLabel("No run open")
        self.counts_label = QLabel()
        self.progress = ProgressStrip()
        self.rate_label = QLabel()
        self.spend_label = QLabel()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (
            self.state_label,
            self.counts_label,
            self.progress,
            self.rate_label,
            self.spend_label,
        ):
            layout.addWidget(widget)

    def show_counts(self, counts: Mapping[JobState, int]) -> None:
        """Update counts, progress and the rate from the latest counts."""
        total = sum(counts.values())
        settled = settled_count(counts)
        self.counts_label.setText(counts_text(counts))
        self.progress.set_progress(settled, total)
        self.meter.add(time.monotonic(), settled)
        self.rate_label.setText(rate_text(self.meter, total - settled))

    def show_state(self, text: str) -> None:
        """Say what the run is doing (``Running``, ``Paused: budget``…)."""
        self.state_label.setText(text)

    def show_spend(self, spent_usd: float, budget_usd: float | None) -> None:
        """``$4.20 spent`` or ``$4.20 of $50.00``."""
        limit = f" of ${budget_usd:,.2f}" if budget_usd else " spent"
        self.spend_label.setText(f"${spent_usd:,.2f}{limit}")
