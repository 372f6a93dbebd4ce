"""The Queue tab: filter bar, the job table (download bars drawn by a delegate), context menu.

User commands (retry, cancel, review) leave as signals carrying job ids; the window passes
them to the run controller. Opening files, folders and copying text are done here: they
are the desktop's business, not the run's.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    Qt,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import QColor, QDesktopServices, QGuiApplication, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from core.store import JobFilter, JobState
from gui.queue_model import DOWNLOAD_ROLE, QueueModel
from gui.queue_rows import COLUMNS, DOWNLOAD

FILTER_DELAY_MS = 250
STATE_FILTERS: tuple[tuple[str, tuple[JobState, ...]], ...] = (
    ("All states", ()),
    (
        "Active",
        (
            JobState.SUBMITTING,
            JobState.GENERATING,
            JobState.DOWNLOADING,
            JobState.DOWNLOADED,
            JobState.ANALYSING,
        ),
    ),
    ("Queued", (JobState.QUEUED,)),
    ("Done", (JobState.DONE,)),
    ("Failed", (JobState.FAILED,)),
    ("Needs attention", (JobState.FAILED, JobState.START_UNKNOWN, JobState.MODERATED)),
    ("Moderated", (JobState.MODERATED,)),
    ("Cancelled", (JobState.CANCELLED,)),
)
Index = QModelIndex | QPersistentModelIndex
_BAR_BACK, _BAR_CHUNK = QColor("#2a2d32"), QColor("#3b6bc4")
_BAR_DONE, _BAR_TEXT = QColor("#2f5d3a"), QColor("#e6e9ee")


class DownloadDelegate(QStyledItemDelegate):
    """Draws the Download column as a flat progress bar with its text.

    Painted with plain rectangles, not the style's progress bar: under a style sheet that
    path costs about ten times more, and this column repaints with every download event.
    """

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        percent = index.data(DOWNLOAD_ROLE)
        if not isinstance(percent, int) or percent < 0:
            super().paint(painter, option, index)
            return
        rect = option.rect.adjusted(4, 4, -4, -4)
        painter.save()
        painter.fillRect(rect, _BAR_BACK)
        filled = QRect(rect.left(), rect.top(), rect.width() * percent // 100, rect.height())
        painter.fillRect(filled, _BAR_DONE if percent >= 100 else _BAR_CHUNK)
        painter.setPen(_BAR_TEXT)
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()


class QueueView(QWidget):
    """Filter bar + table over a :class:`QueueModel`."""

    retry_requested = Signal(list)
    cancel_requested = Signal(list)
    review_requested = Signal(int)
    """A row whose clip should open in the Review tab."""

    def __init__(self, model: QueueModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.state_combo = QComboBox()
        for title, _states in STATE_FILTERS:
            self.state_combo.addItem(title)
        self.category_combo = QComboBox()
        self.category_combo.addItem("All categories", None)
        self.search = QLineEdit(placeholderText="Search prompts…", clearButtonEnabled=True)
        self.shown_label = QLabel()
        self.table = self._make_table()
        bar = QHBoxLayout()
        bar.addWidget(self.state_combo)
        bar.addWidget(self.category_combo)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.shown_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        self._filter_timer = QTimer(self, singleShot=True, interval=FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(self._filter_timer.start)
        self.state_combo.currentIndexChanged.connect(self.apply_filter)
        self.category_combo.currentIndexChanged.connect(self.apply_filter)
        for signal in (model.modelReset, model.rowsInserted, model.layoutChanged):
            signal.connect(self._show_count)

    def _make_table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.model)
        table.setItemDelegateForColumn(DOWNLOAD, DownloadDelegate(table))
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.setShowGrid(False)
        table.setSortingEnabled(True)
        table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        table.verticalHeader().hide()
        # Fixed row heights and no ResizeToContents: both cost a pass over every row.
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.verticalHeader().setDefaultSectionSize(24)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        for column, spec in enumerate(COLUMNS):
            table.setColumnWidth(column, spec.width_px)
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(self._context_menu)
        table.doubleClicked.connect(lambda index: self.review_requested.emit(index.row()))
        return table

    def set_categories(self, categories: list[str]) -> None:
        """Offer these categories in the filter (keeps the current choice when present)."""
        current = self.category_combo.currentData()
        self.category_combo.blockSignals(True)
        self.category_combo.clear()
        self.category_combo.addItem("All categories", None)
        for category in categories:
            self.category_combo.addItem(category, category)
        index = self.category_combo.findData(current)
        self.category_combo.setCurrentIndex(max(0, index))
        self.category_combo.blockSignals(False)

    def current_filter(self) -> JobFilter:
        """The filter the bar describes."""
        states = STATE_FILTERS[self.state_combo.currentIndex()][1]
        return JobFilter(states, self.search.text().strip(), self.category_combo.currentData())

    def apply_filter(self) -> None:
        """Filter the model as the bar says."""
        self.model.set_filter(self.current_filter())

    def _show_count(self) -> None:
        self.shown_label.setText(f"{self.model.rowCount():,} shown")

    def selected_rows(self) -> list[int]:
        """Selected rows, top to bottom."""
        return sorted(index.row() for index in self.table.selectionModel().selectedRows())

    def _context_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        if not index.isValid():
            return
        if index.row() not in self.selected_rows():
            self.table.selectRow(index.row())
        menu = self.build_menu(index.row())
        menu.popup(self.table.viewport().mapToGlobal(pos))

    def build_menu(self, row: int) -> QMenu:
        """The context menu for the selection, ``row`` being the clicked one."""
        rows = self.selected_rows() or [row]
        ids = self.model.job_ids(rows)
        data = self.model.row_data(row)
        clip = self._clip_path(row)
        menu = QMenu(self)
        menu.addAction("Review", lambda: self.review_requested.emit(row)).setEnabled(bool(clip))
        menu.addSeparator()
        menu.addAction(f"Retry ({len(ids)})", lambda: self.retry_requested.emit(ids))
        menu.addAction(f"Cancel ({len(ids)})", lambda: self.cancel_requested.emit(ids))
        menu.addSeparator()
        open_file = menu.addAction("Open File", lambda: _open(clip))
        open_file.setEnabled(bool(clip and clip.exists()))
        folder = clip.parent if clip else self._run_dir()
        menu.addAction("Open Folder", lambda: _open(folder)).setEnabled(folder is not None)
        menu.addAction("Copy Prompt", lambda: QGuiApplication.clipboard().setText(data.prompt))
        return menu

    def _run_dir(self) -> Path | None:
        return self.model.source.run_dir if self.model.source else None

    def _clip_path(self, row: int) -> Path | None:
        clip, run_dir = self.model.row_data(row).clip_path, self._run_dir()
        return run_dir / clip if clip and run_dir else None


def _open(path: Path | None) -> None:
    if path is not None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
