"""One clip on screen: its frame, its heatmap overlay and its event boxes, in source pixels.

Everything is a child of one rectangle item whose coordinates are the source video's pixels,
so the overlay (stretched over the frame rect) and the boxes stay aligned at any zoom or window
size. The rectangle clips its children, which is how the A/B wipe hides part of B.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem

from core.review import OverlaySettings, ReviewEvent, ReviewReport, colormap_lut, heat_at
from core.review._cache import Frame

BOX_COLOR = QColor(0, 255, 200)
"""Event boxes: a cyan that no heatmap colour map uses."""


class ClipLayer(QGraphicsRectItem):
    """Frame + overlay + boxes of one side, in that side's source pixel coordinates."""

    def __init__(self, width: int, height: int, name: str = "") -> None:
        super().__init__(0, 0, width, height)
        self.name = name
        self.size = (width, height)
        self.setPen(QPen(Qt.PenStyle.NoPen))
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemClipsChildrenToShape, True)
        self.frame_item = pg.ImageItem(axisOrder="row-major")
        self.frame_item.setParentItem(self)
        self.overlay_item = pg.ImageItem(axisOrder="row-major")
        self.overlay_item.setParentItem(self)
        self.overlay_item.setZValue(1)
        self.report: ReviewReport | None = None
        self.settings = OverlaySettings()
        self._lut = colormap_lut(self.settings.colormap, self.settings.opacity, 0.15)
        self._boxes: list[tuple[QGraphicsRectItem, pg.TextItem]] = []
        self.frame: Frame | None = None
        self.index = -1

    def show_frame(self, index: int, frame: Frame) -> None:
        """Display a decoded frame (the array is kept alive by the image item)."""
        self.frame, self.index = frame, index
        self.frame_item.setImage(frame, autoLevels=False)
        self._refresh_overlay()

    def readout(self, x: float, y: float) -> str:
        """``A x y  RGB r g b  heat s`` for the source pixel (x, y) on screen now."""
        if self.frame is None:
            return ""
        col, row = int(x), int(y)
        r, g, b = (int(v) for v in self.frame[row, col])
        text = f"{self.name}  x {col} y {row}  RGB {r} {g} {b}"
        heat = self._heat()
        if heat is not None:
            text += f"  {self.settings.defect.label} {heat_at(heat, self.size, x, y):.2f}"
        return text

    def set_report(self, report: ReviewReport | None) -> None:
        """Attach (or drop) the analysis whose heatmaps and boxes this layer draws."""
        self.report = report
        self._refresh_overlay()

    def set_overlay(self, settings: OverlaySettings) -> None:
        """Apply an overlay choice; only the colour table changes for map/opacity/threshold."""
        self.settings = settings
        self._lut = colormap_lut(settings.colormap, settings.opacity, settings.threshold)
        self._refresh_overlay()

    def set_visible_columns(self, first_x: float) -> None:
        """Show only source columns from ``first_x`` on (the B side of a wipe)."""
        width, height = self.size
        first_x = min(max(first_x, 0.0), float(width))
        self.setRect(QRectF(first_x, 0, width - first_x, height))

    def _refresh_overlay(self) -> None:
        heat = self._heat()
        self.overlay_item.setVisible(heat is not None)
        if heat is not None:
            self.overlay_item.setImage(heat, autoLevels=False, levels=None, lut=self._lut)
            self.overlay_item.setRect(QRectF(0, 0, *self.size))
        events = self.report.events_at(self.index) if self.report and self.settings.boxes else []
        self._show_boxes(events)

    def _heat(self) -> np.ndarray | None:
        if self.report is None or not self.settings.visible or self.index < 0:
            return None
        return self.report.heat(self.settings.defect, self.index)

    def _show_boxes(self, events: list[ReviewEvent]) -> None:
        events = [e for e in events if e.box is not None]
        while len(self._boxes) < len(events):
            self._boxes.append(self._make_box())
        for (rect, label), event in zip(self._boxes, events, strict=False):
            x0, y0, x1, y1 = event.box or (0, 0, 0, 0)
            rect.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
            label.setText(f"{event.label} {event.score:.2f}")
            label.setPos(x0, y0)
        for i, (rect, label) in enumerate(self._boxes):
            rect.setVisible(i < len(events))
            label.setVisible(i < len(events))

    def _make_box(self) -> tuple[QGraphicsRectItem, pg.TextItem]:
        rect = QGraphicsRectItem(self)
        pen = QPen(BOX_COLOR)
        pen.setCosmetic(True)
        pen.setWidth(2)
        rect.setPen(pen)
        rect.setZValue(2)
        label = pg.TextItem(color=BOX_COLOR, anchor=(0, 1), fill=pg.mkBrush(0, 0, 0, 160))
        label.setParentItem(self)
        label.setZValue(3)
        return rect, label
