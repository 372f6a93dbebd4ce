"""Stills for export: a frame with its heatmap blended and its event boxes drawn, in numpy.

Scene item opacity is ignored by image export, so exported PNGs are composed here from the
same colour table and geometry the player uses, at the source resolution.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from core.review._overlay import blend
from core.review._report import ReviewEvent

Frame = NDArray[np.uint8]
BOX_RGB = (0, 255, 200)
"""Same cyan as the player's boxes."""


def draw_events(frame: Frame, events: Sequence[ReviewEvent]) -> Frame:
    """A copy of ``frame`` with each event's box and "kind score" label drawn on it."""
    out = np.ascontiguousarray(frame.copy())
    scale = max(0.35, frame.shape[0] / 900)
    for event in events:
        if event.box is None:
            continue
        x0, y0, x1, y1 = event.box
        cv2.rectangle(out, (x0, y0), (x1 - 1, y1 - 1), BOX_RGB, max(1, round(scale * 2)))
        label = f"{event.label} {event.score:.2f}"
        cv2.putText(
            out,
            label,
            (x0 + 2, max(10, y0 - 4)),
            cv2.FONT_HERSHEY_SIMPLEX,
            scale,
            BOX_RGB,
            1,
            cv2.LINE_AA,
        )
    return out


def compose_still(
    frame: Frame,
    heat: NDArray[np.uint8] | None,
    lut: NDArray[np.uint8],
    events: Sequence[ReviewEvent] = (),
) -> Frame:
    """Frame + blended heatmap (when given) + event boxes, as the player shows them."""
    out = blend(frame, heat, lut) if heat is not None else frame
    return draw_events(out, events)


def save_png(path: Path | str, rgb: Frame) -> Path:
    """Write an RGB image as PNG; raises OSError naming the path when it cannot."""
    path = Path(path)
    ok = cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    if not ok:
        raise OSError(f"{path}: could not write PNG")
    return path
