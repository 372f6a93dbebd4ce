"""Procedural textures: multi-octave value noise ("fBm") and colour palettes.

Each octave is a small random grid upscaled with bicubic interpolation, weighted 1/f, so the
result has the roughly 1/f^2 power spectrum of natural images: optical flow and SSIM find
structure at every scale, and nothing tiles or repeats.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

Float = NDArray[np.float32]


def fbm(rng: np.random.Generator, height: int, width: int, cell_px: float = 96.0) -> Float:
    """Return an HxW noise field in [0, 1] with features from ``cell_px`` down to ~2 px."""
    total = np.zeros((height, width), np.float32)
    amplitude, weight, cell = 1.0, 0.0, cell_px
    while cell >= 2.0:
        rows = max(2, int(height / cell) + 2)
        cols = max(2, int(width / cell) + 2)
        grid = rng.random((rows, cols), dtype=np.float32)
        total += amplitude * cv2.resize(grid, (width, height), interpolation=cv2.INTER_CUBIC)
        weight += amplitude
        amplitude *= 0.62
        cell /= 2.0
    total /= weight
    lo, hi = np.percentile(total, (1, 99))
    out: Float = np.clip((total - lo) / max(float(hi - lo), 1e-6), 0.0, 1.0)
    return out


def palette(rng: np.random.Generator, count: int) -> Float:
    """Return ``count`` RGB colours in [0, 255]: an earthy, muted set like outdoor footage."""
    hue = rng.uniform(0.0, 1.0)
    hues = (hue + rng.uniform(-0.18, 0.18, count)) % 1.0
    sats = rng.uniform(0.25, 0.65, count)
    vals = rng.uniform(0.35, 0.9, count)
    hsv = np.stack([hues * 180.0, sats * 255.0, vals * 255.0], axis=-1).astype(np.float32)
    rgb = cv2.cvtColor(hsv.reshape(1, count, 3).astype(np.uint8), cv2.COLOR_HSV2RGB)
    return rgb.reshape(count, 3).astype(np.float32)


def colourise(base: Float, regions: Float, colours: Float) -> Float:
    """Blend four colours: ``base`` mixes within a region pair, ``regions`` picks the pair."""
    b = base[..., None]
    r = _smoothstep(regions, 0.42, 0.58)[..., None]
    first = colours[0] * (1.0 - b) + colours[1] * b
    second = colours[2] * (1.0 - b) + colours[3] * b
    out: Float = (first * (1.0 - r) + second * r).astype(np.float32)
    return out


def _smoothstep(x: Float, lo: float, hi: float) -> Float:
    t = np.clip((x - lo) / (hi - lo), 0.0, 1.0)
    out: Float = (t * t * (3.0 - 2.0 * t)).astype(np.float32)
    return out


def textured_field(rng: np.random.Generator, height: int, width: int, cell_px: float) -> Float:
    """An HxWx3 float32 RGB texture in [0, 255] with regions, edges and fine detail."""
    base = fbm(rng, height, width, cell_px)
    regions = fbm(rng, height, width, cell_px * 2.5)
    detail = fbm(rng, height, width, max(4.0, cell_px / 8.0))
    rgb = colourise(base, regions, palette(rng, 4))
    rgb *= (0.8 + 0.4 * detail)[..., None]
    return np.clip(rgb, 0.0, 255.0)


def window(height: int, width: int, taper: float = 0.25) -> Float:
    """A separable Tukey window (1 inside, cosine taper to 0 at the edges), HxW float32.

    Used to keep every injected defect strictly inside its box with no hard seam.
    """
    return np.outer(_tukey(height, taper), _tukey(width, taper)).astype(np.float32)


def _tukey(n: int, taper: float) -> NDArray[np.float32]:
    x = (np.arange(n, dtype=np.float32) + 0.5) / n
    edge = max(taper / 2.0, 1e-6)
    ramp = np.minimum(np.minimum(x, 1.0 - x) / edge, 1.0)
    out: NDArray[np.float32] = (0.5 - 0.5 * np.cos(np.pi * ramp)).astype(np.float32)
    return out
