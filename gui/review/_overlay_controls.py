"""Overlay controls for one player side: defect class, colour map, opacity, threshold, toggles."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QGroupBox, QSlider, QWidget

from core.review import COLORMAPS, DefectClass, OverlaySettings


def _slider(value: float, tip: str) -> QSlider:
    slider = QSlider(Qt.Orientation.Horizontal)
    slider.setRange(0, 100)
    slider.setValue(round(value * 100))
    slider.setToolTip(tip)
    return slider


class OverlayControls(QGroupBox):
    """Edits an :class:`OverlaySettings`; emits ``changed(settings)`` on every edit."""

    changed = Signal(object)

    def __init__(self, title: str = "Overlay", parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.settings = OverlaySettings()
        self.defect_box = QComboBox()
        for defect in DefectClass:
            self.defect_box.addItem(defect.label, defect)
        self.defect_box.setToolTip("Which defect heatmap to draw ('all': the worst per pixel)")
        self.cmap_box = QComboBox()
        self.cmap_box.addItems(list(COLORMAPS))
        self.opacity = _slider(self.settings.opacity, "Opacity of the strongest heat")
        self.threshold = _slider(self.settings.threshold, "Heat below this score is not drawn")
        self.heat_check = QCheckBox("heatmap (O)")
        self.heat_check.setChecked(True)
        self.box_check = QCheckBox("event boxes (B)")
        self.box_check.setChecked(True)
        form = QFormLayout(self)
        form.addRow("defect", self.defect_box)
        form.addRow("colours", self.cmap_box)
        form.addRow("opacity", self.opacity)
        form.addRow("threshold", self.threshold)
        form.addRow(self.heat_check)
        form.addRow(self.box_check)
        for signal in (
            self.defect_box.currentIndexChanged,
            self.cmap_box.currentIndexChanged,
            self.opacity.valueChanged,
            self.threshold.valueChanged,
            self.heat_check.toggled,
            self.box_check.toggled,
        ):
            signal.connect(self._emit)

    def toggle_heatmap(self) -> None:
        """The O key."""
        self.heat_check.toggle()

    def toggle_boxes(self) -> None:
        """The B key."""
        self.box_check.toggle()

    def set_defect(self, defect: DefectClass) -> None:
        """Choose a defect class (programmatic, e.g. from the events list)."""
        self.defect_box.setCurrentIndex(list(DefectClass).index(defect))

    def _emit(self) -> None:
        self.settings = replace(
            self.settings,
            defect=DefectClass(self.defect_box.currentData()),  # Qt hands back a plain str
            colormap=self.cmap_box.currentText(),
            opacity=self.opacity.value() / 100,
            threshold=self.threshold.value() / 100,
            visible=self.heat_check.isChecked(),
            boxes=self.box_check.isChecked(),
        )
        self.changed.emit(self.settings)
