"""Playback control: one playhead driving one or two frame sources, paced by wall time.

A precise timer ticks at twice the frame rate; each tick asks the Qt-free
:class:`core.review.Playhead` which frame the wall clock wants, and shows it if every side has
it decoded. Otherwise the position is counted as dropped and the player moves on rather than
lagging. While paused, a seek shows the frame as soon as its decode arrives.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from core.review import FrameRange, Playhead, PlayState, Tick, side_frame
from core.review._cache import Frame
from gui.review._frame_source import FrameSource


@dataclass
class PlaybackStats:
    """Counted over the current playback run (reset on play)."""

    shown: int = 0
    dropped: int = 0
    started_s: float = 0.0

    def shown_fps(self, now_s: float) -> float:
        """Frames actually put on screen per wall second."""
        elapsed = now_s - self.started_s
        return self.shown / elapsed if elapsed > 0 else 0.0


class PlayerController(QObject):
    """Owns the playhead, the timer and the sides' frame sources.

    Signals
    -------
    frames_shown(int, list):
        Master frame index and ``[(side_index, frame), ...]`` per side, after a display
        decision; views show exactly these frames (so the number shown is the frame shown).
    stats_changed():
        Shown/dropped counts moved.
    """

    frames_shown = Signal(int, list)
    stats_changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.sources: list[FrameSource] = []
        self.offsets: list[int] = []
        self.playhead = Playhead(1, 24.0)
        self.stats = PlaybackStats()
        self.shown_index = -1
        self.shown_sides: list[int] = []
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._on_tick)

    def set_sources(self, sources: list[FrameSource]) -> None:
        """Play these sides (A first; A's frames are the master timeline)."""
        self.pause()
        for old in self.sources:
            if old not in sources:
                old.close()
        self.sources = sources
        self.offsets = [0] * len(sources)
        info = sources[0].info
        old_frame = self.playhead.frame
        self.playhead = Playhead(info.frame_count, info.fps)
        self.playhead.state_changed.connect(self._on_state)
        self.playhead.speed_changed.connect(self._on_speed)
        for source in sources:
            source.frame_ready.connect(self._on_frame_ready)
        self.shown_index = -1
        self.seek(min(old_frame, info.frame_count - 1) if len(sources) > 1 else 0)

    def close(self) -> None:
        """Stop playback and every decoder thread."""
        self._timer.stop()
        for source in self.sources:
            source.close()
        self.sources = []

    def set_offset(self, side: int, frames: int) -> None:
        """Shift one side by whole frames relative to the master time."""
        self.offsets[side] = frames
        self._request(0)
        self._show_if_ready(self.playhead.frame)

    def side_indices(self, master: int) -> list[int]:
        """Each side's frame at master frame ``master``."""
        time_s = self.sources[0].info.frame_times_s[master]
        return [
            side_frame(time_s, s.info.frame_times_s, off)
            for s, off in zip(self.sources, self.offsets, strict=True)
        ]

    # --- transport -------------------------------------------------------------------------

    def seek(self, frame: int) -> None:
        """Jump to a master frame; shown at once if decoded, else when its decode lands."""
        playing = self.playhead.state is PlayState.PLAYING
        self.playhead.seek(frame, time.perf_counter() if playing else None)
        self._request(self._direction())
        if not playing:
            self._show_if_ready(self.playhead.frame)

    def step(self, frames: int) -> None:
        """Pause and step by ``frames`` (negative: back)."""
        self.playhead.step(frames)
        self._request(0)
        self._show_if_ready(self.playhead.frame)

    def play(self, speed: float | None = None) -> None:
        """Play at ``speed`` (signed; None keeps the current rate)."""
        if not self.sources:
            return
        self.stats = PlaybackStats(started_s=time.perf_counter())
        self.playhead.play(time.perf_counter(), speed)
        self._request(self._direction())

    def pause(self) -> None:
        """Stop at the frame on screen."""
        self.playhead.pause()
        if self.sources and 0 <= self.shown_index != self.playhead.frame:
            self.playhead.seek(self.shown_index)
        if self.sources:
            self._request(0)

    def toggle(self) -> None:
        """Space: play forward at the current rate, or pause."""
        if self.playhead.state is PlayState.PLAYING:
            self.pause()
        else:
            self.play(abs(self.playhead.speed))

    def set_speed(self, speed: float) -> None:
        """Change rate (signed) without stopping."""
        self.playhead.set_speed(speed, time.perf_counter())

    def set_rate(self, rate: float) -> None:
        """Speed box: a new magnitude, keeping the direction."""
        self.set_speed(-rate if self.playhead.speed < 0 else rate)

    def shuttle(self, direction: int) -> None:
        """J/L: play that way at 1x, or double the rate (up to 8x) if already doing so."""
        playhead = self.playhead
        same_way = playhead.state is PlayState.PLAYING and playhead.speed * direction > 0
        rate = min(abs(playhead.speed) * 2, 8.0) if same_way else 1.0
        self.play(direction * rate)

    def set_loop(self, loop: FrameRange | None) -> None:
        """Loop inside a frame range, or clear it."""
        self.playhead.set_loop(loop)

    # --- internals -------------------------------------------------------------------------

    def _direction(self) -> int:
        if self.playhead.state is not PlayState.PLAYING:
            return 0
        return 1 if self.playhead.speed > 0 else -1

    def _request(self, direction: int) -> None:
        if not self.sources:
            return
        # A paused playhead may sit outside the loop range (a seek there); decode around it.
        loop = self.playhead.loop is not None and direction != 0
        for source, index in zip(self.sources, self.side_indices(self.playhead.frame), strict=True):
            span = self._side_span(source) if loop else None
            source.want(index, direction, span, loop)

    def _side_span(self, source: FrameSource) -> FrameRange:
        rng = self.playhead.active_range
        if source is self.sources[0]:
            return rng
        first, last = self.side_indices(rng.first), self.side_indices(rng.last)
        side = self.sources.index(source)
        return FrameRange(first[side], max(first[side], last[side]))

    def _frames_for(self, master: int) -> list[tuple[int, Frame]] | None:
        frames = []
        for source, index in zip(self.sources, self.side_indices(master), strict=True):
            frame = source.get(index)
            if frame is None:
                return None
            frames.append((index, frame))
        return frames

    def _show_if_ready(self, master: int) -> bool:
        frames = self._frames_for(master) if self.sources else None
        if frames is None:
            return False
        self.shown_index = master
        self.shown_sides = [index for index, _ in frames]
        self.frames_shown.emit(master, frames)
        return True

    @Slot(int)
    def _on_frame_ready(self, _index: int) -> None:
        if self.playhead.state is not PlayState.PAUSED or not self.sources:
            return
        master = self.playhead.frame
        if (self.shown_index, self.shown_sides) != (master, self.side_indices(master)):
            self._show_if_ready(master)  # a seek, step or offset change still waiting

    @Slot()
    def _on_tick(self) -> None:
        tick = self.playhead.tick(time.perf_counter())
        if tick.advanced:
            self._account(tick)
            self._request(self._direction())

    def _account(self, tick: Tick) -> None:
        if self._show_if_ready(tick.frame):
            self.stats.shown += 1
            self.stats.dropped += tick.advanced - 1
        else:
            self.stats.dropped += tick.advanced
        self.stats_changed.emit()

    def _on_speed(self, _speed: float) -> None:
        self._on_state(self.playhead.state)

    def _on_state(self, state: PlayState) -> None:
        if state is PlayState.PLAYING:
            period_ms = 1000.0 / (self.playhead.fps * max(abs(self.playhead.speed), 0.01))
            self._timer.start(max(1, int(period_ms / 2)))
        else:
            self._timer.stop()
