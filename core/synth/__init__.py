"""Synthetic clips: deterministic camera-like footage with injected, recorded defects.

The simulator renders its clips with this; the analysis tests use it to prove each detector
finds what was injected, where and when it was injected::

    spec = ClipSpec("a cat on a skateboard", seed=1, width=320, height=180, fps=24,
                    duration_s=2.0, defects=(DefectSpec("warp", 10, 20, (40, 40, 120, 120)),))
    truth = render_clip(spec, "clip.mp4")
"""

from core.synth._plan import plan_defects
from core.synth._render import iter_clip_frames, render_clip
from core.synth._spec import (
    DEFECT_KINDS,
    EXTRA_KINDS,
    REPORT_CLASS,
    ClipSpec,
    DefectSpec,
    GroundTruth,
)

__all__ = [
    "DEFECT_KINDS",
    "EXTRA_KINDS",
    "REPORT_CLASS",
    "ClipSpec",
    "DefectSpec",
    "GroundTruth",
    "iter_clip_frames",
    "plan_defects",
    "render_clip",
]
