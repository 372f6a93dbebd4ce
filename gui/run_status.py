"""The status bar's run section: live counts by state, overall progress, rate and ETA, spend."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QWidget

from core.store import JobState
from gui.run_stats import RateMeter, counts_text, settled_count


class RunStatus(QWidget):
    """Counts, a progress bar over all jobs, ``jobs/min · ETA`` and the money spent."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.meter = RateMeter()
        self.state_label = QLabel("No run open")
        self.counts_label = QLabel()
        self.progress = QProgressBar()
        self.progress.setFixedWidth(180)
        self.progress.setFormat("%v / %m settled")
        self.progress.setMaximum(1)
        self.progress.setValue(0)
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
        self.progress.setMaximum(max(1, total))
        self.progress.setValue(settled)
        self.meter.add(settled)
        self.rate_label.setText(self.meter.text(total - settled))

    def show_state(self, text: str) -> None:
        """Say what the run is doing (``Running``, ``Paused: budget``…)."""
        self.state_label.setText(text)

    def show_spend(self, spent_usd: float, budget_usd: float | None) -> None:
        """``$4.20 spent`` or ``$4.20 of $50.00``."""
        limit = f" of ${budget_usd:,.2f}" if budget_usd else " spent"
        self.spend_label.setText(f"${spent_usd:,.2f}{limit}")
