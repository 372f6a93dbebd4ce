"""Burn-ins for exported roast clips: the defect heatmap and a one-line caption.

The heatmap is the report's ``heatmaps.npz`` class map (analysis resolution, values in
[0, 1]) for the worst defect's class, upscaled to the picture and coloured with OpenCV's
inferno map; each pixel is blended in proportion to its heat, so clean areas stay clean.
The caption (``MELTING 0.87 @ 0:03.2``) is drawn with ``cv2.putText`` on a darkened box.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np
from numpy.typing import NDArray

from core.roast.compose import format_score, format_time
from core.roast.facts import RoastFacts
from core.roast.templates import load_library
from core.synth import REPORT_CLASS

if TYPE_CHECKING:
    from core.export import Geometry

HEAT_CLASS = REPORT_CLASS
"""Report or synth kinds whose heatmap class has another name."""
HEAT_ALPHA_MAX = 0.6
"""Opacity of the colour map where the heat is 1."""

Frame = NDArray[np.uint8]


def caption_text(facts: RoastFacts) -> str:
    """``LABEL score @ time`` in ASCII (OpenCV's Hershey fonts draw nothing else)."""
    label = load_library().vocabulary.words_for(facts.defect).label.upper()
    text = f"{label} {format_score(facts.score)} @ {format_time(facts.peak_s)}"
    return text.encode("ascii", "replace").decode("ascii")


def load_heat(npz_path: Path, defect: str) -> NDArray[np.float16]:
    """The worst class's heatmaps (frames, h, w); the per-pixel max of all classes if absent."""
    with np.load(npz_path) as data:
        key = HEAT_CLASS.get(defect, defect)
        if key in data.files:
            return np.asarray(data[key])
        arrays = [np.asarray(data[name]) for name in data.files]
    if not arrays:
        raise ValueError(f"{npz_path}: holds no heatmaps")
    merged: NDArray[np.float16] = np.maximum.reduce(arrays)
    return merged


def pad(picture: Frame, geometry: Geometry) -> Frame:
    """Place the scaled picture on a black canvas of the output size (bars where needed)."""
    if picture.shape[:2] == (geometry.height, geometry.width):
        return picture
    canvas = np.zeros((geometry.height, geometry.width, 3), np.uint8)
    h, w = picture.shape[:2]
    canvas[geometry.pad_y : geometry.pad_y + h, geometry.pad_x : geometry.pad_x + w] = picture
    return canvas


class Overlay:
    """Draws the requested burn-ins on output frames of one export."""

    def __init__(
        self, facts: RoastFacts, geometry: Geometry, heat_path: Path | None, caption: bool
    ) -> None:
        self._geometry = geometry
        self._heat = load_heat(heat_path, facts.defect) if heat_path is not None else None
        self._caption = caption_text(facts) if caption else None

    def apply(self, canvas: Frame, source_index: int) -> Frame:
        """Return ``canvas`` (the padded frame of source frame ``source_index``) drawn on."""
        if self._heat is not None and len(self._heat):
            heat = self._heat[min(source_index, len(self._heat) - 1)]
            canvas = self._blend_heat(canvas, heat)
        if self._caption is not None:
            canvas = draw_caption(canvas, self._caption)
        return canvas

    def _blend_heat(self, canvas: Frame, heat: NDArray[np.float16]) -> Frame:
        g = self._geometry
        size = (g.content_width, g.content_height)
        level = np.clip(cv2.resize(heat.astype(np.float32), size), 0.0, 1.0)
        colour = cv2.applyColorMap((level * 255).astype(np.uint8), cv2.COLORMAP_INFERNO)
        alpha = (level * HEAT_ALPHA_MAX)[..., None]
        out = canvas.copy()
        rows = slice(g.pad_y, g.pad_y + g.content_height)
        cols = slice(g.pad_x, g.pad_x + g.content_width)
        region = out[rows, cols].astype(np.float32)
        out[rows, cols] = (region * (1 - alpha) + colour[..., ::-1] * alpha).astype(np.uint8)
        return out


def draw_caption(canvas: Frame, text: str) -> Frame:
    """Draw ``text`` top-left on a darkened box, scaled to the frame (and to fit its width)."""
    height, width = canvas.shape[:2]
    font = cv2.FONT_HERSHEY_SIMPLEX
    scale = max(0.3, height / 720 * 0.8)
    thickness = max(1, round(scale * 1.6))
    (text_w, text_h), base = cv2.getTextSize(text, font, scale, thickness)
    margin = max(2, round(8 * scale))
    if text_w + 2 * margin > width:
        scale *= (width - 2 * margin) / (text_w + 2 * margin)
        (text_w, text_h), base = cv2.getTextSize(text, font, scale, thickness)
    out = np.ascontiguousarray(canvas.copy())
    box = out[: text_h + base + 2 * margin, : text_w + 2 * margin]
    box[:] = (box * 0.35).astype(np.uint8)
    origin = (margin, margin + text_h)
    cv2.putText(out, text, origin, font, scale, (255, 255, 255), thickness, cv2.LINE_AA)
    return out


def compose_frame(
    picture: Frame, geometry: Geometry, source_index: int, overlay: Overlay | None
) -> Frame:
    """The output frame: ``picture`` padded to the output size, with burn-ins if any."""
    canvas = pad(picture, geometry)
    return overlay.apply(canvas, source_index) if overlay is not None else canvas
