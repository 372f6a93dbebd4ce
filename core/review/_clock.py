"""Playhead state and wall-clock pacing for the player, without Qt.

The player never advances "one frame per timer tick": ticks are late and uneven. Instead the
playhead is anchored at (frame, wall time) when playback starts and every tick asks which frame
the wall clock says should be on screen now. Positions the clock passed over without a frame
being shown are counted as dropped, so a slow machine skips frames instead of lagging behind.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from psygnal import Signal


class PlayState(StrEnum):
    """Whether the playhead moves on its own."""

    PAUSED = "paused"
    PLAYING = "playing"


@dataclass(frozen=True)
class FrameRange:
    """Frames ``first..last`` inclusive (a loop range, or the whole clip)."""

    first: int
    last: int

    def __post_init__(self) -> None:
        if not 0 <= self.first <= self.last:
            raise ValueError(f"frame range {self.first}..{self.last} is empty or negative")

    @property
    def length(self) -> int:
        """Number of frames in the range."""
        return self.last - self.first + 1

    def wrap(self, frame: int) -> int:
        """Fold any frame position into the range (for looping)."""
        return self.first + (frame - self.first) % self.length

    def clamp(self, frame: int) -> int:
        """Nearest frame inside the range."""
        return min(max(frame, self.first), self.last)


@dataclass(frozen=True)
class Tick:
    """What one pacing tick decided.

    Attributes
    ----------
    frame:
        Frame the wall clock wants on screen now.
    advanced:
        Timeline positions passed since the previous tick (0: nothing to do; >1: the player
        is behind and the positions in between are dropped).
    ended:
        True when playback ran past the end of a non-looping range and stopped there.
    """

    frame: int
    advanced: int
    ended: bool = False


def frames_elapsed(start_s: float, now_s: float, fps: float, speed: float) -> int:
    """Whole frame periods since ``start_s`` at ``speed`` times the clip's rate."""
    return max(0, math.floor((now_s - start_s) * fps * abs(speed) + 1e-9))


class Playhead:
    """The frame the player wants to show, play state, speed and loop range.

    Views subscribe to ``frame_changed`` (int), ``state_changed`` (PlayState),
    ``loop_changed`` (FrameRange | None) and ``speed_changed`` (float, signed: negative plays
    backward). Setters clamp instead of raising, because they are fed by keys and mice.
    """

    frame_changed = Signal(int)
    state_changed = Signal(object)
    loop_changed = Signal(object)
    speed_changed = Signal(float)

    def __init__(self, frame_count: int, fps: float) -> None:
        self.clip = FrameRange(0, max(0, frame_count - 1))
        self.fps = fps if fps > 0 else 24.0
        self.frame = 0
        self.state = PlayState.PAUSED
        self.speed = 1.0
        self.loop: FrameRange | None = None
        self._anchor_frame = 0
        self._anchor_s = 0.0
        self._passed = 0

    @property
    def active_range(self) -> FrameRange:
        """The loop range when one is set, else the whole clip."""
        return self.loop or self.clip

    def seek(self, frame: int, now_s: float | None = None) -> None:
        """Jump to ``frame`` (clamped); while playing, playback continues from there."""
        frame = self.clip.clamp(int(frame))
        if now_s is not None:
            self._anchor(frame, now_s)
        if frame != self.frame:
            self.frame = frame
            self.frame_changed.emit(frame)

    def step(self, frames: int) -> None:
        """Pause and move by ``frames`` (negative: backward); wraps inside a loop range."""
        self.pause()
        target = self.frame + frames
        rng = self.active_range
        self.seek(rng.wrap(target) if self.loop else target)

    def play(self, now_s: float, speed: float | None = None) -> None:
        """Start (or re-anchor) playback from the current frame at ``speed``."""
        if speed is not None and speed != 0 and speed != self.speed:
            self.speed = speed
            self.speed_changed.emit(speed)
        rng = self.active_range
        if self.speed > 0 and self.frame >= rng.last and self.loop is None:
            self.seek(rng.first)  # playing from the very end restarts, as players do
        if self.speed < 0 and self.frame <= rng.first and self.loop is None:
            self.seek(rng.last)
        self._anchor(self.frame, now_s)
        self._set_state(PlayState.PLAYING)

    def pause(self) -> None:
        """Stop moving; the frame stays."""
        self._set_state(PlayState.PAUSED)

    def set_speed(self, speed: float, now_s: float) -> None:
        """Change the rate (signed); playback continues smoothly from the current frame."""
        if speed == 0:
            raise ValueError("speed must not be 0; pause instead")
        self.speed = speed
        self._anchor(self.frame, now_s)
        self.speed_changed.emit(speed)

    def set_loop(self, loop: FrameRange | None) -> None:
        """Loop playback inside ``loop`` (None: play the whole clip once)."""
        if loop is not None:
            loop = FrameRange(self.clip.clamp(loop.first), self.clip.clamp(loop.last))
        self.loop = loop
        self.loop_changed.emit(loop)

    def mark_in(self) -> None:
        """``[``: loop from the current frame (to the loop's end, or the clip's end)."""
        last = self.loop.last if self.loop and self.loop.last >= self.frame else self.clip.last
        self.set_loop(FrameRange(self.frame, last))

    def mark_out(self) -> None:
        """``]``: loop up to the current frame (from the loop's start, or the clip's start)."""
        first = self.loop.first if self.loop and self.loop.first <= self.frame else 0
        self.set_loop(FrameRange(first, self.frame))

    def tick(self, now_s: float) -> Tick:
        """Advance by wall time; the caller shows ``frame`` (or counts it dropped)."""
        if self.state is not PlayState.PLAYING:
            return Tick(self.frame, 0)
        passed = frames_elapsed(self._anchor_s, now_s, self.fps, self.speed)
        advanced, self._passed = passed - self._passed, passed
        if advanced == 0:
            return Tick(self.frame, 0)
        direction = 1 if self.speed > 0 else -1
        target = self._anchor_frame + direction * passed
        rng = self.active_range
        if self.loop is not None:
            target = rng.wrap(target)
        elif not rng.first <= target <= rng.last:
            # Only the positions up to the end were passed; the overshoot is not a drop.
            advanced = abs(rng.clamp(target) - self.frame)
            self.seek(rng.clamp(target))
            self.pause()
            return Tick(self.frame, advanced, ended=True)
        self.seek(target)
        return Tick(target, advanced)

    def _anchor(self, frame: int, now_s: float) -> None:
        self._anchor_frame, self._anchor_s, self._passed = frame, now_s, 0

    def _set_state(self, state: PlayState) -> None:
        if state is not self.state:
            self.state = state
            self.state_changed.emit(state)
