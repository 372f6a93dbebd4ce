"""Controls shown while comparing two clips: mode, per-side frame offsets, close."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSpinBox, QToolButton, QWidget

from core.review import CompareMode


def _offset_box(tip: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(-999, 999)
    box.setSuffix(" f")
    box.setToolTip(tip)
    return box


class CompareBar(QWidget):
    """``mode_chosen(CompareMode)``, ``offset_changed(side, frames)``, ``close_requested()``."""

    mode_chosen = Signal(object)
    offset_changed = Signal(int, int)
    close_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mode_box = QComboBox()
        for mode in CompareMode:
            self.mode_box.addItem(mode.value, mode)
        self.mode_box.setToolTip("How A and B are shown (F flips A and B)")
        self.mode_box.currentIndexChanged.connect(
            lambda i: self.mode_chosen.emit(self.mode_box.itemData(i))
        )
        self.offsets = [
            _offset_box("Shift A by whole frames against the shared time"),
            _offset_box("Shift B by whole frames against the shared time"),
        ]
        for side, box in enumerate(self.offsets):
            box.valueChanged.connect(lambda v, s=side: self.offset_changed.emit(s, v))
        close = QToolButton()
        close.setText("✕")
        close.setToolTip("Stop comparing (keep A)")
        close.clicked.connect(self.close_requested.emit)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (
            QLabel("compare"),
            self.mode_box,
            QLabel("A offset"),
            self.offsets[0],
            QLabel("B offset"),
            self.offsets[1],
            close,
        ):
            layout.addWidget(widget)
        layout.addStretch(1)

    def set_mode(self, mode: CompareMode) -> None:
        """Select a mode programmatically (emits ``mode_chosen`` when it changes)."""
        self.mode_box.setCurrentIndex(list(CompareMode).index(mode))

    def reset(self) -> None:
        """Offsets back to 0 for a new pair."""
        for box in self.offsets:
            box.blockSignals(True)
            box.setValue(0)
            box.blockSignals(False)
