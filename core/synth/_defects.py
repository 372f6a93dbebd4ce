"""Injected defects. Each one touches only pixels inside its box and only frames in its span.

Field defects (warp, melt, flicker, realism) post-process the composed frame inside the box,
weighted by a Tukey window so there is no seam and nothing leaks out. Object defects
(teleport, vanish, jerk, resize) add an object of their own, drawn on top of everything so it is
never occluded, whose trajectory (or size) breaks at ``start_frame``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import cv2
import numpy as np

from core.synth._scene import Camera, Point, Sprite, Trajectory, clip_rng, make_sprite
from core.synth._spec import DefectSpec
from core.synth._texture import Float, window

RESIZE_FACTOR = 1.6
"""How much larger (per side) a ``resize`` object is drawn from ``start_frame`` on."""
FieldDefect = Callable[[Float, int], None]
"""Modify an HxWx3 float32 frame in place for frame index t (only called inside the span)."""


def field_defect(defect: DefectSpec, prompt: str, seed: int, index: int) -> FieldDefect:
    """Return the in-place frame modifier for a warp, melt, flicker or realism defect."""
    rng = clip_rng(prompt, seed, f"defect{index}")
    makers = {"warp": _warp, "melt": _melt, "flicker": _flicker, "realism": _realism}
    return makers[defect.kind](defect, rng)


def _roi(frame: Float, box: tuple[int, int, int, int]) -> tuple[Float, tuple[slice, slice]]:
    height, width = frame.shape[:2]
    x0, y0, x1, y1 = box
    where = (slice(max(y0, 0), min(y1, height)), slice(max(x0, 0), min(x1, width)))
    return frame[where], where


def _grid(height: int, width: int) -> tuple[Float, Float]:
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    return xx, yy


def _warp(defect: DefectSpec, rng: np.random.Generator) -> FieldDefect:
    """A local elastic displacement field whose phase drifts every frame (a "wobble")."""
    x0, y0, x1, y1 = defect.box
    amp = max(1.5, 0.1 * min(x1 - x0, y1 - y0))
    wavelength = rng.uniform(0.7, 1.0) * min(x1 - x0, y1 - y0)
    speed = 2 * math.pi / rng.uniform(6.0, 10.0)

    def apply(frame: Float, t: int) -> None:
        roi, where = _roi(frame, defect.box)
        h, w = roi.shape[:2]
        xx, yy = _grid(h, w)
        weight = amp * window(h, w, 0.6)
        phase = speed * (t - defect.start_frame)
        map_x = xx + weight * np.sin(2 * math.pi * yy / wavelength + phase)
        map_y = yy + weight * np.sin(2 * math.pi * xx / wavelength + 1.3 * phase + 1.0)
        frame[where] = cv2.remap(roi, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)

    return apply


def _melt(defect: DefectSpec, rng: np.random.Generator) -> FieldDefect:
    """Texture that smooths out and sags downward more and more over the span (wax)."""
    x0, y0, x1, y1 = defect.box
    sag_px = rng.uniform(0.25, 0.4) * (y1 - y0)
    blur_px = 0.12 * min(x1 - x0, y1 - y0)
    span = defect.end_frame - defect.start_frame

    def apply(frame: Float, t: int) -> None:
        progress = (t - defect.start_frame + 1) / span
        roi, where = _roi(frame, defect.box)
        h, w = roi.shape[:2]
        xx, yy = _grid(h, w)
        weight = window(h, w, 0.5)
        sagged = cv2.remap(
            roi,
            xx,
            yy - progress * sag_px * weight,
            cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REFLECT,
        )
        soft = cv2.GaussianBlur(sagged, (0, 0), 0.6 + progress * blur_px)
        frame[where] = roi + (soft - roi) * weight[..., None]

    return apply


def _flicker(defect: DefectSpec, rng: np.random.Generator) -> FieldDefect:
    """Luminance pumping whose sign alternates every frame (global when the box is the frame)."""
    depth = rng.uniform(0.1, 0.16)
    cache: dict[tuple[int, int], Float] = {}

    def apply(frame: Float, t: int) -> None:
        roi, _ = _roi(frame, defect.box)
        h, w = roi.shape[:2]
        weight = cache.setdefault((h, w), window(h, w, 0.3))
        sign = 1.0 if (t - defect.start_frame) % 2 == 0 else -1.0
        roi *= (1.0 + sign * depth * weight)[..., None]

    return apply


def _realism(defect: DefectSpec, rng: np.random.Generator) -> FieldDefect:
    """A patch that is over-smoothed, posterised, noisy and clipped at once: fake-looking."""
    noise_rng = np.random.default_rng(int(rng.integers(1 << 31)))

    def apply(frame: Float, t: int) -> None:
        roi, where = _roi(frame, defect.box)
        h, w = roi.shape[:2]
        flat = cv2.GaussianBlur(roi, (0, 0), max(2.0, 0.04 * min(h, w)))
        poster = np.round(flat * 1.5 / 48.0) * 48.0 - 40.0
        grain = noise_rng.normal(0.0, 14.0, (h, w, 1)).astype(np.float32)
        fake = np.clip(poster + grain, 0.0, 255.0)
        weight = window(h, w, 0.3)[..., None]
        frame[where] = roi + (fake - roi) * weight

    return apply


def object_defect(
    defect: DefectSpec, prompt: str, seed: int, index: int, camera: Camera
) -> tuple[tuple[Sprite, Trajectory], ...]:
    """Return the drawn objects (sprite + trajectory each) of a teleport, vanish, jerk or
    resize defect (a resize is two sprites of one texture, each drawn on its side of the
    break). Jerk and resize objects move through the world like the scene's own objects (the
    camera pan carries them), so their motion relative to the background is their own."""
    rng = clip_rng(prompt, seed, f"defect{index}")
    if defect.kind == "resize":
        return _resizer(defect, rng, _pan(camera, defect.start_frame))
    if defect.kind == "jerk":
        return (_jerker(defect, rng, _pan(camera, defect.start_frame)),)
    makers = {"teleport": _teleporter, "vanish": _vanisher}
    return (makers[defect.kind](defect, rng),)


def _pan(camera: Camera, anchor: int) -> Callable[[int], Point]:
    """Frame -> how far the view has moved since frame ``anchor`` (subtract from world x, y)."""
    ax, ay = camera.offset(anchor)

    def shift(frame: int) -> Point:
        ox, oy = camera.offset(frame)
        return ox - ax, oy - ay

    return shift


def _teleporter(defect: DefectSpec, rng: np.random.Generator) -> tuple[Sprite, Trajectory]:
    """Slides across the box and jumps ahead at ``start_frame``, staying inside the box."""
    x0, y0, x1, y1 = defect.box
    size = int(min(0.7 * (y1 - y0), 0.3 * (x1 - x0)))
    sprite = make_sprite(rng, size)
    speed = max(0.3, 0.02 * size)
    span = defect.end_frame - defect.start_frame
    before = x0 + 2.0 + speed  # left edge at start_frame - 1 is x0 + 2
    after = x1 - 2.0 - sprite.size - speed * (span - 1)
    flip = rng.random() < 0.5
    top = (y0 + y1) / 2.0 - sprite.size / 2.0

    def at(frame: int) -> Point:
        dt = frame - defect.start_frame
        left = (after if dt >= 0 else before) + speed * dt
        return ((x0 + x1 - sprite.size) - left if flip else left), top

    return sprite, at


def _vanisher(defect: DefectSpec, rng: np.random.Generator) -> tuple[Sprite, Trajectory]:
    """Drifts slowly and disappears at ``start_frame``, centred in the box just before."""
    x0, y0, x1, y1 = defect.box
    size = int(0.6 * min(x1 - x0, y1 - y0))
    sprite = make_sprite(rng, size)
    speed = max(0.3, 0.02 * size) * rng.choice([-1.0, 1.0])
    cx, cy = (x0 + x1 - sprite.size) / 2.0, (y0 + y1 - sprite.size) / 2.0

    def at(frame: int) -> Point | None:
        dt = frame - defect.start_frame
        return None if dt >= 0 else (cx + speed * (dt + 1), cy)

    return sprite, at


def _jerker(
    defect: DefectSpec, rng: np.random.Generator, pan: Callable[[int], Point]
) -> tuple[Sprite, Trajectory]:
    """Glides across the box and reverses its velocity at ``start_frame`` with nothing to
    bounce off: the step into ``start_frame`` is the first one backwards. The turning point
    (frame ``start_frame - 1``) lies in the middle of the box."""
    x0, y0, x1, y1 = defect.box
    size = int(min(0.7 * (y1 - y0), 0.3 * (x1 - x0)))
    sprite = make_sprite(rng, size)
    speed = max(1.0, 0.06 * size) * rng.choice([-1.0, 1.0])
    turn = (x0 + x1 - sprite.size) / 2.0
    top = (y0 + y1) / 2.0 - sprite.size / 2.0

    def at(frame: int) -> Point:
        steps = frame - (defect.start_frame - 1)  # > 0 after the turn
        dx, dy = pan(frame)
        return turn - speed * abs(steps) - dx, top - dy

    return sprite, at


def _resizer(
    defect: DefectSpec, rng: np.random.Generator, pan: Callable[[int], Point]
) -> tuple[tuple[Sprite, Trajectory], tuple[Sprite, Trajectory]]:
    """Glides through the middle of the box; at ``start_frame`` the same textured object is
    drawn 1.6x larger around the same centre (rigid objects do not do that)."""
    x0, y0, x1, y1 = defect.box
    big_size = int(0.8 * min(x1 - x0, y1 - y0))
    big = make_sprite(rng, big_size)
    small_size = max(6, round(big.size / RESIZE_FACTOR))
    shrunk = cv2.resize(big.rgba, (small_size, small_size), interpolation=cv2.INTER_AREA)
    small = Sprite(np.asarray(shrunk, np.float32))
    speed = max(1.0, 0.05 * big.size) * rng.choice([-1.0, 1.0])
    cx, cy = (x0 + x1) / 2.0, (y0 + y1) / 2.0

    def placed(sprite: Sprite, after: bool) -> Trajectory:
        def at(frame: int) -> Point | None:
            dt = frame - defect.start_frame
            if (dt >= 0) != after:
                return None
            dx, dy = pan(frame)
            centre = cx + speed * (dt + 0.5) - dx
            return centre - sprite.size / 2.0, cy - dy - sprite.size / 2.0

        return at

    return (small, placed(small, False)), (big, placed(big, True))
