"""Helpers for GUI tests: synthetic drag-and-drop (OS drags cannot be driven from pytest)."""

from __future__ import annotations

import warnings
from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget

RUN_TIMEOUT_MS = 120_000
"""Longest wait for a simulator run in a test (they take a few seconds)."""


def prompt_file(tmp_path: Path, n: int, bad: bool = True) -> Path:
    """A .txt prompt list of ``n`` prompts (plus one too-long line on line 3 when ``bad``)."""
    lines = [f"a red ball number {i} bounces down a staircase" for i in range(n)]
    if bad:
        lines.insert(2, "x" * 5000)  # over the API's prompt limit: refused, others imported
    path = tmp_path / "prompts.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def file_mime(paths: list[Path]) -> QMimeData:
    """Mime data as a file manager sends it: local file URLs."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def text_mime(text: str) -> QMimeData:
    """Mime data as a text editor sends a selection."""
    mime = QMimeData()
    mime.setText(text)
    return mime


def drop_on(widget: QWidget, mime: QMimeData) -> bool:
    """Send drag-enter, drag-move and drop to ``widget``'s centre; True if the drop was taken."""
    centre = widget.rect().center()
    action, buttons = Qt.DropAction.CopyAction, Qt.MouseButton.LeftButton
    modifiers = Qt.KeyboardModifier.NoModifier
    with warnings.catch_warnings():
        # PySide 6.12 marks the drag events' (QPoint) constructors deprecated while the
        # QPointF ones it documents are not bound; the drop event takes QPointF.
        warnings.simplefilter("ignore", DeprecationWarning)
        enter = QDragEnterEvent(centre, action, mime, buttons, modifiers)
        QApplication.sendEvent(widget, enter)
        if not enter.isAccepted():
            return False
        move = QDragMoveEvent(centre, action, mime, buttons, modifiers)
        QApplication.sendEvent(widget, move)
    drop = QDropEvent(QPointF(centre), action, mime, buttons, modifiers)
    QApplication.sendEvent(widget, drop)
    return drop.isAccepted()
