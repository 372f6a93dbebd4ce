"""Draw plausible defects for a clip: sizes and spans that a detector can fairly be asked to
find (boxes away from the borders, spans clear of the first and last frames)."""

from __future__ import annotations

import random

from core.synth._spec import DEFECT_KINDS, Box, ClipSpec, DefectSpec

# Box size as a fraction of the short side, and span length in frames (min, max) per kind.
_BOX_FRACTION: dict[str, tuple[float, float]] = {
    "warp": (0.3, 0.45),
    "melt": (0.3, 0.45),
    "flicker": (0.3, 0.5),
    "teleport": (0.25, 0.3),  # height; width is 3.5x
    "vanish": (0.25, 0.35),
    "realism": (0.3, 0.45),
    "jerk": (0.25, 0.3),  # height; width is 3.5x
    "resize": (0.3, 0.4),
}
_SPAN_FRAMES: dict[str, tuple[int, int]] = {
    "warp": (8, 20),
    "melt": (16, 36),
    "flicker": (6, 14),
    "teleport": (3, 3),
    "vanish": (3, 3),
    "realism": (8, 20),
    "jerk": (3, 3),
    "resize": (3, 3),
}


def plan_defects(
    spec: ClipSpec,
    rng: random.Random,
    count: int = 1,
    kinds: tuple[str, ...] = DEFECT_KINDS,
) -> tuple[DefectSpec, ...]:
    """Return ``count`` defects of kinds drawn from ``kinds``, placed inside ``spec``'s frame.

    Spans are clipped to the clip's length, so a short clip gets short spans.
    """
    if not kinds:
        raise ValueError("plan_defects needs at least one kind")
    return tuple(_one(spec, rng, rng.choice(kinds)) for _ in range(count))


def _one(spec: ClipSpec, rng: random.Random, kind: str) -> DefectSpec:
    start, end = _span(spec.frame_count, rng, kind)
    return DefectSpec(kind, start, end, _box(spec, rng, kind))


def _span(frames: int, rng: random.Random, kind: str) -> tuple[int, int]:
    low, high = _SPAN_FRAMES[kind]
    room = max(1, frames - 3)  # leave frame 0 and the last frame clean
    length = min(rng.randint(low, high), room)
    start = rng.randint(2, max(2, frames - 1 - length)) if frames > 4 else 1
    return start, min(start + length, frames)


def _box(spec: ClipSpec, rng: random.Random, kind: str) -> Box:
    short = min(spec.width, spec.height)
    height = max(8, int(rng.uniform(*_BOX_FRACTION[kind]) * short))
    wide = kind in ("teleport", "jerk")
    width = min(int(height * 3.5) if wide else height, int(spec.width * 0.9))
    margin_x, margin_y = int(0.06 * spec.width), int(0.06 * spec.height)
    x0 = rng.randint(margin_x, max(margin_x, spec.width - margin_x - width))
    y0 = rng.randint(margin_y, max(margin_y, spec.height - margin_y - height))
    return (x0, y0, x0 + width, y0 + height)
