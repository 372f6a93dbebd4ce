"""Frames with a defect heatmap blended on top, as base64 PNG data URLs."""

from __future__ import annotations

import base64
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from core.media import MediaError, VideoReader

THUMB_WIDTH_PX = 360


def overlay(
    rgb: NDArray[np.uint8], heat: NDArray[np.floating], box: tuple[int, int, int, int] | None
) -> NDArray[np.uint8]:
    """Blend a [0, 1] heatmap (any size) over an RGB frame: transparent where 0, a jet colour
    at up to 65% opacity where 1; draw ``box`` (frame pixels) in white."""
    h, w = rgb.shape[:2]
    big = cv2.resize(heat.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    big = np.clip(big, 0.0, 1.0)
    colour = cv2.applyColorMap((big * 255).astype(np.uint8), cv2.COLORMAP_JET)[..., ::-1]
    alpha = (0.65 * big)[..., None]
    out = (rgb.astype(np.float32) * (1 - alpha) + colour.astype(np.float32) * alpha).astype(
        np.uint8
    )
    if box is not None:
        cv2.rectangle(out, box[:2], (box[2] - 1, box[3] - 1), (255, 255, 255), 1)
    return out


def png_data_url(rgb: NDArray[np.uint8]) -> str:
    """Encode an RGB image as a ``data:image/png;base64,...`` URL."""
    ok, data = cv2.imencode(".png", rgb[..., ::-1])
    if not ok:
        raise ValueError("PNG encoding failed")
    return "data:image/png;base64," + base64.b64encode(data.tobytes()).decode("ascii")


def thumbnails(
    video: Path,
    frames: list[int],
    heat: list[NDArray[np.floating]],
    boxes: list[tuple[int, int, int, int] | None],
    source_size: tuple[int, int],
) -> list[str | None]:
    """Data URLs of the given frames with their heatmaps; None where the frame cannot be read."""
    scale = THUMB_WIDTH_PX / max(1, source_size[0])
    size = (THUMB_WIDTH_PX, max(2, round(source_size[1] * scale / 2) * 2))
    out: list[str | None] = []
    try:
        reader = VideoReader(video)
    except MediaError:
        return [None] * len(frames)
    with reader:
        reader.set_size(size)
        for index, h, box in zip(frames, heat, boxes, strict=True):
            try:
                rgb = reader.frame(index)
            except (MediaError, IndexError):
                out.append(None)
                continue
            small = tuple(round(v * scale) for v in box) if box else None
            out.append(png_data_url(overlay(rgb, h, small)))  # type: ignore[arg-type]
    return out
