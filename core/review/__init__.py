"""Qt-free models behind the review player: playhead and pacing, frame cache and prefetch,
overlay compositing, comparison maths, and a reader for analysis reports.

The GUI (``gui.review``) shows these; everything here is tested without Qt.
"""

from core.review._cache import FrameCache, frames_for_budget, prefetch_plan
from core.review._clock import FrameRange, Playhead, PlayState, Tick, frames_elapsed
from core.review._compare import (
    CompareMode,
    default_report_dir,
    difference,
    side_by_side,
    side_frame,
    wipe,
)
from core.review._overlay import (
    COLORMAPS,
    HEATMAP_CLASSES,
    DefectClass,
    OverlaySettings,
    blend,
    colormap_lut,
    combine,
    quantize,
    stretch_indices,
)
from core.review._prefetch import Prefetcher
from core.review._report import (
    FrameTable,
    ReportError,
    ReviewEvent,
    ReviewReport,
    read_frames_csv,
    read_heatmaps,
    read_report,
)

__all__ = [
    "COLORMAPS",
    "HEATMAP_CLASSES",
    "CompareMode",
    "DefectClass",
    "FrameCache",
    "FrameRange",
    "FrameTable",
    "OverlaySettings",
    "PlayState",
    "Playhead",
    "Prefetcher",
    "ReportError",
    "ReviewEvent",
    "ReviewReport",
    "Tick",
    "blend",
    "colormap_lut",
    "combine",
    "default_report_dir",
    "difference",
    "frames_elapsed",
    "frames_for_budget",
    "prefetch_plan",
    "quantize",
    "read_frames_csv",
    "read_heatmaps",
    "read_report",
    "side_by_side",
    "side_frame",
    "stretch_indices",
    "wipe",
]
