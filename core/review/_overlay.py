"""Heatmap overlay maths: colour tables, quantised heatmaps, and numpy blending for export.

The player shows a heatmap as an 8-bit index image with a 256-entry RGBA colour table, so the
colour map, opacity and threshold are all properties of the table: changing them never touches
pixels, and a frame's overlay costs one small array hand-off. Exported PNGs use the same table
and the same geometry (the heatmap stretched over the source frame's rectangle) in numpy,
because scene item opacity is not honoured by image export.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import cv2
import numpy as np
from numpy.typing import NDArray

COLORMAPS: dict[str, int] = {
    "inferno": cv2.COLORMAP_INFERNO,
    "turbo": cv2.COLORMAP_TURBO,
    "viridis": cv2.COLORMAP_VIRIDIS,
    "hot": cv2.COLORMAP_HOT,
    "jet": cv2.COLORMAP_JET,
}
"""Colour maps offered for heatmaps (OpenCV's tables, so GUI and export agree)."""

MIN_ALPHA_FRACTION = 0.35
"""Alpha at the threshold, as a fraction of the opacity; it ramps to 1 at score 1 so faint
heat stays see-through and strong heat reads clearly."""


class DefectClass(StrEnum):
    """What the overlay shows; values are the heatmaps.npz keys."""

    ALL = "all"
    WARPING = "warping"
    MELTING = "melting"
    FLICKER = "flicker"
    PHYSICS = "physics"
    REALISM = "realism_defect"

    @property
    def label(self) -> str:
        """Name shown to users."""
        return "realism" if self is DefectClass.REALISM else self.value


HEATMAP_CLASSES: tuple[DefectClass, ...] = tuple(c for c in DefectClass if c is not DefectClass.ALL)


@dataclass(frozen=True)
class OverlaySettings:
    """One player side's overlay choice.

    Attributes
    ----------
    defect:
        Which heatmap; ``ALL`` shows the per-pixel maximum over the classes.
    colormap:
        A key of :data:`COLORMAPS`.
    opacity:
        0..1, the alpha of the strongest heat.
    threshold:
        0..1; heat below it is fully transparent.
    visible:
        The heatmap is drawn at all (toggled with a key).
    boxes:
        Event boxes and labels are drawn.
    """

    defect: DefectClass = DefectClass.ALL
    colormap: str = "inferno"
    opacity: float = 0.6
    threshold: float = 0.15
    visible: bool = True
    boxes: bool = True


def colormap_lut(colormap: str, opacity: float, threshold: float) -> NDArray[np.uint8]:
    """The (256, 4) RGBA table for index = round(score * 255)."""
    if colormap not in COLORMAPS:
        raise ValueError(f"unknown colour map {colormap!r}; choose one of {sorted(COLORMAPS)}")
    ramp = np.arange(256, dtype=np.uint8).reshape(256, 1)
    bgr = cv2.applyColorMap(ramp, COLORMAPS[colormap]).reshape(256, 3)
    lut = np.empty((256, 4), np.uint8)
    lut[:, :3] = bgr[:, ::-1]
    score = np.arange(256) / 255.0
    alpha = opacity * (MIN_ALPHA_FRACTION + (1 - MIN_ALPHA_FRACTION) * score)
    alpha[score < threshold] = 0.0
    alpha[0] = 0.0  # zero heat is never painted, whatever the threshold
    lut[:, 3] = np.clip(np.round(alpha * 255), 0, 255).astype(np.uint8)
    return lut


def quantize(heat: NDArray[np.floating]) -> NDArray[np.uint8]:
    """Scores in [0, 1] (any float dtype, NaN as 0) -> uint8 indices 0..255."""
    scaled = np.nan_to_num(heat.astype(np.float32), nan=0.0) * 255.0
    out: NDArray[np.uint8] = np.clip(np.rint(scaled), 0, 255).astype(np.uint8)
    return out


def stretch_indices(heat_size: int, source_size: int) -> NDArray[np.intp]:
    """For each source pixel along one axis, the heatmap cell covering it.

    The heatmap is stretched over the source frame, so source pixel ``x`` lies in cell
    ``floor(x * heat_size / source_size)``: exactly what the player's item rectangle does.
    """
    return (np.arange(source_size) * heat_size) // source_size


def blend(
    frame: NDArray[np.uint8], heat: NDArray[np.uint8], lut: NDArray[np.uint8]
) -> NDArray[np.uint8]:
    """Alpha-blend a quantised heatmap (any size) over an HxWx3 frame; returns a new frame."""
    height, width = frame.shape[:2]
    rows = stretch_indices(heat.shape[0], height)
    cols = stretch_indices(heat.shape[1], width)
    rgba = lut[heat[rows[:, None], cols[None, :]]]
    alpha = rgba[..., 3:4].astype(np.float32) / 255.0
    mixed = frame.astype(np.float32) * (1.0 - alpha) + rgba[..., :3].astype(np.float32) * alpha
    out: NDArray[np.uint8] = np.clip(np.rint(mixed), 0, 255).astype(np.uint8)
    return out


def combine(heats: list[NDArray[np.uint8]]) -> NDArray[np.uint8] | None:
    """Per-pixel maximum over the classes' heatmaps for one frame (None when there are none)."""
    if not heats:
        return None
    return np.maximum.reduce(heats) if len(heats) > 1 else heats[0]


def heat_at(heat: NDArray[np.uint8], source_size: tuple[int, int], x: float, y: float) -> float:
    """The score (0..1) of the heat cell covering source pixel (x, y); same stretch as the view."""
    width, height = source_size
    col = min(heat.shape[1] - 1, max(0, int(x) * heat.shape[1] // width))
    row = min(heat.shape[0] - 1, max(0, int(y) * heat.shape[0] // height))
    return float(heat[row, col]) / 255.0
