"""The clean scene: a panning textured background and rigid textured objects.

Everything is precomputed once per clip (textures, sprites) so a frame costs one affine
resample of the background plus a few small sprite blends. Objects move in world space
(sliding at constant speed, or falling under gravity) and the camera pans smoothly, so the
motion is the consistent kind real footage has; objects wrap around only while off screen.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from core.synth._texture import Float, textured_field

Point = tuple[float, float]
Trajectory = Callable[[int], Point | None]
"""Frame index -> top-left (x, y) in frame pixels, or None when the object is not drawn."""


def clip_rng(prompt: str, seed: int, salt: str = "") -> np.random.Generator:
    """A generator determined by the prompt's SHA-256, the seed and a salt (nothing else)."""
    digest = hashlib.sha256(f"{prompt}\x00{seed}\x00{salt}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:16], "little"))


@dataclass(frozen=True)
class Sprite:
    """A textured object with a soft-edged alpha mask, drawn at sub-pixel positions."""

    rgba: Float
    """(s, s, 4) float32: RGB in [0, 255] premultiplied by alpha, alpha in [0, 1]."""

    @property
    def size(self) -> int:
        """Side of the square sprite in pixels."""
        return int(self.rgba.shape[0])


def make_sprite(rng: np.random.Generator, size_px: int) -> Sprite:
    """A shaded ellipse or rounded box with its own texture."""
    size = max(6, int(size_px))
    rgb = textured_field(rng, size, size, max(4.0, size / 3.0))
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    c = (size - 1) / 2.0
    u, v = (xx - c) / (size / 2.0), (yy - c) / (size / 2.0)
    aspect = rng.uniform(0.7, 1.0)
    if rng.random() < 0.5:
        dist = np.sqrt(u * u + (v / aspect) ** 2)
    else:
        dist = np.maximum(np.abs(u), np.abs(v) / aspect) * 1.0
    alpha = np.clip((1.0 - dist) * size / 3.0, 0.0, 1.0)
    shade = np.clip(1.15 - 0.45 * np.sqrt(u * u + v * v) - 0.2 * (u + v), 0.5, 1.2)
    rgb = np.clip(rgb * shade[..., None], 0.0, 255.0) * alpha[..., None]
    return Sprite(np.dstack([rgb, alpha]).astype(np.float32))


def blend_sprite(frame: Float, sprite: Sprite, top_left: Point) -> None:
    """Alpha-blend ``sprite`` into ``frame`` (HxWx3 float32) in place at a sub-pixel spot."""
    height, width = frame.shape[:2]
    x, y = top_left
    ix, iy = math.floor(x), math.floor(y)
    shift = np.array([[1, 0, x - ix], [0, 1, y - iy]], np.float32)
    side = sprite.size + 1
    moved = cv2.warpAffine(sprite.rgba, shift, (side, side), flags=cv2.INTER_LINEAR)
    x0, y0, x1, y1 = max(ix, 0), max(iy, 0), min(ix + side, width), min(iy + side, height)
    if x0 >= x1 or y0 >= y1:
        return
    patch = moved[y0 - iy : y1 - iy, x0 - ix : x1 - ix]
    roi = frame[y0:y1, x0:x1]
    roi *= 1.0 - patch[..., 3:4]
    roi += patch[..., :3]


@dataclass(frozen=True)
class Camera:
    """A smooth pan: the view's top-left in background pixels at frame t."""

    amp_px: Point
    period_frames: float
    phase: float
    margin_px: Point

    def offset(self, frame: int) -> Point:
        """Top-left of the view inside the background texture."""
        angle = 2 * math.pi * frame / self.period_frames + self.phase
        return (
            self.margin_px[0] + self.amp_px[0] * math.sin(angle),
            self.margin_px[1] + self.amp_px[1] * math.sin(0.5 * angle + 1.0),
        )


@dataclass(frozen=True)
class Scene:
    """A background, a camera and objects with trajectories in frame pixels."""

    background: Float
    camera: Camera
    objects: tuple[tuple[Sprite, Trajectory], ...]

    def render(self, frame: int, width: int, height: int) -> Float:
        """Compose frame ``frame`` as HxWx3 float32 RGB (before any injected defect)."""
        ox, oy = self.camera.offset(frame)
        view = np.array([[1, 0, -ox], [0, 1, -oy]], np.float32)
        out = np.asarray(
            cv2.warpAffine(self.background, view, (width, height), flags=cv2.INTER_LINEAR),
            np.float32,
        )
        for sprite, trajectory in self.objects:
            spot = trajectory(frame)
            if spot is not None:
                blend_sprite(out, sprite, spot)
        return out


def build_scene(prompt: str, seed: int, width: int, height: int, fps: float) -> Scene:
    """Derive the whole clean scene from the prompt and seed."""
    rng = clip_rng(prompt, seed)
    short = min(width, height)
    amp = (rng.uniform(0.05, 0.12) * width, rng.uniform(0.01, 0.04) * height)
    margin = (amp[0] + 4.0, amp[1] + 4.0)
    camera = Camera(amp, rng.uniform(7.0, 11.0) * fps, rng.uniform(0, 2 * math.pi), margin)
    bg_h, bg_w = int(height + 2 * margin[1]) + 2, int(width + 2 * margin[0]) + 2
    background = textured_field(rng, bg_h, bg_w, short / 4.0)
    objects = tuple(
        _random_object(rng, camera, width, height, fps) for _ in range(int(rng.integers(3, 6)))
    )
    return Scene(background, camera, objects)


def _random_object(
    rng: np.random.Generator, camera: Camera, width: int, height: int, fps: float
) -> tuple[Sprite, Trajectory]:
    short = min(width, height)
    sprite = make_sprite(rng, int(rng.uniform(0.14, 0.24) * short))
    if rng.random() < 0.5:
        return sprite, _falling(rng, camera, sprite.size, width, height, fps)
    return sprite, _sliding(rng, camera, sprite.size, width, height, fps)


def _sliding(
    rng: np.random.Generator, camera: Camera, size: int, width: int, height: int, fps: float
) -> Trajectory:
    speed = rng.uniform(0.1, 0.3) * width / fps * rng.choice([-1.0, 1.0])
    x0, y = rng.uniform(0, width), rng.uniform(0.1, 0.8) * height
    span = width + 2.0 * size + 8.0

    def at(frame: int) -> Point:
        ox, oy = camera.offset(frame)
        world = x0 + speed * frame - (ox - camera.margin_px[0])
        return (world % span) - size - 4.0, y - (oy - camera.margin_px[1])

    return at


def _falling(
    rng: np.random.Generator, camera: Camera, size: int, width: int, height: int, fps: float
) -> Trajectory:
    gravity = rng.uniform(0.3, 0.6) * height / fps**2
    drop = height + 2.0 * size + 2.0 * camera.amp_px[1] + 16.0
    period = math.sqrt(2.0 * drop / gravity)
    phase, x = rng.uniform(0, period), rng.uniform(0.05, 0.85) * width
    drift = rng.uniform(-0.05, 0.05) * width / fps

    def at(frame: int) -> Point:
        ox, oy = camera.offset(frame)
        t = (frame + phase) % period
        top = -size - camera.amp_px[1] - 8.0 + 0.5 * gravity * t * t
        return x + drift * t - (ox - camera.margin_px[0]), top - (oy - camera.margin_px[1])

    return at
