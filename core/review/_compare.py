"""Comparison maths: which frame each side shows, difference and wipe images, report paths.

Two clips are synced by time (a 24 fps generation against a 30 fps reference still lines up),
then shifted by a per-side frame offset the user sets to fix a late start.
"""

from __future__ import annotations

from enum import StrEnum

import cv2
import numpy as np
from numpy.typing import NDArray

Frame = NDArray[np.uint8]


class CompareMode(StrEnum):
    """How two clips are shown together."""

    SIDE_BY_SIDE = "side by side"
    WIPE = "wipe"
    DIFFERENCE = "difference"
    FLIP = "A/B flip"


def side_frame(time_s: float, side_times_s: tuple[float, ...], offset: int) -> int:
    """The side's frame on screen at master time ``time_s``, shifted by ``offset`` frames.

    The frame shown at a time is the last one that started at or before it (with half a
    microsecond of slack for rounded timestamps); the result is clamped to the clip.
    """
    times = np.asarray(side_times_s)
    index = int(np.searchsorted(times, time_s + 5e-7, side="right")) - 1 + offset
    return min(max(index, 0), len(times) - 1)


def difference(a: Frame, b: Frame, gain: float = 4.0) -> Frame:
    """|A - B| per channel, amplified by ``gain`` so small encoder differences show."""
    if a.shape != b.shape:
        raise ValueError(f"frames differ in shape: {a.shape} vs {b.shape}")
    diff = cv2.absdiff(a, b)
    return np.asarray(cv2.convertScaleAbs(diff, alpha=gain), dtype=np.uint8)


def wipe(a: Frame, b: Frame, split_x: int) -> Frame:
    """A left of column ``split_x``, B from it on (a new array)."""
    if a.shape != b.shape:
        raise ValueError(f"frames differ in shape: {a.shape} vs {b.shape}")
    split_x = min(max(split_x, 0), a.shape[1])
    out = a.copy()
    out[:, split_x:] = b[:, split_x:]
    return out


def side_by_side(a: Frame, b: Frame, gap_px: int = 8) -> Frame:
    """A and B next to each other with a black gap (heights must match)."""
    if a.shape[0] != b.shape[0]:
        raise ValueError(f"frames differ in height: {a.shape[0]} vs {b.shape[0]}")
    gap = np.zeros((a.shape[0], gap_px, 3), np.uint8)
    return np.ascontiguousarray(np.hstack([a, gap, b]))
