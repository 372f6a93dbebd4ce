"""The events list: every detected event with kind, frames, time and score; click to jump."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from core.review import ReviewEvent
from gui.review._scrub_bar import kind_color

COLUMNS = ("kind", "frames", "time", "score")


def _item(text: str, sort_value: float | None = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if sort_value is not None:
        item.setData(Qt.ItemDataRole.DisplayRole, sort_value)  # numeric sort, not text sort
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    return item


class EventsTable(QTableWidget):
    """Sortable list; ``event_activated(peak_frame)`` when a row is clicked."""

    event_activated = Signal(int)

    def __init__(self) -> None:
        super().__init__(0, len(COLUMNS))
        self.setHorizontalHeaderLabels(list(COLUMNS))
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSortingEnabled(True)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)  # a few rows only
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.cellClicked.connect(self._on_click)
        self._peaks: dict[int, int] = {}

    def set_events(self, events: tuple[ReviewEvent, ...], times_s: tuple[float, ...]) -> None:
        """Fill the list, worst first."""
        self.setSortingEnabled(False)
        self.setRowCount(len(events))
        for row, event in enumerate(events):
            kind = _item(event.label)
            kind.setData(Qt.ItemDataRole.DecorationRole, kind_color(event.kind))  # a swatch
            kind.setToolTip(event.evidence or event.label)
            kind.setData(Qt.ItemDataRole.UserRole, event.peak)
            peak_s = times_s[event.peak] if 0 <= event.peak < len(times_s) else float("nan")
            self.setItem(row, 0, kind)
            self.setItem(row, 1, _item(f"{event.start}–{max(event.start, event.end - 1)}"))
            self.setItem(row, 2, _item("", round(peak_s, 3)))
            self.setItem(row, 3, _item("", round(event.score, 3)))
        self.setSortingEnabled(True)
        self.sortItems(3, Qt.SortOrder.DescendingOrder)

    def _on_click(self, row: int, _column: int) -> None:
        item = self.item(row, 0)
        if item is not None:
            self.event_activated.emit(int(item.data(Qt.ItemDataRole.UserRole)))
