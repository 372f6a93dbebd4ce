"""Export what the viewer shows as a PNG, composed in numpy from the layers' data."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from core.review import (
    CompareMode,
    colormap_lut,
    compose_still,
    difference,
    save_png,
    side_by_side,
    wipe,
)
from core.review._cache import Frame
from gui.review._clip_layer import ClipLayer
from gui.review._viewer import ClipViewer


def layer_still(layer: ClipLayer) -> Frame | None:
    """The layer's frame with its overlay and boxes as currently chosen (None before a frame)."""
    if layer.frame is None:
        return None
    s = layer.settings
    report = layer.report
    heat = report.heat(s.defect, layer.index) if report is not None and s.visible else None
    events = report.events_at(layer.index) if report is not None and s.boxes else []
    return compose_still(
        layer.frame, heat, colormap_lut(s.colormap, s.opacity, s.threshold), events
    )


def export_still(path: str | Path, sides: Sequence[Any], viewer: ClipViewer) -> Path | None:
    """Compose the current view (one clip, or two in the viewer's mode) and save it."""
    layers = [side.layer for side in sides]
    stills = [layer_still(layer) for layer in layers]
    ready = [s for s in stills if s is not None]
    if not ready or len(ready) < len(stills):
        raise ValueError("no frame on screen yet")
    if len(ready) == 1:
        return save_png(path, ready[0])
    a, b = (ready[1], ready[0]) if viewer.swapped else (ready[0], ready[1])
    if viewer.mode is CompareMode.SIDE_BY_SIDE:
        return save_png(path, side_by_side(a, b))
    if viewer.mode is CompareMode.WIPE:
        return save_png(path, wipe(a, b, round(viewer.divider.value())))
    if viewer.mode is CompareMode.DIFFERENCE:
        first, second = layers[0].frame, layers[1].frame
        assert first is not None and second is not None
        return save_png(path, difference(first, second))
    return save_png(path, a)
