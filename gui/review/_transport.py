"""Transport controls: jump/step/play buttons, speed, loop, the frame readout and drop counter."""

from __future__ import annotations

from PySide6.QtCore import Signal, SignalInstance
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QToolButton, QWidget

from core.review import FrameRange, PlayState

SPEEDS = (0.25, 0.5, 1.0, 2.0, 4.0)


def frame_text(index: int, frame_count: int, time_s: float) -> str:
    """The readout: 1-based would lie about the decoded index, so frames are 0-based."""
    return f"frame {index} / {frame_count - 1}  {time_s:.3f} s"


class TransportBar(QWidget):
    """Buttons and readouts; emits intents, never touches the player directly."""

    jump_start = Signal()
    step_back = Signal()
    play_toggled = Signal()
    step_forward = Signal()
    jump_end = Signal()
    speed_chosen = Signal(float)
    loop_cleared = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.play_button = self._button("▶", "Play / pause (Space, K)", self.play_toggled)
        buttons = [
            self._button("|◀◀", "Jump to start (Home)", self.jump_start),
            self._button("◀|", "Step back one frame (←)", self.step_back),
            self.play_button,
            self._button("|▶", "Step forward one frame (→)", self.step_forward),
            self._button("▶▶|", "Jump to end (End)", self.jump_end),
        ]
        for button in buttons:
            layout.addWidget(button)
        self.speed_box = QComboBox()
        self.speed_box.setToolTip("Playback speed (J/L also change it)")
        for speed in SPEEDS:
            self.speed_box.addItem(f"{speed:g}x", speed)
        self.speed_box.setCurrentIndex(SPEEDS.index(1.0))
        self.speed_box.activated.connect(lambda i: self.speed_chosen.emit(SPEEDS[i]))
        layout.addWidget(self.speed_box)
        self.loop_label = QLabel("no loop")
        self.loop_label.setToolTip("Loop range: [ sets the start, ] the end")
        layout.addWidget(self.loop_label)
        layout.addWidget(self._button("✕", "Clear the loop range", self.loop_cleared))
        layout.addStretch(1)
        self.pixel_label = QLabel("")
        self.pixel_label.setToolTip("Source pixel under the mouse: position, colour, heat score")
        layout.addWidget(self.pixel_label)
        self.frame_label = QLabel(frame_text(0, 1, 0.0))
        self.frame_label.setToolTip("The frame on screen (0-based) and its presentation time")
        layout.addWidget(self.frame_label)
        self.drop_label = QLabel("")
        self.drop_label.setToolTip("Frames shown / dropped during this playback run")
        layout.addWidget(self.drop_label)

    def _button(self, text: str, tip: str, signal: SignalInstance) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setToolTip(tip)
        button.clicked.connect(signal.emit)
        return button

    def show_frame(self, index: int, frame_count: int, time_s: float) -> None:
        """Update the readout to the frame actually on screen."""
        self.frame_label.setText(frame_text(index, frame_count, time_s))

    def show_state(self, state: PlayState) -> None:
        """Play button reflects the state."""
        self.play_button.setText("❚❚" if state is PlayState.PLAYING else "▶")

    def show_speed(self, speed: float) -> None:
        """Speed box follows J/L changes; a reverse rate shows as its magnitude."""
        magnitude = abs(speed)
        if magnitude in SPEEDS:
            self.speed_box.setCurrentIndex(SPEEDS.index(magnitude))

    def show_loop(self, loop: FrameRange | None) -> None:
        """Loop readout."""
        self.loop_label.setText("no loop" if loop is None else f"loop {loop.first}–{loop.last}")

    def show_stats(self, shown: int, dropped: int) -> None:
        """Shown/dropped counters for the current run."""
        self.drop_label.setText(f"shown {shown}  dropped {dropped}")
