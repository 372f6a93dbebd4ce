"""Render a :class:`ClipSpec` to frames and to an H.264 + AAC MP4."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from core.media import Mp4Writer
from core.synth._defects import field_defect, object_defect
from core.synth._scene import Scene, build_scene
from core.synth._spec import ClipSpec, GroundTruth

OBJECT_KINDS = ("teleport", "vanish", "jerk", "resize")


def _scene_with_defects(spec: ClipSpec) -> Scene:
    scene = build_scene(spec.prompt, spec.seed, spec.width, spec.height, spec.fps)
    extra = tuple(
        drawn
        for i, d in enumerate(spec.defects)
        if d.kind in OBJECT_KINDS
        for drawn in object_defect(d, spec.prompt, spec.seed, i, scene.camera)
    )
    return Scene(scene.background, scene.camera, scene.objects + extra)


def iter_clip_frames(spec: ClipSpec) -> Iterator[NDArray[np.uint8]]:
    """Yield the clip's frames as HxWx3 uint8 RGB, defects included, in order.

    Deterministic: the same spec always gives the same pixels.
    """
    scene = _scene_with_defects(spec)
    fields = [
        (d, field_defect(d, spec.prompt, spec.seed, i))
        for i, d in enumerate(spec.defects)
        if d.kind not in OBJECT_KINDS
    ]
    for t in range(spec.frame_count):
        frame = scene.render(t, spec.width, spec.height)
        for defect, apply in fields:
            if defect.active(t):
                apply(frame, t)
        yield np.clip(frame, 0.0, 255.0).astype(np.uint8)


def render_clip(spec: ClipSpec, path: Path | str, crf: int = 20) -> GroundTruth:
    """Render ``spec`` to ``path`` (H.264 yuv420p + AAC) and return where the defects are.

    Raises
    ------
    core.media.MediaError
        When the file cannot be written (the partial file is removed).
    """
    with Mp4Writer(path, spec.width, spec.height, spec.fps, crf=crf) as writer:
        for frame in iter_clip_frames(spec):
            writer.write(frame)
    return GroundTruth(spec, spec.defects)
