"""The import problems list: one row per ``file:line: field: message``, errors first.

A model over a plain list (a bad 10,000-line file can give thousands of rows); double-clicking
a problem in pasted text moves the editor to that line.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from core.prompts import ImportIssue

_HEADERS = ("Where", "Field", "Problem")
_ERROR_BRUSH = QBrush(QColor("#e06c75"))
_WARNING_BRUSH = QBrush(QColor("#d19a66"))
Index = QModelIndex | QPersistentModelIndex


def issue_where(issue: ImportIssue) -> str:
    """``name:line`` (file name only, the full path is in the tooltip) or the name alone."""
    name = issue.path.rsplit("/", 1)[-1]
    return f"{name}:{issue.line}" if issue.line else name


class ImportIssuesModel(QAbstractTableModel):
    """Read-only table of :class:`ImportIssue` with precomputed cells."""

    def __init__(self) -> None:
        super().__init__()
        self.issues: list[ImportIssue] = []
        self._cells: list[tuple[str, str, str]] = []

    def set_issues(self, issues: list[ImportIssue]) -> None:
        """Replace every row; errors sort before warnings, then by place."""
        self.beginResetModel()
        self.issues = sorted(issues, key=lambda i: (i.severity != "error", i.path, i.line))
        self._cells = [(issue_where(i), i.field, i.message) for i in self.issues]
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._cells)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(_HEADERS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cells[index.row()][index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 2:
            is_error = self.issues[index.row()].severity == "error"
            return _ERROR_BRUSH if is_error else _WARNING_BRUSH
        if role == Qt.ItemDataRole.ToolTipRole:
            return str(self.issues[index.row()])
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return _HEADERS[section]
        return None


class ImportIssuesView(QWidget):
    """Summary line plus the problems table; emits ``issue_activated`` on double-click."""

    issue_activated = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = ImportIssuesModel()
        self.summary = QLabel("No import problems.")
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(0, 130)
        self.table.setColumnWidth(1, 80)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.table)
        self.table.doubleClicked.connect(
            lambda index: self.issue_activated.emit(self.model.issues[index.row()])
        )

    def show_issues(self, issues: list[ImportIssue], imported: int) -> None:
        """Show the problems of the latest import and how many prompts it still took."""
        self.model.set_issues(issues)
        errors = sum(1 for i in issues if i.severity == "error")
        warnings = len(issues) - errors
        if not issues:
            self.summary.setText(f"{imported} prompt(s) ready, no problems.")
        else:
            self.summary.setText(
                f"{errors} error(s), {warnings} warning(s); "
                f"{imported} valid prompt(s) were still taken."
            )
