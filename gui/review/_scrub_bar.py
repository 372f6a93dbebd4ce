"""The scrub bar: the clip as a strip with event markers, the loop range and the playhead.

Drawn by hand (a QSlider cannot show spans); pressing or dragging asks for a seek, and
playback-driven moves never emit anything, so the bar cannot feed back into the player.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from core.review import FrameRange, ReviewEvent

KIND_COLORS: dict[str, QColor] = {
    "warping": QColor(255, 99, 71),
    "melting": QColor(255, 165, 0),
    "flicker": QColor(255, 235, 59),
    "physics": QColor(156, 39, 176),
    "realism": QColor(33, 150, 243),
    "realism_defect": QColor(33, 150, 243),
}
"""Event colours, shared by the scrub bar, the plots and the events list."""


def kind_color(kind: str) -> QColor:
    """The colour of an event kind (grey for kinds this build does not know); a fresh copy."""
    return QColor(KIND_COLORS.get(kind, QColor(200, 200, 200)))


class ScrubBar(QWidget):
    """Strip over frames ``0..frame_count-1``; ``seek_requested(frame)`` on press/drag."""

    seek_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.frame_count = 1
        self.position = 0
        self.loop: FrameRange | None = None
        self.events: tuple[ReviewEvent, ...] = ()

    def sizeHint(self) -> QSize:
        return QSize(400, 22)

    def set_clip(self, frame_count: int, events: tuple[ReviewEvent, ...] = ()) -> None:
        """New clip length and its events."""
        self.frame_count = max(1, frame_count)
        self.events = events
        self.update()

    def set_position(self, frame: int) -> None:
        """Move the playhead mark (never emits)."""
        if frame != self.position:
            self.position = frame
            self.update()

    def set_loop(self, loop: FrameRange | None) -> None:
        """Show (or hide) the loop range."""
        self.loop = loop
        self.update()

    def frame_at(self, x: float) -> int:
        """The frame under widget x coordinate ``x``."""
        frac = min(max(x / max(1, self.width()), 0.0), 1.0)
        return min(self.frame_count - 1, int(frac * self.frame_count))

    def _x_of(self, frame: float) -> float:
        return frame * self.width() / self.frame_count

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.seek_requested.emit(self.frame_at(event.position().x()))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self.seek_requested.emit(self.frame_at(event.position().x()))

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        height = self.height()
        painter.fillRect(self.rect(), QColor(40, 40, 40))
        if self.loop is not None:
            x0, x1 = self._x_of(self.loop.first), self._x_of(self.loop.last + 1)
            painter.fillRect(QRectF(x0, 0, x1 - x0, height), QColor(80, 110, 160))
        lanes = sorted({e.kind for e in self.events})
        lane_h = height * 0.6 / max(1, len(lanes))
        for event in self.events:  # one lane per kind, so overlapping events stay visible
            x0, x1 = self._x_of(event.start), self._x_of(event.end)
            top = height * 0.4 + lanes.index(event.kind) * lane_h
            rect = QRectF(x0, top, max(2.0, x1 - x0), max(1.0, lane_h - 1))
            painter.fillRect(rect, kind_color(event.kind))
        x = self._x_of(self.position + 0.5)
        painter.setPen(QPen(QColor(255, 255, 255), 2))
        painter.drawLine(int(x), 0, int(x), height)
        painter.end()
