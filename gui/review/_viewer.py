"""The picture area: one clip, or two in side-by-side, wipe, difference or A/B flip mode.

Two pyqtgraph views whose ranges are linked; the right one is shown only side by side. In the
other modes both layers sit in the left view (B above A, clipped for the wipe). Zoom and pan
with the mouse; views keep square pixels and y pointing down, as images do.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QPoint, QPointF, QRectF, Signal
from PySide6.QtWidgets import QHBoxLayout, QWidget

from core.review import CompareMode, difference
from gui.review._clip_layer import ClipLayer

DIVIDER_PEN = pg.mkPen(255, 255, 255, width=1)


def _view_widget() -> tuple[pg.GraphicsLayoutWidget, pg.ViewBox]:
    widget = pg.GraphicsLayoutWidget()
    widget.ci.setContentsMargins(0, 0, 0, 0)
    view = widget.addViewBox(lockAspect=True, invertY=True, enableMenu=False)
    view.setDefaultPadding(0.0)
    return widget, view


class ClipViewer(QWidget):
    """Shows the layers of side A (and B) according to a :class:`CompareMode`."""

    wipe_moved = Signal(float)
    hovered = Signal(object, float, float)
    """(layer under the mouse, source x, source y) for the pixel readout."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.left_widget, self.left_view = _view_widget()
        self.right_widget, self.right_view = _view_widget()
        self.right_view.setXLink(self.left_view)
        self.right_view.setYLink(self.left_view)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.left_widget)
        layout.addWidget(self.right_widget)
        self.right_widget.hide()
        self.diff_item = pg.ImageItem(axisOrder="row-major")
        self.diff_item.setZValue(5)
        self.left_view.addItem(self.diff_item)
        self.divider = pg.InfiniteLine(angle=90, movable=True, pen=DIVIDER_PEN)
        self.divider.setZValue(10)
        self.divider.sigPositionChanged.connect(self._on_divider)
        self.left_view.addItem(self.divider)
        self.left_widget.scene().sigMouseMoved.connect(lambda pos: self._on_mouse(pos, 0))
        self.right_widget.scene().sigMouseMoved.connect(lambda pos: self._on_mouse(pos, 1))
        self.layers: list[ClipLayer] = []
        self.mode = CompareMode.SIDE_BY_SIDE
        self.swapped = False
        self._apply_mode()

    def set_layers(self, layers: list[ClipLayer]) -> None:
        """Replace the shown clips (one, or A and B), fitting the view to A."""
        for layer in self.layers:
            if layer.scene() is not None:
                layer.scene().removeItem(layer)
        self.layers = layers
        width, _ = layers[0].size
        self.divider.setBounds((0, width))
        self.divider.setValue(width / 2)
        self._apply_mode()
        self.fit()

    def set_mode(self, mode: CompareMode) -> None:
        """Switch how two clips are shown (ignored with one clip)."""
        self.mode = mode
        self._apply_mode()
        self.fit()

    def flip(self) -> None:
        """Swap A and B (the A/B flip key)."""
        self.swapped = not self.swapped
        self._apply_mode()

    def fit(self) -> None:
        """Fit the whole frame in the view."""
        if self.layers:
            width, height = self.layers[0].size
            self.left_view.setRange(QRectF(0, 0, width, height), padding=0.0)

    def refresh(self) -> None:
        """Redraw what depends on both frames (the difference image)."""
        if self._comparing and self.mode is CompareMode.DIFFERENCE:
            a, b = self.layers[0].frame, self.layers[1].frame
            if a is not None and b is not None and a.shape == b.shape:
                self.diff_item.setImage(difference(a, b), autoLevels=False)

    def widget_to_source(self, x: int, y: int) -> tuple[float, float]:
        """Pixel of ``left_widget`` -> source pixel of the clip shown there."""
        point = self.left_view.mapSceneToView(self.left_widget.mapToScene(QPoint(x, y)))
        return float(point.x()), float(point.y())

    def source_to_widget(self, x: float, y: float) -> QPointF:
        """Source pixel -> pixel of ``left_widget`` (what a screenshot of it shows)."""
        scene_pos = self.left_view.mapViewToScene(QPointF(x, y))
        return QPointF(self.left_widget.mapFromScene(scene_pos))

    @property
    def _comparing(self) -> bool:
        return len(self.layers) > 1

    def _ordered(self) -> list[ClipLayer]:
        return list(reversed(self.layers)) if self.swapped else list(self.layers)

    def _apply_mode(self) -> None:
        two = self._comparing
        side = two and self.mode is CompareMode.SIDE_BY_SIDE
        self.right_widget.setVisible(side)
        self.divider.setVisible(two and self.mode is CompareMode.WIPE)
        self.diff_item.setVisible(two and self.mode is CompareMode.DIFFERENCE)
        ordered = self._ordered()
        for i, layer in enumerate(ordered):
            view = self.right_view if side and i == 1 else self.left_view
            if layer.scene() is not view.scene():
                if layer.scene() is not None:
                    layer.scene().removeItem(layer)
                view.addItem(layer)
            layer.setZValue(i)
            layer.setVisible(i == 0 or self.mode is not CompareMode.FLIP)
            layer.set_visible_columns(0.0)
        if two and self.mode is CompareMode.WIPE:
            ordered[1].set_visible_columns(float(self.divider.value()))
        self.refresh()

    def _on_mouse(self, scene_pos: QPointF, view_index: int) -> None:
        ordered = self._ordered()
        if not ordered:
            return
        view = self.right_view if view_index else self.left_view
        point = view.mapSceneToView(scene_pos)
        x, y = float(point.x()), float(point.y())
        if view_index == 1:
            layer = ordered[1]
        elif self._comparing and self.mode is CompareMode.WIPE:
            layer = ordered[1] if x >= self.divider.value() else ordered[0]
        else:
            layer = ordered[0]
        width, height = layer.size
        if 0 <= x < width and 0 <= y < height:
            self.hovered.emit(layer, x, y)

    def _on_divider(self) -> None:
        if self._comparing and self.mode is CompareMode.WIPE:
            self._ordered()[1].set_visible_columns(float(self.divider.value()))
            self.wipe_moved.emit(float(self.divider.value()))
