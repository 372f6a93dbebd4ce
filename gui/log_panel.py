"""The Log panel: the app's log lines, filterable by level and text, with secrets redacted.

A :class:`QtLogHandler` on the root logger formats each record with
:class:`core.logs.RedactingFormatter` (after :class:`core.logs.RedactingFilter`), then crosses
into the GUI thread through a queued Qt signal, so worker threads may log freely.
"""

from __future__ import annotations

import contextlib
import logging
from collections import deque

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.logs import RedactingFilter, RedactingFormatter

MAX_LINES = 5000
LEVELS: tuple[tuple[str, int], ...] = (
    ("Debug", logging.DEBUG),
    ("Info", logging.INFO),
    ("Warning", logging.WARNING),
    ("Error", logging.ERROR),
)


class _Bridge(QObject):
    line = Signal(int, str)


class QtLogHandler(logging.Handler):
    """A logging handler that forwards redacted lines to the GUI thread."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.bridge = _Bridge()
        self.addFilter(RedactingFilter())
        self.setFormatter(RedactingFormatter())

    def emit(self, record: logging.LogRecord) -> None:
        # RuntimeError: the bridge was deleted at shutdown; nothing is left to show the line.
        with contextlib.suppress(RuntimeError):
            self.bridge.line.emit(record.levelno, self.format(record))


class LogPanel(QWidget):
    """Shows log lines at or above the chosen level that contain the filter text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._lines: deque[tuple[int, str]] = deque(maxlen=MAX_LINES)
        self.level_combo = QComboBox()
        for name, level in LEVELS:
            self.level_combo.addItem(name, level)
        self.level_combo.setCurrentIndex(1)
        self.filter_edit = QLineEdit(placeholderText="Filter log text…", clearButtonEnabled=True)
        clear = QPushButton("Clear")
        self.view = QPlainTextEdit(readOnly=True)
        self.view.setMaximumBlockCount(MAX_LINES)
        self.view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        bar = QHBoxLayout()
        bar.addWidget(self.level_combo)
        bar.addWidget(self.filter_edit, 1)
        bar.addWidget(clear)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.view)
        self.level_combo.currentIndexChanged.connect(self._refilter)
        self.filter_edit.textChanged.connect(self._refilter)
        clear.clicked.connect(self.clear)
        self.handler = QtLogHandler()
        self.handler.bridge.line.connect(self.append_line, Qt.ConnectionType.QueuedConnection)

    def attach(self, logger: logging.Logger | None = None) -> None:
        """Start receiving ``logger``'s records (the root logger by default)."""
        (logger or logging.getLogger()).addHandler(self.handler)

    def detach(self, logger: logging.Logger | None = None) -> None:
        """Stop receiving records (window shutdown)."""
        (logger or logging.getLogger()).removeHandler(self.handler)

    @Slot(int, str)
    def append_line(self, level: int, text: str) -> None:
        """Keep the line and show it when it passes the filter."""
        self._lines.append((level, text))
        if self._passes(level, text):
            self.view.appendPlainText(text)

    def clear(self) -> None:
        """Forget every line shown so far."""
        self._lines.clear()
        self.view.clear()

    def visible_text(self) -> str:
        """The text currently shown (tests and copy-all)."""
        return self.view.toPlainText()

    def _passes(self, level: int, text: str) -> bool:
        needle = self.filter_edit.text().casefold()
        return level >= int(self.level_combo.currentData()) and needle in text.casefold()

    def _refilter(self) -> None:
        shown = [text for level, text in self._lines if self._passes(level, text)]
        self.view.setPlainText("\n".join(shown))
        self.view.verticalScrollBar().setValue(self.view.verticalScrollBar().maximum())
